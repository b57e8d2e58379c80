import ScryTensor

/// GaNDLF's segmentation losses, with its definitions (GANDLF/losses/segmentation.py and
/// hybrid.py, checked against GaNDLF itself in the tests): predictions are probabilities
/// [N, K, …] (the model's output after its final softmax or sigmoid), targets one-hot [N, K, …].
/// Scores are taken per class over the whole batch at once; the loss is their mean over classes,
/// or, with penalty weights, their weighted sum. docs/networks.md lists where GaNDLF's choices
/// differ from the textbook (no Dice smoothing, focal's axis, DCCE's re-encoded target).
public enum SegmentationLosses {
    /// Float32 machine epsilon, which GaNDLF adds inside logarithms and MCC's denominator.
    static let eps32 = Double(Float.ulpOfOne)

    public struct Options {
        /// Per-class weights (GaNDLF's `penalty_weights`): a weighted sum replaces the mean.
        public var penaltyWeights: [Double]?
        /// The label of each class channel (DCCE's second encoding); default 0, 1, 2…
        public var classList: [Double]?
        /// Focal loss's focusing exponent and whether it averages (else sums) each class's terms.
        public var gamma: Double = 2, sizeAverage = true
        /// Tversky's weights of false positives and false negatives.
        public var alpha: Double = 0.5, beta: Double = 0.5
        /// mean (over classes, or weighted), sum (over classes) or none (one loss per class).
        public var reduction: LossReduction = .mean

        public init(penaltyWeights: [Double]? = nil, classList: [Double]? = nil) {
            self.penaltyWeights = penaltyWeights; self.classList = classList
        }
    }

    static func check(_ p: Tensor, _ t: Tensor, _ op: String, _ options: Options) throws {
        guard p.rank >= 2, p.shape == t.shape, p.shape[1] >= 1 else {
            throw TensorError.shapeMismatch(op: op, "prediction \(shapeString(p.shape)) and one-hot target \(shapeString(t.shape)) must both be [N, K, …]")
        }
        if let weights = options.penaltyWeights, weights.count != p.shape[1] {
            throw TensorError.invalidArgument(op: op, "\(weights.count) penalty weights for \(p.shape[1]) classes")
        }
    }

    static func channel(_ x: Tensor, _ c: Int) throws -> Tensor { try x.index([.all, .at(c)]) }

    /// Per-class losses combined: weighted sum, mean, sum, or the vector itself.
    static func combine(_ losses: [Tensor], _ options: Options) throws -> Tensor {
        switch options.reduction {
        case .none: return try Tensor.stack(losses)
        case .sum: return try losses.dropFirst().reduce(losses[0]) { try $0 + $1 }
        case .mean:
            if let weights = options.penaltyWeights {
                return try zip(losses, weights).dropFirst().reduce(losses[0] * weights[0]) { try $0 + $1.0 * $1.1 }
            }
            return try losses.dropFirst().reduce(losses[0]) { try $0 + $1 } / Double(losses.count)
        }
    }

    static func perClass(_ p: Tensor, _ t: Tensor, _ options: Options, _ op: String,
                         _ loss: (Tensor, Tensor) throws -> Tensor) throws -> Tensor {
        try check(p, t, op, options)
        return try combine(try (0..<p.shape[1]).map { try loss(channel(p, $0), channel(t, $0)) }, options)
    }

    /// Dice of one class: 2·Σpt / (Σp + Σt), without smoothing (GaNDLF's constant underflows
    /// to 0 in float32, so a class absent from both gives NaN there too).
    static func dice(_ p: Tensor, _ t: Tensor) throws -> Tensor {
        try (p * t).sum() * 2 / (p.sum() + t.sum())
    }

    /// Matthews correlation of one class from soft counts.
    static func mcc(_ p: Tensor, _ t: Tensor) throws -> Tensor {
        let tp = try (p * t).sum(), fp = try (p * (1 - t)).sum(), fn = try ((1 - p) * t).sum(), tn = try ((1 - p) * (1 - t)).sum()
        let numerator = try tp * tn - fp * fn
        return try numerator / (((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)).sqrt() + eps32)
    }

    /// `dc`: 1 − Dice per class.
    public static func dice(_ p: Tensor, _ t: Tensor, _ options: Options = Options()) throws -> Tensor {
        try perClass(p, t, options, "dc") { try 1 - dice($0, $1) }
    }

    /// `dc_log`: −ln(Dice + ε) per class.
    public static func logDice(_ p: Tensor, _ t: Tensor, _ options: Options = Options()) throws -> Tensor {
        try perClass(p, t, options, "dc_log") { try (dice($0, $1) + eps32).log().neg() }
    }

    /// `mcc`: 1 − MCC per class.
    public static func mcc(_ p: Tensor, _ t: Tensor, _ options: Options = Options()) throws -> Tensor {
        try perClass(p, t, options, "mcc") { try 1 - mcc($0, $1) }
    }

    /// `mcc_log`: −ln(MCC + ε) per class.
    public static func logMCC(_ p: Tensor, _ t: Tensor, _ options: Options = Options()) throws -> Tensor {
        try perClass(p, t, options, "mcc_log") { try (mcc($0, $1) + eps32).log().neg() }
    }

