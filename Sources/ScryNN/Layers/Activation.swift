import ScryTensor

/// A parameter-free activation as a layer (`ReLU`, `LeakyReLU`, `Softmax`…), so that it has a
/// name, hooks and a replaceable backward rule.
public final class Activation: Module {
    public enum Kind: Equatable, Sendable {
        case relu, leakyRelu(slope: Double), elu(alpha: Double), gelu, silu, sigmoid, tanh
        case softmax(axis: Int), logSoftmax(axis: Int)

        var typeName: String {
            switch self {
            case .relu: "ReLU"
            case .leakyRelu: "LeakyReLU"
            case .elu: "ELU"
            case .gelu: "GELU"
            case .silu: "SiLU"
            case .sigmoid: "Sigmoid"
            case .tanh: "Tanh"
            case .softmax: "Softmax"
            case .logSoftmax: "LogSoftmax"
            }
        }
    }
    public let kind: Kind

    public init(_ kind: Kind) {
        self.kind = kind
        super.init(kind.typeName)
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        switch kind {
        case .relu: try x.relu()
        case .leakyRelu(let slope): try x.leakyRelu(slope: slope)
        case .elu(let alpha): try x.elu(alpha: alpha)
        case .gelu: try x.gelu()
        case .silu: try x.silu()
        case .sigmoid: try x.sigmoid()
        case .tanh: try x.tanh()
        case .softmax(let axis): try x.softmax(axis: axis)
        case .logSoftmax(let axis): try x.logSoftmax(axis: axis)
        }
    }
}

/// `PReLU`: a leaky ReLU whose slope is learnt, one shared or one per channel.
public final class PReLU: Module {
    public init(parameters: Int = 1, initial: Double = 0.25) throws {
        super.init("PReLU")
        try register(parameter: "weight", Tensor.full([parameters], initial))
    }

    public override func forward(_ x: Tensor) throws -> Tensor { try x.prelu(parameter("weight")!) }
}

/// `Dropout` (elements) or `Dropout1d/2d/3d` (whole channels), active in training mode only.
public final class Dropout: Module {
    public let p: Double, channelWise: Bool

    public init(p: Double, dimensions: Int? = nil) throws {
        guard (0...1).contains(p) else { throw TensorError.invalidArgument(op: "dropout", "p must be in [0, 1], got \(p)") }
        self.p = p; channelWise = dimensions != nil
        super.init(dimensions.map { "Dropout\($0)d" } ?? "Dropout")
    }

    public override func forward(_ x: Tensor) throws -> Tensor { try x.dropout(p: p, training: isTraining, channelWise: channelWise) }
}

/// `Upsample`: to a size or by a scale, nearest or (bi/tri)linear.
public final class Upsample: Module {
    public let size: [Int]?, scale: [Double]?, mode: UpsampleMode, alignCorners: Bool
    /// The spatial axes it resamples (nil: all of its input's); 2 keeps [N, C, x, y, 1] planar.
    public let dimensions: Int?

    public init(size: [Int]? = nil, scale: [Double]? = nil, mode: UpsampleMode = .nearest, alignCorners: Bool = false, dimensions: Int? = nil) {
        self.size = size; self.scale = scale; self.mode = mode; self.alignCorners = alignCorners
        self.dimensions = dimensions ?? [size?.count, scale?.count].compactMap { $0 }.first { $0 > 1 }
        super.init("Upsample")
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        try x.planar(dimensions: dimensions) { try Tensor.upsample($0, size: size, scale: scale, mode: mode, alignCorners: alignCorners) }
    }
}

/// `Flatten`: axes from `start` (default 1, keeping the batch) to the last joined into one.
public final class Flatten: Module {
    public let start: Int

    public init(start: Int = 1) {
        self.start = start
        super.init("Flatten")
    }

    public override func forward(_ x: Tensor) throws -> Tensor { try x.flatten(start: start) }
}

/// `Identity`: returns its input (a placeholder where a configuration turns a layer off).
public final class Identity: Module {
    public init() { super.init("Identity") }
    public override func forward(_ x: Tensor) throws -> Tensor { x }
}
