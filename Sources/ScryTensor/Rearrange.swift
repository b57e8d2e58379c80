extension Tensor {
    /// Pads with a constant: `widths[i]` is (before, after) for axis i, counted from the
    /// first axis; missing trailing entries mean no padding.
    public func pad(_ widths: [(before: Int, after: Int)], value: Double = 0) throws -> Tensor {
        guard widths.count <= rank else {
            throw TensorError.invalidArgument(op: "pad", "\(widths.count) padding pairs given for a tensor of rank \(rank)")
        }
        if let bad = widths.firstIndex(where: { $0.before < 0 || $0.after < 0 }) {
            throw TensorError.invalidArgument(op: "pad", "padding widths must be non-negative (axis \(bad): \(widths[bad]))")
        }
        let all = widths + [(before: Int, after: Int)](repeating: (0, 0), count: rank - widths.count)
        let outShape = try shape.indices.map { axis in
            let (partial, o1) = shape[axis].addingReportingOverflow(all[axis].before)
            let (total, o2) = partial.addingReportingOverflow(all[axis].after)
            if o1 || o2 { throw TensorError.invalidArgument(op: "pad", "padding of axis \(axis) is too large") }
            return total
        }
        let result = try Tensor.full(outShape, value, dtype: dtype)
        let interior = shape.indices.map { TensorIndex.slice(start: all[$0].before, stop: all[$0].before + shape[$0], step: 1) }
        copyElements(into: try result.index(interior))
        return recordOp("pad", result, [self]) { g in [try g.index(interior)] }
    }

    /// Tiles the tensor `counts[i]` times along axis i (PyTorch's `repeat`); extra leading
    /// counts add new axes.
    public func `repeat`(_ counts: [Int]) throws -> Tensor {
        guard counts.count >= rank else {
            throw TensorError.invalidArgument(op: "repeat", "\(counts.count) counts given for a tensor of rank \(rank); need at least \(rank)")
        }
        if let bad = counts.first(where: { $0 < 0 }) {
            throw TensorError.invalidArgument(op: "repeat", "counts must be non-negative, got \(bad)")
        }
        var result = try reshape([Int](repeating: 1, count: counts.count - rank) + shape)
        let outShape = try zip(counts, result.shape).map { count, size in
            let (total, overflow) = count.multipliedReportingOverflow(by: size)
            if overflow { throw TensorError.invalidArgument(op: "repeat", "counts \(shapeString(counts)) make a tensor too large") }
            return total
        }
        try Tensor.checkShape(outShape, op: "repeat")
        if outShape.contains(0) { return try Tensor.zeros(outShape, dtype: dtype) }
        // Probe for the memory first: the doubling below reaches the size step by step.
        _ = try Storage.allocate(byteCount: outShape.reduce(1, *) * dtype.byteSize * 2)
        // Tiling by doubling: log2(count) concatenations per axis, whatever the count.
        for (axis, count) in counts.enumerated() where count > 1 {
            var parts: [Tensor] = []
            var piece = result, remaining = count
            while remaining > 0 {
                if remaining & 1 == 1 { parts.append(piece) }
                remaining >>= 1
                if remaining > 0 { piece = try Tensor.concat([piece, piece], axis: axis) }
            }
            result = parts.count == 1 ? parts[0] : try Tensor.concat(parts, axis: axis)
        }
        return result
    }

    /// Reverses the order of elements along `axes`. A view (negative strides).
    public func flip(_ axes: [Int]) throws -> Tensor {
        let resolved = try Tensor.normalizeAxes(axes, rank: rank, op: "flip")
        var newStrides = strides
        var position = offset
        for axis in resolved where shape[axis] > 0 {
            position += (shape[axis] - 1) * strides[axis]
            newStrides[axis] = -strides[axis]
        }
        let output = view(shape: shape, strides: newStrides, offset: position)
        return recordOp("flip", output, [self]) { g in [try g.flip(resolved)] }
    }
}