    /// `tversky`: 1 − TP / (TP + α·FP + β·FN) per class (α = β = 0.5 is Dice, GaNDLF's fixed choice).
    public static func tversky(_ p: Tensor, _ t: Tensor, _ options: Options = Options()) throws -> Tensor {
        try perClass(p, t, options, "tversky") { p, t in
            let tp = try (p * t).sum(), fp = try (p * (1 - t)).sum(), fn = try ((1 - p) * t).sum()
            return try 1 - tp / (tp + fp * options.alpha + fn * options.beta)
        }
    }

    /// `focal`: per class, cross-entropy between the class map's softmax and its target taken
    /// along the first spatial axis (as GaNDLF's call to CrossEntropyLoss does), then
    /// (1 − e^−ce)^γ·ce averaged (or summed); the classes' terms are summed, or weighted.
    public static func focal(_ p: Tensor, _ t: Tensor, _ options: Options = Options()) throws -> Tensor {
        try check(p, t, "focal", options)
        guard p.rank >= 3 else { throw TensorError.shapeMismatch(op: "focal", "prediction \(shapeString(p.shape)) needs spatial axes") }
        let terms = try (0..<p.shape[1]).map { c -> Tensor in
            let x = try channel(p, c), y = try channel(t, c)
            let ce = try (y * x.logSoftmax(axis: 1)).sum(axes: [1]).neg()
            let f = try (1 - ce.neg().exp()).pow(options.gamma) * ce
            return options.sizeAverage ? try f.mean() : try f.sum()
        }
        return try combine(terms, summing(options))
    }

    /// `dc_focal`: Dice loss plus focal loss, both with the same weights.
    public static func diceFocal(_ p: Tensor, _ t: Tensor, _ options: Options = Options()) throws -> Tensor {
        try dice(p, t, options) + focal(p, t, options)
    }

    /// The binary targets of DCCE's cross-entropy: GaNDLF one-hot encodes the (already
    /// one-hot) target again from its first channel, so channel k is (t₀ == label k).
    static func reencoded(_ t: Tensor, _ options: Options) throws -> [Tensor] {
        let first = try channel(t, 0)
        let labels = options.classList ?? (0..<t.shape[1]).map(Double.init)
        guard labels.count == t.shape[1] else {
            throw TensorError.invalidArgument(op: "dcce", "class_list has \(labels.count) labels for \(t.shape[1]) classes")
        }
        return try labels.map { try first.eq($0).to(.float32) }
    }

    /// `dcce`: Dice loss plus the per-class binary cross-entropies (summed, or weighted).
    public static func diceCrossEntropy(_ p: Tensor, _ t: Tensor, _ options: Options = Options()) throws -> Tensor {
        try check(p, t, "dcce", options)
        let targets = try reencoded(t, options)
        let terms = try targets.enumerated().map { try binaryCrossEntropy(channel(p, $0), $1, reduction: .mean) }
        return try dice(p, t, options) + combine(terms, summing(options))
    }

    /// `dcce_logits`: Dice loss of the raw logits plus per-class binary cross-entropy with logits.
    public static func diceCrossEntropyLogits(_ logits: Tensor, _ t: Tensor, _ options: Options = Options()) throws -> Tensor {
        try check(logits, t, "dcce_logits", options)
        let targets = try reencoded(t, options)
        let terms = try targets.enumerated().map { try Losses.binaryCrossEntropyWithLogits(channel(logits, $0), $1) }
        return try dice(logits, t, options) + combine(terms, summing(options))
    }

    /// `ce` in GaNDLF: binary cross-entropy of probabilities over every element, each log
    /// clamped at −100 as PyTorch does.
    public static func binaryCrossEntropy(_ p: Tensor, _ t: Tensor, reduction: LossReduction) throws -> Tensor {
        guard p.shape == t.shape else {
            throw TensorError.shapeMismatch(op: "ce", "prediction \(shapeString(p.shape)) and target \(shapeString(t.shape)) differ")
        }
        let logP = try p.log().clamp(min: -100), logNotP = try (1 - p).log().clamp(min: -100)
        return try reduction.apply((t * logP + (1 - t) * logNotP).neg())
    }

    /// GaNDLF sums (rather than averages) focal's and DCCE's per-class terms when unweighted.
    private static func summing(_ options: Options) -> Options {
        var result = options
        if options.penaltyWeights == nil && options.reduction == .mean { result.reduction = .sum }
        return result
    }

    /// GaNDLF's per-class penalty weights from training label maps: proportional to 1/n_c
    /// (n_c the voxels of class c over all maps), normalised to sum to 1.
    public static func penaltyWeights(labels: [Tensor], classList: [Double]) throws -> [Double] {
        var counts = [Double](repeating: 0, count: classList.count)
        for map in labels {
            for (k, label) in classList.enumerated() { counts[k] += try map.eq(label).to(.float32).sum().item() }
        }
        let epsilon = Double.ulpOfOne, total = counts.reduce(0, +), k = Double(classList.count)
        let raw = counts.map { total / (k * ($0 + epsilon)) }
        let sum = raw.reduce(0, +)
        return raw.map { ($0 + epsilon) / sum }
    }
}
