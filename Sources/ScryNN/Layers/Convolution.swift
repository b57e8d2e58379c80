import ScryTensor

/// Weights drawn as PyTorch initialises convolutions and linear layers (Kaiming uniform with
/// a = √5, which comes to U(−1/√fan_in, 1/√fan_in)), so fresh models train alike.
func initialWeights(_ shape: [Int], fanIn: Int) throws -> Tensor {
    let bound = 1 / Double(fanIn).squareRoot()
    return try Tensor.rand(shape) * (2 * bound) - bound
}

extension Module {
    /// A weight of `shape` and an optional bias of `outChannels`, drawn as PyTorch draws them;
    /// the fan-in is the weight's second axis times its kernel (PyTorch's rule for both
    /// convolutions and transposed convolutions).
    func registerWeights(_ shape: [Int], outChannels: Int, bias: Bool) throws {
        let fanIn = shape.dropFirst().reduce(1, *)
        try register(parameter: "weight", initialWeights(shape, fanIn: fanIn))
        if bias { try register(parameter: "bias", initialWeights([outChannels], fanIn: fanIn)) }
    }
}

/// `Conv1d`/`Conv2d`/`Conv3d`: weight [out, in/groups, …kernel] and an optional bias.
public final class Conv: Module {
    public let stride: [Int], padding: ConvPadding, dilation: [Int], groups: Int

    public init(dimensions: Int, inChannels: Int, outChannels: Int, kernel: [Int], stride: [Int] = [1],
                padding: ConvPadding = .explicit([0]), dilation: [Int] = [1], groups: Int = 1, bias: Bool = true) throws {
        let kernelSize = try Conv.checked("conv", dimensions, inChannels, outChannels, groups, kernel)
        self.stride = stride; self.padding = padding; self.dilation = dilation; self.groups = groups
        super.init("Conv\(dimensions)d")
        try registerWeights([outChannels, inChannels / groups] + kernelSize, outChannels: outChannels, bias: bias)
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        let weight = parameter("weight")!
        return try x.planar(dimensions: weight.rank - 2) { x in
            try Tensor.conv(x, weight: weight, bias: parameter("bias"), stride: stride, padding: padding, dilation: dilation, groups: groups)
        }
    }

    /// Checks a convolution layer's settings; returns the kernel size per axis.
    static func checked(_ op: String, _ dimensions: Int, _ inChannels: Int, _ outChannels: Int, _ groups: Int, _ kernel: [Int]) throws -> [Int] {
        guard (1...3).contains(dimensions) else { throw TensorError.invalidArgument(op: op, "dimension must be 1, 2 or 3, got \(dimensions)") }
        guard inChannels >= 1, outChannels >= 1 else {
            throw TensorError.invalidArgument(op: op, "in_channels and out_channels must be positive, got \(inChannels) and \(outChannels)")
        }
        guard groups > 0, inChannels % groups == 0, outChannels % groups == 0 else {
            throw TensorError.invalidArgument(op: op, "groups (\(groups)) must divide in_channels (\(inChannels)) and out_channels (\(outChannels))")
        }
        return try expand(kernel, dimensions, "kernel_size")
    }

    static func expand(_ values: [Int], _ dimensions: Int, _ name: String) throws -> [Int] {
        if values.count == 1 { return Array(repeating: values[0], count: dimensions) }
        guard values.count == dimensions else {
            throw TensorError.invalidArgument(op: "conv", "\(name) needs 1 or \(dimensions) values, got \(values.count)")
        }
        return values
    }
}

/// `ConvTranspose2d`/`ConvTranspose3d`: weight [in, out/groups, …kernel] and an optional bias.
public final class ConvTranspose: Module {
    public let stride: [Int], padding: [Int], outputPadding: [Int], groups: Int

    public init(dimensions: Int, inChannels: Int, outChannels: Int, kernel: [Int], stride: [Int] = [1],
                padding: [Int] = [0], outputPadding: [Int] = [0], groups: Int = 1, bias: Bool = true) throws {
        let kernelSize = try Conv.checked("conv_transpose", dimensions, inChannels, outChannels, groups, kernel)
        self.stride = stride; self.padding = padding; self.outputPadding = outputPadding; self.groups = groups
        super.init("ConvTranspose\(dimensions)d")
        try registerWeights([inChannels, outChannels / groups] + kernelSize, outChannels: outChannels, bias: bias)
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        let weight = parameter("weight")!
        return try x.planar(dimensions: weight.rank - 2) { x in
            try Tensor.convTranspose(x, weight: weight, bias: parameter("bias"), stride: stride, padding: padding,
                                     outputPadding: outputPadding, groups: groups)
        }
    }
}

/// `Linear`: y = x·Wᵀ + b over the last axis; weight [out, in].
public final class Linear: Module {
    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true) throws {
        guard inFeatures >= 1, outFeatures >= 1 else {
            throw TensorError.invalidArgument(op: "linear", "in_features and out_features must be positive, got \(inFeatures) and \(outFeatures)")
        }
        super.init("Linear")
        try register(parameter: "weight", initialWeights([outFeatures, inFeatures], fanIn: inFeatures))
        if bias { try register(parameter: "bias", initialWeights([outFeatures], fanIn: inFeatures)) }
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        try Tensor.linear(x, weight: parameter("weight")!, bias: parameter("bias"))
    }
}
