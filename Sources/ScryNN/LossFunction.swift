import ScryTensor

/// A loss chosen by name, as GaNDLF's `loss_function` names them (with its aliases) plus the
/// PyTorch losses Scry adds: `LossFunction("dcce")(prediction, target)`.
public struct LossFunction {
    public struct Options {
        public var segmentation = SegmentationLosses.Options()
        public var reduction: LossReduction = .mean
        /// cel's ignored class index and label smoothing.
        public var ignoreIndex: Int?
        public var labelSmoothing: Double = 0
        /// mse's and l1's factor on the target (GaNDLF's `scaling_factor`).
        public var scalingFactor: Double = 1
        /// smooth_l1's threshold.
        public var beta: Double = 1
        /// bce_logits's weight of positive targets.
        public var positiveWeight: Tensor?
        public init() {}
    }

    /// Every accepted name: GaNDLF's keys and aliases first, then Scry's additions.
    public static let names: [String: String] = [
        "dc": "dc", "dice": "dc", "dc_log": "dc_log", "dclog": "dc_log", "dice_log": "dc_log", "dicelog": "dc_log",
        "mcc": "mcc", "mathews": "mcc", "mcc_log": "mcc_log", "mcclog": "mcc_log", "mathews_log": "mcc_log",
        "tversky": "tversky", "focal": "focal", "dc_focal": "dc_focal", "dcce": "dcce", "dcce_logits": "dcce_logits",
        "ce": "ce", "cel": "cel", "mse": "mse", "l1": "l1", "kld": "kld",
        "bce": "ce", "bce_logits": "bce_logits", "cross_entropy": "cel", "smooth_l1": "smooth_l1", "kl_div": "kl_div",
    ]

    /// The canonical key (`dice` → `dc`).
    public let key: String
    public let options: Options

    public init(_ name: String, options: Options = Options()) throws {
        guard let key = LossFunction.names[name.lowercased()] else {
            throw TensorError.invalidArgument(op: "loss", "unknown loss \"\(name)\"; known: \(LossFunction.names.keys.sorted().joined(separator: ", "))")
        }
        self.key = key
        self.options = options
    }

    public func callAsFunction(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
        let o = options, s = options.segmentation
        switch key {
        case "dc": return try SegmentationLosses.dice(prediction, target, s)
        case "dc_log": return try SegmentationLosses.logDice(prediction, target, s)
        case "mcc": return try SegmentationLosses.mcc(prediction, target, s)
        case "mcc_log": return try SegmentationLosses.logMCC(prediction, target, s)
        case "tversky": return try SegmentationLosses.tversky(prediction, target, s)
        case "focal": return try SegmentationLosses.focal(prediction, target, s)
        case "dc_focal": return try SegmentationLosses.diceFocal(prediction, target, s)
        case "dcce": return try SegmentationLosses.diceCrossEntropy(prediction, target, s)
        case "dcce_logits": return try SegmentationLosses.diceCrossEntropyLogits(prediction, target, s)
        case "ce": return try SegmentationLosses.binaryCrossEntropy(prediction, target.to(.float32), reduction: o.reduction)
        case "cel": return try crossEntropy(prediction, target)
        case "mse": return try columnwise(prediction, target) { try Losses.meanSquaredError($0, $1, reduction: o.reduction) }
        case "l1":
            let loss = try columnwise(prediction, target) { try Losses.l1($0, $1, reduction: o.reduction) }
            // GaNDLF divides a single sample's loss by its number of outputs.
            return prediction.shape.first == 1 && prediction.rank >= 2 ? try loss / Double(prediction.shape[1]) : loss
        case "kld": return try kullbackLeibler(mu: prediction, logVariance: target)
        case "bce_logits": return try Losses.binaryCrossEntropyWithLogits(prediction, target, posWeight: o.positiveWeight, reduction: o.reduction)
        case "smooth_l1": return try Losses.smoothL1(prediction, target, beta: o.beta, reduction: o.reduction)
        default: return try Losses.klDivergence(prediction, target, batchMean: o.reduction == .mean)
        }
    }

    /// GaNDLF's cel: class indices ([N] or [N, 1]) or one-hot/soft targets of the logits' shape.
    private func crossEntropy(_ logits: Tensor, _ target: Tensor) throws -> Tensor {
        let weights = try options.segmentation.penaltyWeights.map { try Tensor(flat: $0, shape: [$0.count]) }
        if target.dtype == .float32 && target.shape == logits.shape {
            let classShape = logits.shape.indices.map { $0 == 1 ? logits.shape[1] : 1 }
            let weighted = try weights.map { try logits.logSoftmax(axis: 1) * $0.reshape(classShape) } ?? logits.logSoftmax(axis: 1)
            return try options.reduction.apply((target * weighted).sum(axes: [1]).neg())
        }
        var indices = try target.to(.int64)
        if indices.rank == logits.rank, indices.shape[1] == 1 { indices = try indices.squeeze(axes: [1]) }
        return try Losses.crossEntropy(logits, indices, weight: weights, ignoreIndex: options.ignoreIndex,
                                       labelSmoothing: options.labelSmoothing, reduction: options.reduction)
    }

    /// GaNDLF's regression losses: over a batch, the mean of each output column's loss; a
    /// single sample, the loss of the whole tensor. The target is scaled first.
    private func columnwise(_ p: Tensor, _ t: Tensor, _ loss: (Tensor, Tensor) throws -> Tensor) throws -> Tensor {
        guard p.shape == t.shape else {
            throw TensorError.shapeMismatch(op: key, "prediction \(shapeString(p.shape)) and target \(shapeString(t.shape)) differ")
        }
        let target = try t.to(.float32) * options.scalingFactor
        guard p.rank >= 2, p.shape[0] > 1 else { return try loss(p, target) }
        let columns = try (0..<p.shape[1]).map { try loss(p.index([.all, .at($0)]), target.index([.all, .at($0)])) }
        return try columns.dropFirst().reduce(columns[0]) { try $0 + $1 } / Double(columns.count)
    }

    /// The KL divergence of N(μ, e^logvar) from N(0, 1), summed over the last axis and averaged
    /// over the rest, as a VAE's latent loss.
    private func kullbackLeibler(mu: Tensor, logVariance: Tensor) throws -> Tensor {
        try ((1 + logVariance - mu * mu - logVariance.exp()).sum(axes: [-1]) * -0.5).mean()
    }
}
