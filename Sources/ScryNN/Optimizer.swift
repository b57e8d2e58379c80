import Foundation
import ScryTensor

/// A first-order optimizer over named parameters, with the update rules and defaults of
/// PyTorch's classes of the same names. Its state (moments, step counts) is a dictionary of
/// tensors, so that it saves to safetensors and training resumes exactly.
public final class Optimizer {
    public enum Kind: String, CaseIterable, Sendable {
        case sgd, adam, adamw, rmsprop, adagrad, adamax, nadam, radam, adadelta, rprop, asgd
        /// MONAI's Novograd, lion-pytorch's Lion, and GaNDLF's AdEMAMix and ADOPT.
        case novograd, lion, ademamix, adopt
    }

    public let kind: Kind
    public var learningRate: Double
    public let momentum: Double, dampening: Double, nesterov: Bool
    public let betas: (Double, Double)
    /// AdEMAMix's slow-moment coefficient β3.
    public let beta3: Double
    /// Novograd's AMSGrad variant.
    public let amsgrad: Bool
    /// Lion: weight decay relative to the initial rate; ADOPT: decay applied to the
    /// parameters rather than added to the gradient.
    public let decoupled: Bool
    /// The rate at construction (Lion's decoupled decay divides by it).
    public let initialLearningRate: Double
    public let eps: Double
    public let weightDecay: Double
    /// RMSprop's smoothing constant; ASGD's decay power; AdEMAMix's weight of the slow moment.
    public let alpha: Double
    /// Adadelta's running-average coefficient.
    public let rho: Double
    /// NAdam's momentum decay ψ.
    public let momentumDecay: Double
    /// Rprop's step factors (decrease, increase) and step-size bounds.
    public let etas: (Double, Double), stepSizes: (Double, Double)
    /// ASGD's decay term λ and the step t0 where averaging starts.
    public let lambda: Double, averagingStart: Double
    /// Moments and counters by `parameter/slot` name.
    public private(set) var state: [String: Tensor] = [:]

