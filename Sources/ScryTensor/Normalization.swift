extension Tensor {
    /// (x − mean) / √(var + eps) over `axes`, then an optional per-channel affine (axis 1).
    func normalized(over axes: [Int], eps: Double, weight: Tensor?, bias: Tensor?, channelAxis: Int = 1) throws -> Tensor {
        let mean = try self.mean(axes: axes, keepDims: true)
        let centered = try self - mean
        let variance = try (centered * centered).mean(axes: axes, keepDims: true)
        var y = try centered * (variance + eps).rsqrt()
        let affineShape = shape.indices.map { $0 == channelAxis ? shape[$0] : 1 }
        if let weight { y = try y * weight.reshape(affineShape) }
        if let bias { y = try y + bias.reshape(affineShape) }
        return y
    }

    private func checkChannels(_ t: Tensor?, _ name: String, _ op: String) throws {
        guard let t else { return }
        guard rank >= 2, t.shape == [shape[1]] else {
            throw TensorError.shapeMismatch(op: op, "\(name) \(shapeString(t.shape)) must be [\(rank >= 2 ? shape[1] : 0)] for input \(shapeString(shape))")
        }
    }

    /// Batch normalisation over [N, C, …]: in training, batch statistics (biased variance)
    /// normalise, and the running statistics move by `momentum` toward them (with the
    /// unbiased variance, as PyTorch does); in eval, the running statistics normalise.
    public static func batchNorm(_ x: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor?, bias: Tensor?,
                                 training: Bool, momentum: Double = 0.1, eps: Double = 1e-5) throws -> (output: Tensor, runningMean: Tensor?, runningVar: Tensor?) {
        try x.checkChannels(weight, "weight", "batch_norm"); try x.checkChannels(bias, "bias", "batch_norm")
        try x.checkChannels(runningMean, "running mean", "batch_norm"); try x.checkChannels(runningVar, "running var", "batch_norm")
        let axes = [0] + Array(2..<x.rank)
        let statsShape = x.shape.indices.map { $0 == 1 ? x.shape[1] : 1 }
        if !training {
            guard let runningMean, let runningVar else {
                throw TensorError.invalidArgument(op: "batch_norm", "eval mode needs running statistics")
            }
            var y = try (x - runningMean.reshape(statsShape)) * (runningVar.reshape(statsShape) + eps).rsqrt()
            if let weight { y = try y * weight.reshape(statsShape) }
            if let bias { y = try y + bias.reshape(statsShape) }
            return (y, runningMean, runningVar)
        }
        let count = axes.map { x.shape[$0] }.reduce(1, *)
        guard count > 1 else {
            throw TensorError.invalidArgument(op: "batch_norm", "training needs more than one value per channel, got input \(shapeString(x.shape))")
        }
        let y = try x.normalized(over: axes, eps: eps, weight: weight, bias: bias)
        var newMean = runningMean, newVar = runningVar
        try withNoGrad {
            let mean = try x.mean(axes: axes).detach(), variance = try x.detach().variance(axes: axes, correction: 1)
            if let runningMean { newMean = try runningMean * (1 - momentum) + mean * momentum }
            if let runningVar { newVar = try runningVar * (1 - momentum) + variance * momentum }
        }
        return (y, newMean, newVar)
    }

    /// Instance normalisation: each sample's each channel over its spatial axes.
    public static func instanceNorm(_ x: Tensor, weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5) throws -> Tensor {
        try x.checkChannels(weight, "weight", "instance_norm"); try x.checkChannels(bias, "bias", "instance_norm")
        guard x.rank >= 3 else { throw TensorError.shapeMismatch(op: "instance_norm", "input \(shapeString(x.shape)) needs spatial axes") }
        return try x.normalized(over: Array(2..<x.rank), eps: eps, weight: weight, bias: bias)
    }

    /// Group normalisation: channels split into `groups`, each normalised with its spatial axes.
    public static func groupNorm(_ x: Tensor, groups: Int, weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5) throws -> Tensor {
        try x.checkChannels(weight, "weight", "group_norm"); try x.checkChannels(bias, "bias", "group_norm")
        guard x.rank >= 2, groups >= 1, x.shape[1] % groups == 0 else {
            throw TensorError.invalidArgument(op: "group_norm", "groups (\(groups)) must divide the channels of \(shapeString(x.shape))")
        }
        let grouped = try x.reshape([x.shape[0], groups, -1])
        let y = try grouped.normalized(over: [2], eps: eps, weight: nil, bias: nil).reshape(x.shape)
        let affineShape = x.shape.indices.map { $0 == 1 ? x.shape[1] : 1 }
        var result = y
        if let weight { result = try result * weight.reshape(affineShape) }
        if let bias { result = try result + bias.reshape(affineShape) }
        return result
    }

    /// Layer normalisation over the last `normalizedAxes` axes, with an optional elementwise
    /// affine of those axes' shape.
    public static func layerNorm(_ x: Tensor, normalizedAxes: Int, weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5) throws -> Tensor {
        guard normalizedAxes >= 1 && normalizedAxes <= x.rank else {
            throw TensorError.invalidArgument(op: "layer_norm", "cannot normalise the last \(normalizedAxes) axes of \(shapeString(x.shape))")
        }
        let axes = Array((x.rank - normalizedAxes)..<x.rank)
        let affine = Array(x.shape[(x.rank - normalizedAxes)...])
        for (t, name) in [(weight, "weight"), (bias, "bias")] where t != nil && t!.shape != affine {
            throw TensorError.shapeMismatch(op: "layer_norm", "\(name) \(shapeString(t!.shape)) must be \(shapeString(affine))")
        }
        var y = try x.normalized(over: axes, eps: eps, weight: nil, bias: nil)
        if let weight { y = try y * weight }
        if let bias { y = try y + bias }
        return y
    }
}
