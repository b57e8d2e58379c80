import Foundation

/// How `upsample` interpolates: nearest neighbour, or (bi/tri)linear along every spatial axis.
public enum UpsampleMode: String, Sendable {
    case nearest, linear
}

extension Tensor {
    /// Resizes the spatial axes of [N, C, …] to `size` (or by `scale`): nearest, or linear along
    /// each axis in turn (bilinear in 2D, trilinear in 3D), with PyTorch's source coordinates
    /// (align_corners or half-pixel centres). Built from index_select and weights, so it is
    /// differentiable.
    public static func upsample(_ x: Tensor, size: [Int]? = nil, scale: [Double]? = nil, mode: UpsampleMode = .nearest,
                                alignCorners: Bool = false) throws -> Tensor {
        let op = "upsample"
        let d = x.rank - 2
        guard (1...3).contains(d) else {
            throw TensorError.shapeMismatch(op: op, "input \(shapeString(x.shape)) must be [N, C, …spatial] with 1 to 3 spatial axes")
        }
        let input = Array(x.shape[2...])
        var targets: [Int]
        if let size {
            targets = size.count == 1 ? [Int](repeating: size[0], count: d) : size
        } else if let scale {
            let factors = scale.count == 1 ? [Double](repeating: scale[0], count: d) : scale
            guard factors.count == d, factors.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw TensorError.invalidArgument(op: op, "scale \(factors) must have one positive value or \(d)")
            }
            targets = zip(input, factors).map { Int((Double($0) * $1).rounded(.down)) }
        } else {
            throw TensorError.invalidArgument(op: op, "give a size or a scale")
        }
        guard targets.count == d, targets.allSatisfy({ $0 >= 1 }) else {
            throw TensorError.invalidArgument(op: op, "size \(shapeString(targets)) must have one positive value or \(d)")
        }
        try checkShape(Array(x.shape[..<2]) + targets, op: op)
        var result = x.dtype == .float32 ? x : try x.to(.float32)
        for (offset, (inSize, outSize)) in zip(input, targets).enumerated() where inSize != outSize || mode == .linear {
            let axis = 2 + offset
            let ratio = Double(inSize) / Double(outSize)
            if mode == .nearest {
                let picks = (0..<outSize).map { Swift.min(Int((Double($0) * ratio).rounded(.down)), inSize - 1) }
                result = try result.indexSelect(axis: axis, indices: Tensor(flat: picks.map(Double.init), shape: [outSize], dtype: .int64))
                continue
            }
            var low: [Double] = [], high: [Double] = [], weights: [Double] = []
            for i in 0..<outSize {
                var source = alignCorners ? (outSize > 1 ? Double(i) * Double(inSize - 1) / Double(outSize - 1) : 0)
                                          : (Double(i) + 0.5) * ratio - 0.5
                source = Swift.max(source, 0)
                let i0 = Swift.min(Int(source.rounded(.down)), inSize - 1)
                low.append(Double(i0))
                high.append(Double(Swift.min(i0 + 1, inSize - 1)))
                weights.append(source - Double(i0))
            }
            var weightShape = [Int](repeating: 1, count: x.rank)
            weightShape[axis] = outSize
            let w1 = try Tensor(flat: weights, shape: weightShape)
            let a = try result.indexSelect(axis: axis, indices: Tensor(flat: low, shape: [outSize], dtype: .int64))
            let b = try result.indexSelect(axis: axis, indices: Tensor(flat: high, shape: [outSize], dtype: .int64))
            result = try a * (1 - w1) + b * w1
        }
        return result
    }
}
