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
        guard x.rank >= 2 else { throw TensorError.shapeMismatch(op: "batch_norm", "input \(shapeString(x.shape)) must be [N, C, …]") }
        if !training {
            guard let runningMean, let runningVar else {
                throw TensorError.invalidArgument(op: "batch_norm", "eval mode needs running statistics")
            }
            if runningMean.node != nil || runningVar.node != nil {
                // Only the composed form carries gradients to the statistics themselves.
                let statsShape = x.shape.indices.map { $0 == 1 ? x.shape[1] : 1 }
                var y = try (x - runningMean.reshape(statsShape)) * (runningVar.reshape(statsShape) + eps).rsqrt()
                if let weight { y = try y * weight.reshape(statsShape) }
                if let bias { y = try y + bias.reshape(statsShape) }
                return (y, runningMean, runningVar)
            }
            let y = try channelNorm(x, perSample: false, weight: weight, bias: bias, eps: eps,
                                    fixed: (runningMean.scalars(), runningVar.scalars())).output
            return (y, runningMean, runningVar)
        }
        let count = x.shape.enumerated().filter { $0.offset != 1 }.map(\.element).reduce(1, *)
        guard count > 1 else {
            throw TensorError.invalidArgument(op: "batch_norm", "training needs more than one value per channel, got input \(shapeString(x.shape))")
        }
        let (y, mean, variance) = try channelNorm(x, perSample: false, weight: weight, bias: bias, eps: eps, fixed: nil)
        var newMean = runningMean, newVar = runningVar
        try withNoGrad {
            let batchMean = try Tensor(mean.map { Float($0) }, shape: [mean.count])
            let unbiased = try Tensor(variance.map { Float($0 * Double(count) / Double(count - 1)) }, shape: [variance.count])
            if let runningMean { newMean = try runningMean * (1 - momentum) + batchMean * momentum }
            if let runningVar { newVar = try runningVar * (1 - momentum) + unbiased * momentum }
        }
        return (y, newMean, newVar)
    }

    /// Batch (statistics per channel) or instance (per sample and channel) normalisation of
    /// [N, C, …] in one fused op, with the batch's statistics or `fixed` ones (mean, variance per
    /// channel); returns the statistics used, the variance biased.
    private static func channelNorm(_ input: Tensor, perSample: Bool, weight: Tensor?, bias: Tensor?, eps: Double,
                                    fixed: (mean: [Double], variance: [Double])?) throws -> (output: Tensor, mean: [Double], variance: [Double]) {
        let x = try input.to(.float32).contiguous().detach()
        let w = try weight?.to(.float32).contiguous().detach(), b = try bias?.to(.float32).contiguous().detach()
        let layout = ChannelNorm(x.shape, perSample: perSample)
        let (mean, variance) = fixed ?? layout.statistics(x.floatPointer)
        let rstd = variance.map { 1 / ($0 + eps).squareRoot() }
        let y = try Tensor(uninitialized: x.shape, dtype: .float32)
        withExtendedLifetime((x, w, b)) {
            layout.normalize(x.floatPointer, y.floatPointer, mean: mean, rstd: rstd, weight: w?.floatPointer, bias: b?.floatPointer)
        }
        let inputs = [input] + [weight, bias].compactMap { $0 }
        let wantInputGradient = input.node != nil
        let output = record(perSample ? "instance_norm" : "batch_norm", y, inputs) { g in
            let dy = try g.contiguous()
            let dx = wantInputGradient ? try Tensor(uninitialized: x.shape, dtype: .float32) : nil
            let (dWeight, dBias) = withExtendedLifetime((dy, x, w)) {
                layout.backward(dy.floatPointer, x.floatPointer, mean: mean, rstd: rstd, weight: w?.floatPointer,
                                batchStatistics: fixed == nil, dx: dx?.floatPointer)
            }
            var result: [Tensor?] = [dx]
            if weight != nil { result.append(try Tensor(dWeight.map { Float($0) }, shape: [dWeight.count])) }
            if bias != nil { result.append(try Tensor(dBias.map { Float($0) }, shape: [dBias.count])) }
            return result
        }
        return (output, mean, variance)
    }

    /// Instance normalisation: each sample's each channel over its spatial axes.
    public static func instanceNorm(_ x: Tensor, weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5) throws -> Tensor {
        try x.checkChannels(weight, "weight", "instance_norm"); try x.checkChannels(bias, "bias", "instance_norm")
        guard x.rank >= 3 else { throw TensorError.shapeMismatch(op: "instance_norm", "input \(shapeString(x.shape)) needs spatial axes") }
        return try channelNorm(x, perSample: true, weight: weight, bias: bias, eps: eps, fixed: nil).output
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