    /// `weightDecay` defaults to 0.01 for adamw and 0 otherwise, as in PyTorch.
    public init(_ kind: Kind, learningRate: Double, momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false,
                betas: (Double, Double) = (0.9, 0.999), eps: Double? = nil, weightDecay: Double? = nil, alpha: Double? = nil,
                rho: Double = 0.9, momentumDecay: Double = 0.004, etas: (Double, Double) = (0.5, 1.2),
                stepSizes: (Double, Double) = (1e-6, 50), lambda: Double = 1e-4, averagingStart: Double = 1e6,
                beta3: Double = 0.9999, amsgrad: Bool = false, decoupled: Bool = false) throws {
        guard learningRate >= 0 else { throw TensorError.invalidArgument(op: "optimizer", "learning rate must be non-negative, got \(learningRate)") }
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw TensorError.invalidArgument(op: "optimizer", "nesterov needs a positive momentum and no dampening")
        }
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum; self.dampening = dampening; self.nesterov = nesterov
        self.betas = betas; self.beta3 = beta3; self.amsgrad = amsgrad; self.decoupled = decoupled
        initialLearningRate = learningRate
        self.eps = eps ?? (kind == .adagrad ? 1e-10 : (kind == .adadelta || kind == .adopt ? 1e-6 : 1e-8))
        self.weightDecay = weightDecay ?? (kind == .adamw ? 0.01 : 0)
        self.alpha = alpha ?? (kind == .asgd ? 0.75 : (kind == .ademamix ? 5 : 0.99))
        self.rho = rho; self.momentumDecay = momentumDecay; self.etas = etas; self.stepSizes = stepSizes
        self.lambda = lambda; self.averagingStart = averagingStart
    }

    /// Restores saved state (from `state`).
    public func load(state: [String: Tensor]) { self.state = state }

    /// One update of every parameter that has a gradient; returns the new values.
    public func step(_ parameters: [String: Tensor], gradients: [String: Tensor]) throws -> [String: Tensor] {
        try withNoGrad {
            var updated = parameters
            for name in parameters.keys.sorted() {
                guard let g = gradients[name], let p = parameters[name] else { continue }
                guard g.shape == p.shape else {
                    throw TensorError.shapeMismatch(op: "optimizer", "gradient \(g.shape) of \"\(name)\" does not match the parameter \(p.shape)")
                }
                updated[name] = try update(name, p.detach(), g.detach())
            }
            return updated
        }
    }

    private func slot(_ name: String, _ key: String) -> Tensor? { state["\(name)/\(key)"] }
    private func set(_ name: String, _ key: String, _ value: Tensor) { state["\(name)/\(key)"] = value }

    private func update(_ name: String, _ p: Tensor, _ gradient: Tensor) throws -> Tensor {
        let lr = learningRate
        var g = gradient
        let steps = (try slot(name, "step")?.item() ?? 0) + 1
        set(name, "step", Tensor(scalar: Float(steps)))
        switch kind {
        case .sgd:
            if weightDecay != 0 { g = try g + p * weightDecay }
            if momentum != 0 {
                let buffer = try slot(name, "momentum").map { try $0 * momentum + g * (1 - dampening) } ?? g
                set(name, "momentum", buffer)
                g = nesterov ? try g + buffer * momentum : buffer
            }
            return try p - g * lr
        case .adam, .adamw:
            var params = p
            if kind == .adamw { params = try p * (1 - lr * weightDecay) } else if weightDecay != 0 { g = try g + p * weightDecay }
            let m = try (slot(name, "exp_avg") ?? Tensor.zeros(p.shape)) * betas.0 + g * (1 - betas.0)
            let v = try (slot(name, "exp_avg_sq") ?? Tensor.zeros(p.shape)) * betas.1 + g * g * (1 - betas.1)
            set(name, "exp_avg", m); set(name, "exp_avg_sq", v)
            let correction1 = 1 - pow(betas.0, steps), correction2 = 1 - pow(betas.1, steps)
            let denominator = try (v / correction2).sqrt() + eps
            return try params - m / denominator * (lr / correction1)
        case .rmsprop:
            if weightDecay != 0 { g = try g + p * weightDecay }
            let square = try (slot(name, "square_avg") ?? Tensor.zeros(p.shape)) * alpha + g * g * (1 - alpha)
            set(name, "square_avg", square)
            var step = try g / (square.sqrt() + eps)
            if momentum > 0 {
                step = try (slot(name, "momentum") ?? Tensor.zeros(p.shape)) * momentum + step
                set(name, "momentum", step)
            }
            return try p - step * lr
        case .adagrad:
            if weightDecay != 0 { g = try g + p * weightDecay }
            let sum = try (slot(name, "sum") ?? Tensor.zeros(p.shape)) + g * g
            set(name, "sum", sum)
            return try p - g / (sum.sqrt() + eps) * lr
        case .adamax:
            if weightDecay != 0 { g = try g + p * weightDecay }
            let m = try (slot(name, "exp_avg") ?? Tensor.zeros(p.shape)) * betas.0 + g * (1 - betas.0)
            let u = try ((slot(name, "exp_inf") ?? Tensor.zeros(p.shape)) * betas.1).maximum(g.abs() + eps)
            set(name, "exp_avg", m); set(name, "exp_inf", u)
            return try p - m / u * (lr / (1 - pow(betas.0, steps)))
        case .nadam:
            if weightDecay != 0 { g = try g + p * weightDecay }
            let mu = betas.0 * (1 - 0.5 * pow(0.96, steps * momentumDecay))
            let nextMu = betas.0 * (1 - 0.5 * pow(0.96, (steps + 1) * momentumDecay))
            let product = (try slot(name, "mu_product")?.item() ?? 1) * mu
            set(name, "mu_product", Tensor(scalar: Float(product)))
            let m = try (slot(name, "exp_avg") ?? Tensor.zeros(p.shape)) * betas.0 + g * (1 - betas.0)
            let v = try (slot(name, "exp_avg_sq") ?? Tensor.zeros(p.shape)) * betas.1 + g * g * (1 - betas.1)
            set(name, "exp_avg", m); set(name, "exp_avg_sq", v)
            let denominator = try (v / (1 - pow(betas.1, steps))).sqrt() + eps
            return try p - g / denominator * (lr * (1 - mu) / (1 - product)) - m / denominator * (lr * nextMu / (1 - product * nextMu))
        case .radam:
            if weightDecay != 0 { g = try g + p * weightDecay }
            let m = try (slot(name, "exp_avg") ?? Tensor.zeros(p.shape)) * betas.0 + g * (1 - betas.0)
            let v = try (slot(name, "exp_avg_sq") ?? Tensor.zeros(p.shape)) * betas.1 + g * g * (1 - betas.1)
            set(name, "exp_avg", m); set(name, "exp_avg_sq", v)
            let corrected = try m / (1 - pow(betas.0, steps))
            let rhoInfinity = 2 / (1 - betas.1) - 1
            let rhoT = rhoInfinity - 2 * steps * pow(betas.1, steps) / (1 - pow(betas.1, steps))
            guard rhoT > 5 else { return try p - corrected * lr }
            let rectification = ((rhoT - 4) * (rhoT - 2) * rhoInfinity / ((rhoInfinity - 4) * (rhoInfinity - 2) * rhoT)).squareRoot()
            let adaptive = try (1 - pow(betas.1, steps)).squareRoot() / (v.sqrt() + eps)
            return try p - corrected * adaptive * (lr * rectification)
        case .adadelta:
            if weightDecay != 0 { g = try g + p * weightDecay }
            let square = try (slot(name, "square_avg") ?? Tensor.zeros(p.shape)) * rho + g * g * (1 - rho)
            let accumulated = try slot(name, "acc_delta") ?? Tensor.zeros(p.shape)
            let delta = try (accumulated + eps).sqrt() / (square + eps).sqrt() * g
            set(name, "square_avg", square)
            set(name, "acc_delta", try accumulated * rho + delta * delta * (1 - rho))
            return try p - delta * lr
        case .rprop:
            let previous = try slot(name, "prev") ?? Tensor.zeros(p.shape)
            var stepSize = try slot(name, "step_size") ?? Tensor.full(p.shape, lr)
            let agreement = try (g * previous).sign()
            let factor = try Tensor.where(agreement.gt(0), etas.1, Tensor.where(agreement.lt(0), etas.0, Tensor.ones(p.shape)))
            stepSize = try (stepSize * factor).clamp(min: stepSizes.0, max: stepSizes.1)
            let kept = try Tensor.where(agreement.lt(0), 0, g)
            set(name, "prev", kept); set(name, "step_size", stepSize)
            return try p - kept.sign() * stepSize
        case .asgd:
            if weightDecay != 0 { g = try g + p * weightDecay }
            let eta = try slot(name, "eta")?.item() ?? lr, mu = try slot(name, "mu")?.item() ?? 1
            let updated = try p * (1 - lambda * eta) - g * eta
            let average = try slot(name, "ax") ?? Tensor.zeros(p.shape)
            set(name, "ax", mu != 1 ? try average + (updated - average) * mu : updated)
            set(name, "eta", Tensor(scalar: Float(lr / pow(1 + lambda * lr * steps, alpha))))
            set(name, "mu", Tensor(scalar: Float(1 / Swift.max(1, steps - averagingStart))))
            return updated
        case .novograd:
            // One second moment per tensor, from the squared norm of its gradient.
            let normSquared = try (g * g).sum()
            let previous = slot(name, "exp_avg_sq")
            let v = try previous == nil || previous!.item() == 0 ? normSquared : previous! * betas.1 + normSquared * (1 - betas.1)
            set(name, "exp_avg_sq", v)
            var scale = v
            if amsgrad {
                scale = try (slot(name, "max_exp_avg_sq") ?? v).maximum(v)
                set(name, "max_exp_avg_sq", scale)
            }
            var update = try g / (scale.sqrt() + eps)
            if weightDecay != 0 { update = try update + p * weightDecay }
            let m = try slot(name, "exp_avg").map { try $0 * betas.0 + update } ?? update
            set(name, "exp_avg", m)
            return try p - m * lr
        case .lion:
            let decay = decoupled ? weightDecay / initialLearningRate : weightDecay
            let decayed = try p * (1 - lr * decay)
            let m = try slot(name, "exp_avg") ?? Tensor.zeros(p.shape)
            let direction = try (m * betas.0 + g * (1 - betas.0)).sign()
            set(name, "exp_avg", try m * betas.1 + g * (1 - betas.1))
            return try decayed - direction * lr
        case .ademamix:
            if weightDecay != 0 { g = try g + p * weightDecay }
            let fast = try (slot(name, "exp_avg_fast") ?? Tensor.zeros(p.shape)) * betas.0 + g * (1 - betas.0)
            let square = try (slot(name, "exp_avg_sq") ?? Tensor.zeros(p.shape)) * betas.1 + g * g * (1 - betas.1)
            let slow = try (slot(name, "exp_avg_slow") ?? Tensor.zeros(p.shape)) * beta3 + g * (1 - beta3)
            set(name, "exp_avg_fast", fast); set(name, "exp_avg_sq", square); set(name, "exp_avg_slow", slow)
            let correction1 = 1 - pow(betas.0, steps), correction2 = 1 - pow(betas.1, steps)
            let denominator = try square.sqrt() / correction2.squareRoot() + eps
            return try p - (fast / correction1 + slow * alpha) / denominator * lr
        case .adopt:
            var params = p
            if weightDecay != 0 {
                if decoupled { params = try p * (1 - lr * weightDecay) } else { g = try g + p * weightDecay }
            }
            guard let v = slot(name, "exp_avg_sq") else {
                // The first step only initialises the second moment.
                set(name, "exp_avg_sq", try g * g)
                return params
            }
            let normalized = try g / v.sqrt().clamp(min: eps)
            let m = try slot(name, "exp_avg").map { try $0 * betas.0 + normalized * (1 - betas.0) } ?? normalized
            set(name, "exp_avg", m)
            set(name, "exp_avg_sq", try v * betas.1 + g * g * (1 - betas.1))
            return try params - m * lr
        }
    }
}

extension Optimizer {
    /// One update of a module's parameters from their accumulated gradients, in place.
    public func step(_ module: Module) throws {
        let parameters = Dictionary(module.namedParameters().map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        let updated = try step(parameters, gradients: module.gradients())
        try module.assign(parameters: updated)
    }
}
