extension Tensor {
    /// Joins tensors along an existing axis; all other axes must agree.
    public static func concat(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError.invalidArgument(op: "concat", "needs at least one tensor") }
        guard first.rank > 0 else { throw TensorError.invalidArgument(op: "concat", "cannot concatenate rank-0 tensors (use stack)") }
        let a = try normalizeAxis(axis, rank: first.rank, op: "concat")
        let type = tensors.dropFirst().reduce(first.dtype) { $0 == $1.dtype ? $0 : DType.promoted($0, $1.dtype) }
        for (i, t) in tensors.enumerated() {
            guard t.rank == first.rank, t.shape.indices.allSatisfy({ $0 == a || t.shape[$0] == first.shape[$0] }) else {
                throw TensorError.shapeMismatch(op: "concat", "tensor \(i) has shape \(shapeString(t.shape)), which does not match \(shapeString(first.shape)) outside axis \(a)")
            }
        }
        var outShape = first.shape
        outShape[a] = 0
        for t in tensors {
            let (total, overflow) = outShape[a].addingReportingOverflow(t.shape[a])
            if overflow { throw TensorError.invalidArgument(op: "concat", "the joined axis would be too large") }
            outShape[a] = total
        }
        try checkShape(outShape, op: "concat")
        let result = try Tensor(uninitialized: outShape, dtype: type)
        var position = 0
        var sizes: [Int] = []
        for t in tensors {
            let size = t.shape[a]
            let region = result.view(shape: t.shape, strides: result.strides, offset: position * result.strides[a])
            try t.to(type).copyElements(into: region)
            position += size
            sizes.append(size)
        }
        return record("concat", result, tensors) { g in try g.split(sizes: sizes, axis: a).map { $0 } }
    }

    /// Joins same-shape tensors along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError.invalidArgument(op: "stack", "needs at least one tensor") }
        for (i, t) in tensors.enumerated() where t.shape != first.shape {
            throw TensorError.shapeMismatch(op: "stack", "tensor \(i) has shape \(shapeString(t.shape)), expected \(shapeString(first.shape))")
        }
        let a = try normalizeAxis(axis, rank: first.rank + 1, op: "stack")
        return try concat(tensors.map { try $0.unsqueeze(a) }, axis: a)
    }

    /// Cuts into pieces of the given sizes along `axis` (views); the sizes must add up.
    public func split(sizes: [Int], axis: Int = 0) throws -> [Tensor] {
        let a = try Tensor.normalizeAxis(axis, rank: rank, op: "split")
        var total = 0, overflow = false
        for size in sizes {
            let (sum, o) = total.addingReportingOverflow(size)
            total = sum; overflow = overflow || o
        }
        guard sizes.allSatisfy({ $0 >= 0 }), !overflow, total == shape[a] else {
            throw TensorError.invalidArgument(op: "split", "sizes \(shapeString(sizes)) do not add up to \(shape[a]), the size of axis \(a)")
        }
        var start = 0
        return try sizes.map { size in
            var indices = [TensorIndex](repeating: .all, count: a)
            indices.append(.slice(start: start, stop: start + size, step: 1))
            start += size
            return try index(indices)
        }
    }

    /// Cuts into `parts` pieces along `axis`, as equal as possible (the first ones larger).
    public func split(parts: Int, axis: Int = 0) throws -> [Tensor] {
        let a = try Tensor.normalizeAxis(axis, rank: rank, op: "split")
        let size = shape[a]
        guard parts > 0 && parts <= Swift.max(size, 1) else {
            throw TensorError.invalidArgument(op: "split", "parts must be between 1 and the axis size \(size), got \(parts)")
        }
        return try split(sizes: (0..<parts).map { size / parts + ($0 < size % parts ? 1 : 0) }, axis: a)
    }
}
