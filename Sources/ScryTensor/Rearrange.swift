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
        let outShape = shape.indices.map { shape[$0] + all[$0].before + all[$0].after }
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
        if counts.contains(0) {
            return try Tensor.zeros(zip(counts, result.shape).map { $0 * $1 }, dtype: dtype)
        }
        for (axis, count) in counts.enumerated() where count > 1 {
            result = try Tensor.concat([Tensor](repeating: result, count: count), axis: axis)
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
