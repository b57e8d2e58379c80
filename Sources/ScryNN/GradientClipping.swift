import Foundation
import ScryTensor

/// Gradient clipping as PyTorch's clip_grad_norm_ and clip_grad_value_ do it, on named
/// gradients.
public enum GradientClipping {
    /// Scales all gradients together so that their joint p-norm is at most `maxNorm`
    /// (factor maxNorm / (norm + 1e-6) when the norm exceeds it); returns them and the norm.
    public static func byNorm(_ gradients: [String: Tensor], maxNorm: Double, normType: Double = 2) throws -> (gradients: [String: Tensor], norm: Double) {
        guard maxNorm >= 0, normType > 0 else {
            throw TensorError.invalidArgument(op: "clip_grad", "max norm must be non-negative and the norm type positive")
        }
        let norms = try gradients.values.map { try $0.detach().norm(p: normType).item() }
        let total = normType.isInfinite ? (norms.max() ?? 0)
                                         : Foundation.pow(norms.reduce(0) { $0 + Foundation.pow($1, normType) }, 1 / normType)
        let factor = maxNorm / (total + 1e-6)
        guard factor < 1 else { return (gradients, total) }
        return (try gradients.mapValues { try $0.detach() * factor }, total)
    }

    /// Clamps every gradient element to [−value, value].
    public static func byValue(_ gradients: [String: Tensor], value: Double) throws -> [String: Tensor] {
        guard value >= 0 else { throw TensorError.invalidArgument(op: "clip_grad", "clip value must be non-negative, got \(value)") }
        return try gradients.mapValues { try $0.detach().clamp(min: -value, max: value) }
    }
}

extension GradientClipping {
    /// Clips a module's parameter gradients in place by their joint norm; returns the norm
    /// before clipping.
    @discardableResult
    public static func clip(_ module: Module, maxNorm: Double, normType: Double = 2) throws -> Double {
        let (clipped, norm) = try byNorm(module.gradients(), maxNorm: maxNorm, normType: normType)
        for (name, tensor) in module.namedParameters() { if let g = clipped[name] { tensor.setGrad(g) } }
        return norm
    }

    /// Clamps a module's parameter gradients in place to [−value, value].
    public static func clip(_ module: Module, value: Double) throws {
        let clipped = try byValue(module.gradients(), value: value)
        for (name, tensor) in module.namedParameters() { if let g = clipped[name] { tensor.setGrad(g) } }
    }
}
