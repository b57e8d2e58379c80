import ScryTensor

/// `MaxPool2d/3d` and `AvgPool2d/3d`.
public final class Pool: Module {
    public enum Kind: Sendable { case max, average(countIncludePad: Bool) }
    public let kind: Kind, dimensions: Int, kernel: [Int], stride: [Int]?, padding: [Int]

    public init(_ kind: Kind, dimensions: Int, kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0]) {
        self.kind = kind; self.dimensions = dimensions; self.kernel = kernel; self.stride = stride; self.padding = padding
        if case .max = kind { super.init("MaxPool\(dimensions)d") } else { super.init("AvgPool\(dimensions)d") }
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        try x.planar(dimensions: dimensions) { x in
            switch kind {
            case .max: return try Tensor.maxPool(x, kernel: kernel, stride: stride, padding: padding).values
            case .average(let include):
                return try Tensor.avgPool(x, kernel: kernel, stride: stride, padding: padding, countIncludePad: include)
            }
        }
    }
}

/// `AdaptiveAvgPool2d/3d` to a fixed output size.
public final class AdaptiveAvgPool: Module {
    public let dimensions: Int, size: [Int]

    public init(dimensions: Int, size: [Int]) {
        self.dimensions = dimensions; self.size = size
        super.init("AdaptiveAvgPool\(dimensions)d")
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        try x.planar(dimensions: dimensions) { try Tensor.adaptiveAvgPool($0, size: size) }
    }
}

/// Global average or max pooling over every spatial axis: [N, C, …] → [N, C].
public final class GlobalPool: Module {
    public let useMax: Bool

    public init(max useMax: Bool) {
        self.useMax = useMax
        super.init(useMax ? "GlobalMaxPool" : "GlobalAvgPool")
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        guard x.rank >= 3 else { throw TensorError.shapeMismatch(op: typeName, "input \(shapeString(x.shape)) needs spatial axes") }
        let axes = Array(2..<x.rank)
        return useMax ? try x.max(axes: axes) : try x.mean(axes: axes)
    }
}
