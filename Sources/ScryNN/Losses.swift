import ScryTensor

/// How a loss reduces its per-element values.
public enum LossReduction: String, Sendable {
    case mean, sum, none

    func apply(_ values: Tensor) throws -> Tensor {
        switch self {
        case .mean: return try values.mean()
        case .sum: return try values.sum()
        case .none: return values
        }
    }
}

/// Loss functions with PyTorch's definitions (checked against it in the tests).
public enum Losses {
    /// Cross-entropy of logits [N, C, …] against class indices [N, …] (int64): optional
    /// per-class weights, an ignored index, and label smoothing ε (the target becomes
    /// (1 − ε)·one-hot + ε/C). With weights, the mean divides by the summed weights of the
    /// counted targets, as PyTorch does.
    public static func crossEntropy(_ logits: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int? = nil,
                                    labelSmoothing: Double = 0, reduction: LossReduction = .mean) throws -> Tensor {
        guard logits.rank >= 2, target.dtype == .int64,
              target.shape == [logits.shape[0]] + Array(logits.shape[2...]) else {
            throw TensorError.shapeMismatch(op: "cross_entropy", "logits \(logits.shape) need [N, C, …] and integer targets [N, …]; got targets \(target.shape) (\(target.dtype))")
        }
        let classes = logits.shape[1]
        guard (0...1).contains(labelSmoothing) else {
            throw TensorError.invalidArgument(op: "cross_entropy", "label smoothing must be in [0, 1], got \(labelSmoothing)")
        }
        if let weight, weight.shape != [classes] {
            throw TensorError.shapeMismatch(op: "cross_entropy", "class weights \(weight.shape) must be [\(classes)]")
        }
        let valid = try ignoreIndex.map { try target.ne(Double($0)) } ?? Tensor.full(target.shape, 1, dtype: .bool)
        let safeTarget = try Tensor.where(valid, target, Tensor(scalar: Int64(0)))
        if let bad = safeTarget.scalars().first(where: { $0 < 0 || $0 >= Double(classes) }) {
            throw TensorError.indexOutOfRange(op: "cross_entropy", index: Int(bad), axis: 1, size: classes)
        }
        let logProbabilities = try logits.logSoftmax(axis: 1)
        let oneHot = try Tensor.oneHot(safeTarget, classes: classes, axis: 1)
        let classWeights = try weight.map { try $0.reshape([1, classes] + [Int](repeating: 1, count: logits.rank - 2)) }
        let weighted = try classWeights.map { try logProbabilities * $0 } ?? logProbabilities
        // PyTorch: (1 − ε)·(−w_y log p_y) + ε/C · Σ_c (−w_c log p_c).
        var perElement = try (weighted * oneHot).sum(axes: [1]).neg() * (1 - labelSmoothing)
        if labelSmoothing > 0 {
            perElement = try perElement + weighted.sum(axes: [1]).neg() * (labelSmoothing / Double(classes))
        }
        let mask = try valid.to(.float32)
        perElement = try perElement * mask
        guard reduction == .mean else { return try reduction.apply(perElement) }
        let targetWeights = try classWeights.map { try ($0 * oneHot).sum(axes: [1]) * mask } ?? mask
        return try perElement.sum() / targetWeights.sum()
    }

    /// Binary cross-entropy on logits, computed stably as max(x, 0) − x·y + log(1 + e^−|x|),
    /// with an optional weight for positive targets.
    public static func binaryCrossEntropyWithLogits(_ logits: Tensor, _ target: Tensor, posWeight: Tensor? = nil,
                                                    reduction: LossReduction = .mean) throws -> Tensor {
        let y = try target.to(.float32)
        let softplus = try logits.abs().neg().exp().add(Tensor(scalar: Float(1))).log()
        var perElement: Tensor
        if let posWeight {
            // (1 − y)·x + (1 + (w − 1)·y)·(log(1 + e^−|x|) + max(−x, 0))
            let factor = try (posWeight - 1) * y + 1
            perElement = try (1 - y) * logits + factor * (softplus + logits.neg().relu())
        } else {
            perElement = try logits.relu() - logits * y + softplus
        }
        return try reduction.apply(perElement)
    }

    public static func meanSquaredError(_ x: Tensor, _ y: Tensor, reduction: LossReduction = .mean) throws -> Tensor {
        let d = try x - y
        return try reduction.apply(d * d)
    }

    public static func l1(_ x: Tensor, _ y: Tensor, reduction: LossReduction = .mean) throws -> Tensor {
        try reduction.apply((x - y).abs())
    }

    /// 0.5·d²/β where |d| < β, |d| − 0.5·β elsewhere.
    public static func smoothL1(_ x: Tensor, _ y: Tensor, beta: Double = 1, reduction: LossReduction = .mean) throws -> Tensor {
        let d = try (x - y).abs()
        let quadratic = try d * d * (0.5 / beta), linear = try d - 0.5 * beta
        return try reduction.apply(Tensor.where(d.lt(beta), quadratic, linear))
    }

    /// KL divergence with log-probabilities as input and probabilities as target:
    /// y·(log y − x), 0 where y = 0; `batchmean` divides the sum by the batch size.
    public static func klDivergence(_ logInput: Tensor, _ target: Tensor, batchMean: Bool = true) throws -> Tensor {
        let safeLog = try Tensor.where(target.gt(0), target, 1).log()
        let perElement = try target * (safeLog - logInput)
        return batchMean ? try perElement.sum() / Double(logInput.shape.first ?? 1) : try perElement.sum()
    }
}

extension Tensor {
    /// One-hot encoding of int64 class indices, with the class axis inserted at `axis`.
    public static func oneHot(_ indices: Tensor, classes: Int, axis: Int = -1) throws -> Tensor {
        guard indices.dtype == .int64 else {
            throw TensorError.dtypeMismatch(op: "one_hot", "indices must be int64, got \(indices.dtype)")
        }
        let position = axis < 0 ? axis + indices.rank + 1 : axis
        let classShape = (0...indices.rank).map { $0 == position ? classes : 1 }
        let range = try Tensor.arange(0, Double(classes)).reshape(classShape)
        return try indices.unsqueeze(position).eq(range).to(.float32)
    }
}
