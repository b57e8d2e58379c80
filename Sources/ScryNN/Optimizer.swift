import Foundation
import ScryTensor

/// A first-order optimizer over named parameters, with the update rules and defaults of
/// PyTorch's classes of the same names. Its state (moments, step counts) is a dictionary of
/// tensors, so that it saves to safetensors and training resumes exactly.
public final class Optimizer {
    public enum Kind: String, CaseIterable, Sendable {
        case sgd, adam, adamw, rmsprop, adagrad
    }

    public let kind: Kind
    public var learningRate: Double
    public let momentum: Double, dampening: Double, nesterov: Bool
    public let betas: (Double, Double)
    public let eps: Double
    public let weightDecay: Double
    public let alpha: Double
    /// Moments and counters by `parameter/slot` name.
    public private(set) var state: [String: Tensor] = [:]

    /// `weightDecay` defaults to 0.01 for adamw and 0 otherwise, as in PyTorch.
    public init(_ kind: Kind, learningRate: Double, momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false,
                betas: (Double, Double) = (0.9, 0.999), eps: Double? = nil, weightDecay: Double? = nil, alpha: Double = 0.99) throws {
        guard learningRate >= 0 else { throw TensorError.invalidArgument(op: "optimizer", "learning rate must be non-negative, got \(learningRate)") }
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw TensorError.invalidArgument(op: "optimizer", "nesterov needs a positive momentum and no dampening")
        }
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum; self.dampening = dampening; self.nesterov = nesterov
        self.betas = betas
        self.eps = eps ?? (kind == .adagrad ? 1e-10 : 1e-8)
        self.weightDecay = weightDecay ?? (kind == .adamw ? 0.01 : 0)
        self.alpha = alpha
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
        }
    }
}
