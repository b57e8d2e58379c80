import ScryTensor

/// `BatchNorm1d/2d/3d`: batch statistics in training (moving the running mean and variance by
/// `momentum`), running statistics in eval; buffers named as PyTorch names them.
public final class BatchNorm: Module {
    public let eps: Double, momentum: Double

    public init(dimensions: Int, features: Int, eps: Double = 1e-5, momentum: Double = 0.1, affine: Bool = true) throws {
        guard features >= 1 else { throw TensorError.invalidArgument(op: "batchnorm", "features must be positive, got \(features)") }
        self.eps = eps; self.momentum = momentum
        super.init("BatchNorm\(dimensions)d")
        if affine {
            try register(parameter: "weight", Tensor.ones([features]))
            try register(parameter: "bias", Tensor.zeros([features]))
        }
        register(buffer: "running_mean", try Tensor.zeros([features]))
        register(buffer: "running_var", try Tensor.ones([features]))
        register(buffer: "num_batches_tracked", Tensor(scalar: Int64(0)))
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        let result = try Tensor.batchNorm(x, runningMean: buffer("running_mean"), runningVar: buffer("running_var"),
                                          weight: parameter("weight"), bias: parameter("bias"), training: isTraining,
                                          momentum: momentum, eps: eps)
        if isTraining {
            if let mean = result.runningMean { try assign(buffer: "running_mean", mean) }
            if let variance = result.runningVar { try assign(buffer: "running_var", variance) }
            let batches = try buffer("num_batches_tracked")!.item()
            try assign(buffer: "num_batches_tracked", Tensor(scalar: Int64(batches) + 1))
        }
        return result.output
    }
}

/// `InstanceNorm1d/2d/3d`: each sample's channels over their spatial axes; affine optional
/// (off by default, as in PyTorch). With `trackRunningStats` (as GaNDLF's models build it) the
/// layer keeps running statistics, moved in training by the batch mean of each instance's mean
/// and unbiased variance, and normalises with them in eval, as PyTorch does (whose instance norm
/// registers `num_batches_tracked` but never counts).
public final class InstanceNorm: Module {
    public let eps: Double, momentum: Double

    public init(dimensions: Int, features: Int, eps: Double = 1e-5, momentum: Double = 0.1, affine: Bool = false,
                trackRunningStats: Bool = false) throws {
        guard features >= 1 else { throw TensorError.invalidArgument(op: "instancenorm", "features must be positive, got \(features)") }
        self.eps = eps; self.momentum = momentum
        super.init("InstanceNorm\(dimensions)d")
        if affine {
            try register(parameter: "weight", Tensor.ones([features]))
            try register(parameter: "bias", Tensor.zeros([features]))
        }
        if trackRunningStats {
            register(buffer: "running_mean", try Tensor.zeros([features]))
            register(buffer: "running_var", try Tensor.ones([features]))
            register(buffer: "num_batches_tracked", Tensor(scalar: Int64(0)))
        }
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        guard let runningMean = buffer("running_mean"), let runningVar = buffer("running_var") else {
            return try Tensor.instanceNorm(x, weight: parameter("weight"), bias: parameter("bias"), eps: eps)
        }
        if !isTraining {
            return try Tensor.batchNorm(x, runningMean: runningMean, runningVar: runningVar, weight: parameter("weight"),
                                        bias: parameter("bias"), training: false, eps: eps).output
        }
        let flat = try x.detach().reshape([x.shape[0], x.shape[1], -1])
        try assign(buffer: "running_mean", try runningMean * (1 - momentum) + (try flat.mean(axis: 2).mean(axis: 0)) * momentum)
        try assign(buffer: "running_var", try runningVar * (1 - momentum) + (try flat.variance(axes: [2]).mean(axis: 0)) * momentum)
        return try Tensor.instanceNorm(x, weight: parameter("weight"), bias: parameter("bias"), eps: eps)
    }
}

/// `GroupNorm`: channels split into groups, each normalised with its spatial axes.
public final class GroupNorm: Module {
    public let groups: Int, eps: Double

    public init(groups: Int, channels: Int, eps: Double = 1e-5, affine: Bool = true) throws {
        guard groups >= 1, channels % groups == 0 else {
            throw TensorError.invalidArgument(op: "groupnorm", "groups (\(groups)) must divide channels (\(channels))")
        }
        self.groups = groups; self.eps = eps
        super.init("GroupNorm")
        if affine {
            try register(parameter: "weight", Tensor.ones([channels]))
            try register(parameter: "bias", Tensor.zeros([channels]))
        }
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        try Tensor.groupNorm(x, groups: groups, weight: parameter("weight"), bias: parameter("bias"), eps: eps)
    }
}

/// `LayerNorm` over the trailing axes of `shape`, with an elementwise affine of that shape.
public final class LayerNorm: Module {
    public let normalizedShape: [Int], eps: Double

    public init(shape: [Int], eps: Double = 1e-5, affine: Bool = true) throws {
        normalizedShape = shape; self.eps = eps
        super.init("LayerNorm")
        if affine {
            try register(parameter: "weight", Tensor.ones(shape))
            try register(parameter: "bias", Tensor.zeros(shape))
        }
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        guard x.rank >= normalizedShape.count, Array(x.shape.suffix(normalizedShape.count)) == normalizedShape else {
            throw TensorError.shapeMismatch(op: "layernorm", "input \(shapeString(x.shape)) must end in \(shapeString(normalizedShape))")
        }
        return try Tensor.layerNorm(x, normalizedAxes: normalizedShape.count, weight: parameter("weight"), bias: parameter("bias"), eps: eps)
    }
}
