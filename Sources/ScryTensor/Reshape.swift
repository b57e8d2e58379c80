extension Tensor {
    /// The same elements under a new shape with the same count; one entry may be -1 (inferred).
    /// A view when the layout allows, a copy otherwise.
    public func reshape(_ newShape: [Int]) throws -> Tensor {
        let target = try resolveShape(newShape)
        if target == shape { return self }
        let source = isContiguous ? self : try materialized()
        let output = source.view(shape: target, strides: Tensor.contiguousStrides(target), offset: source.offset)
        let inputShape = shape
        return recordOp("reshape", output, [self]) { g in [try g.reshape(inputShape)] }
    }

    private func resolveShape(_ newShape: [Int]) throws -> [Int] {
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        guard inferred.count <= 1, !newShape.contains(where: { $0 < -1 }) else {
            throw TensorError.invalidArgument(op: "reshape", "invalid target shape \(shapeString(newShape)) (at most one -1, no other negatives)")
        }
        var target = newShape
        let known = newShape.filter { $0 != -1 }.reduce(1, *)
        if let axis = inferred.first {
            guard known != 0, count % known == 0 else {
                throw TensorError.shapeMismatch(op: "reshape", "cannot reshape \(shapeString(shape)) (\(count) elements) into \(shapeString(newShape))")
            }
            target[axis] = count / known
        }
        try Tensor.checkShape(target, op: "reshape")
        guard target.reduce(1, *) == count else {
            throw TensorError.shapeMismatch(op: "reshape", "cannot reshape \(shapeString(shape)) (\(count) elements) into \(shapeString(newShape)) (\(target.reduce(1, *)) elements)")
        }
        return target
    }

    /// Merges axes `start...end` into one.
    public func flatten(start: Int = 0, end: Int = -1) throws -> Tensor {
        if rank == 0 { return try reshape([1]) }
        let first = try Tensor.normalizeAxis(start, rank: rank, op: "flatten")
        let last = try Tensor.normalizeAxis(end, rank: rank, op: "flatten")
        guard first <= last else {
            throw TensorError.invalidArgument(op: "flatten", "start axis \(start) comes after end axis \(end)")
        }
        let merged = shape[first...last].reduce(1, *)
        return try reshape(Array(shape[..<first]) + [merged] + Array(shape[(last + 1)...]))
    }

    /// Removes size-1 axes: the given ones (each must have size 1), or all of them.
    public func squeeze(axes: [Int]? = nil) throws -> Tensor {
        if let axes {
            let resolved = try Tensor.normalizeAxes(axes, rank: rank, op: "squeeze")
            if let bad = resolved.first(where: { shape[$0] != 1 }) {
                throw TensorError.invalidArgument(op: "squeeze", "axis \(bad) has size \(shape[bad]), not 1 (shape \(shapeString(shape)))")
            }
            return try reshape(shape.indices.filter { !resolved.contains($0) }.map { shape[$0] })
        }
        return try reshape(shape.filter { $0 != 1 })
    }

    /// Inserts a size-1 axis at `axis` (which may be `rank`, or negative counting from the end).
    public func unsqueeze(_ axis: Int) throws -> Tensor {
        let position = try Tensor.normalizeAxis(axis, rank: rank + 1, op: "unsqueeze")
        var target = shape
        target.insert(1, at: position)
        return try reshape(target)
    }

    /// Reorders the axes: result axis i is input axis `order[i]`. A view.
    public func permute(_ order: [Int]) throws -> Tensor {
        guard order.count == rank else {
            throw TensorError.invalidArgument(op: "permute", "order \(shapeString(order)) must list all \(rank) axes")
        }
        let resolved = try order.map { try Tensor.normalizeAxis($0, rank: rank, op: "permute") }
        guard Set(resolved).count == rank else {
            throw TensorError.invalidArgument(op: "permute", "order \(shapeString(order)) repeats an axis")
        }
        let output = permuteView(resolved)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, axis) in resolved.enumerated() { inverse[axis] = i }
        return recordOp("permute", output, [self]) { g in [try g.permute(inverse)] }
    }

    /// A permuted view without autograd or validation (`order` is a valid permutation).
    func permuteView(_ order: [Int]) -> Tensor {
        view(shape: order.map { shape[$0] }, strides: order.map { strides[$0] }, offset: offset)
    }

    /// Swaps two axes (default: the last two). A view.
    public func transpose(_ a: Int = -2, _ b: Int = -1) throws -> Tensor {
        // Like PyTorch's `t()`, the default transpose of a vector or scalar is itself.
        if rank < 2 && a == -2 && b == -1 { return self }
        let x = try Tensor.normalizeAxis(a, rank: rank, op: "transpose")
        let y = try Tensor.normalizeAxis(b, rank: rank, op: "transpose")
        var order = Array(0..<rank)
        order.swapAt(x, y)
        return try permute(order)
    }
}
