extension Tensor {
    /// NumPy's broadcasting rule: shapes align on the right; each pair of sizes must be equal
    /// or one of them 1.
    public static func broadcastShape(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard x == y || x == 1 || y == 1 else {
                throw TensorError.shapeMismatch(op: op, "shapes \(shapeString(a)) and \(shapeString(b)) cannot be broadcast together (axis \(i - rank): \(x) vs \(y))")
            }
            result[i] = x == 1 ? y : x
        }
        return result
    }

    /// This tensor's strides when viewed as `shape` (0 on broadcast axes); `shape` must be a
    /// valid broadcast of this tensor's shape.
    func broadcastStrides(to target: [Int]) -> [Int] {
        var result = [Int](repeating: 0, count: target.count)
        let lead = target.count - rank
        for axis in 0..<rank where shape[axis] != 1 {
            result[lead + axis] = strides[axis]
        }
        return result
    }

    /// A view broadcast to `shape` without copying (NumPy's broadcast_to, PyTorch's expand).
    /// Differentiable: the gradient is summed back to this tensor's shape.
    public func expand(_ target: [Int]) throws -> Tensor {
        if target == shape { return self }
        let result = try Tensor.broadcastShape(shape, target, op: "expand")
        guard result == target else {
            throw TensorError.shapeMismatch(op: "expand", "cannot expand shape \(shapeString(shape)) to \(shapeString(target))")
        }
        try Tensor.checkShape(target, op: "expand")
        let sourceShape = shape
        let output = view(shape: target, strides: broadcastStrides(to: target), offset: offset)
        return recordOp("expand", output, [self]) { g in [try g.sum(toShape: sourceShape)] }
    }

    /// Sums a broadcast gradient back down to `target`, the shape before broadcasting.
    func sum(toShape target: [Int]) throws -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        var axes = Array(0..<lead)
        for axis in target.indices where target[axis] == 1 && shape[lead + axis] != 1 {
            axes.append(lead + axis)
        }
        return try sum(axes: axes, keepDims: true).reshape(target)
    }
}
