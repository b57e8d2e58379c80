import Foundation
import ScryTensor

/// Optimizers and schedules by the names GaNDLF's configurations use, with GaNDLF's defaults
/// (GANDLF/configuration/optimizer_config.py and scheduler_config.py; GANDLF_SPEC.md in the
/// tests' fixtures lists them with their sources).
public enum GaNDLFDefaults {
    /// Settings a user may give; nil keeps GaNDLF's default for the optimizer type.
    public struct OptimizerSettings {
        public var momentum: Double?, dampening: Double?, nesterov: Bool?, weightDecay: Double?, eps: Double?
        public var betas: [Double]?, alpha: Double?, rho: Double?, etas: [Double]?, stepSizes: [Double]?
        public var lambda: Double?, t0: Double?, amsgrad: Bool?, decoupled: Bool?
        public init() {}
    }

    public static let optimizerNames = Optimizer.Kind.allCases.map(\.rawValue)

    /// An optimizer of GaNDLF's `optimizer.type` with its per-type defaults.
    public static func optimizer(_ name: String, learningRate: Double, _ s: OptimizerSettings = OptimizerSettings()) throws -> Optimizer {
        guard let kind = Optimizer.Kind(rawValue: name.lowercased()) else {
            throw TensorError.invalidArgument(op: "optimizer", "unknown optimizer \"\(name)\"; known: \(optimizerNames.joined(separator: ", "))")
        }
        for (values, count, label) in [(s.betas, kind == .ademamix ? 3 : 2, "betas"), (s.etas, 2, "etas"), (s.stepSizes, 2, "step_sizes")] {
            if let values, values.count != count {
                throw TensorError.invalidArgument(op: "optimizer", "\(label) needs \(count) values, got \(values.count)")
            }
        }
        let weightDecay: Double
        switch kind {
        case .adam, .adamw, .adamax: weightDecay = 5e-5
        case .lion, .ademamix, .adopt: weightDecay = 0
        default: weightDecay = 3e-5
        }
        let defaultBetas: [Double] = switch kind {
        case .ademamix: [0.9, 0.999, 0.9999]
        case .adopt: [0.9, 0.9999]
        default: [0.9, 0.999]
        }
        let betas = s.betas ?? defaultBetas
        let eps = s.eps ?? (kind == .adagrad || kind == .adadelta || kind == .adopt ? 1e-6 : 1e-8)
        let sgd = kind == .sgd
        let momentum = s.momentum ?? (sgd ? 0.99 : 0)
        return try Optimizer(kind, learningRate: learningRate, momentum: momentum,
                             dampening: s.dampening ?? 0, nesterov: s.nesterov ?? (sgd && momentum > 0 && (s.dampening ?? 0) == 0), betas: (betas[0], betas[1]), eps: eps,
                             weightDecay: s.weightDecay ?? weightDecay, alpha: s.alpha, rho: s.rho ?? 0.9,
                             etas: (s.etas?[0] ?? 0.5, s.etas?[1] ?? 1.2), stepSizes: (s.stepSizes?[0] ?? 1e-6, s.stepSizes?[1] ?? 50),
                             lambda: s.lambda ?? 1e-4, averagingStart: s.t0 ?? 1e6, beta3: betas.count > 2 ? betas[2] : 0.9999,
                             amsgrad: s.amsgrad ?? false, decoupled: s.decoupled ?? false)
    }

    /// Every scheduler name GaNDLF accepts, with its aliases, to the canonical name.
    public static let schedulerNames: [String: String] = [
        "triangle": "triangle", "triangle_modified": "triangle_modified", "triangular": "triangular", "exp_range": "exp_range",
        "exp": "exp", "exponential": "exp", "step": "step", "reduce_on_plateau": "reduce_on_plateau",
        "reduce-on-plateau": "reduce_on_plateau", "plateau": "reduce_on_plateau", "reduceonplateau": "reduce_on_plateau",
        "cosineannealing": "cosineannealing", "cosineannealingwarmrestarts": "cosineannealing", "cosineannealinglr": "cosineannealinglr",
        "warmupcosineschedule": "warmupcosineschedule", "wcs": "warmupcosineschedule",
        // Scry's own additions: the PyTorch names.
        "multistep": "multistep", "triangular2": "triangular2",
    ]

    /// A schedule of GaNDLF's `scheduler.type`, stepped once per epoch as GaNDLF steps it.
    /// `settings` holds GaNDLF's keys (step_size, gamma, min_lr, max_lr, T_0, T_mult, eta_min,
    /// T_max, factor, patience, threshold, cooldown, warmup_steps); `epochs` is num_epochs.
    public static func scheduler(_ name: String, baseRate lr: Double, settings: [String: Double] = [:], milestones: [Int] = [],
                                 epochs: Int = 100) throws -> Scheduler {
        guard let canonical = schedulerNames[name.lowercased()] else {
            throw TensorError.invalidArgument(op: "scheduler", "unknown scheduler \"\(name)\"; known: \(schedulerNames.keys.sorted().joined(separator: ", "))")
        }
        if let bad = settings.first(where: { !$0.value.isFinite || Swift.abs($0.value) > 1e12 }) {
            throw TensorError.invalidArgument(op: "scheduler", "\(bad.key) must be a finite number of sensible size, got \(bad.value)")
        }
        func value(_ key: String, _ fallback: Double) -> Double { settings[key] ?? fallback }
        // GaNDLF's validator sets step_size to learning_rate / 5 when it is not given.
        let stepSize = value("step_size", lr / 5)
        if settings["step_size"] == nil && ["triangle", "triangle_modified", "triangular", "triangular2", "exp_range", "step"].contains(canonical) && !(stepSize > 0) {
            throw TensorError.invalidArgument(op: "scheduler", "step_size defaults to lr / 5 (GaNDLF's rule), which is \(stepSize) for lr \(lr): give step_size")
        }
        let kind: Scheduler.Kind
        switch canonical {
        case "triangle": kind = .triangle(stepSize: stepSize, minimum: value("min_lr", 1e-3), maximum: value("max_lr", 1))
        case "triangle_modified": kind = .triangleModified(length: stepSize, minimum: value("min_lr", 1e-6), maximum: value("max_lr", 1e-3))
        case "triangular", "triangular2", "exp_range":
            // GaNDLF cycles between 0.001·lr and lr whatever min_lr and max_lr say.
            let mode: Scheduler.CyclicMode = canonical == "exp_range" ? .expRange : (canonical == "triangular" ? .triangular : .triangular2)
            kind = .cyclic(low: 1e-3 * lr, high: lr, halfPeriod: stepSize, mode: mode, gamma: value("gamma", 0.1))
        case "exp": kind = .exponential(gamma: value("gamma", 0.1))
        case "step": kind = .step(size: stepSize, gamma: value("gamma", 0.1))
        case "multistep": kind = .multiStep(milestones: milestones, gamma: value("gamma", 0.1))
        case "reduce_on_plateau":
            kind = .reduceOnPlateau(factor: value("factor", 0.1), patience: Int(value("patience", 10)), threshold: value("threshold", 1e-4),
                                    cooldown: Int(value("cooldown", 0)), minimum: value("min_lr", 1e-3 * lr))
        case "cosineannealing":
            kind = .cosineWarmRestarts(firstPeriod: Int(value("T_0", 5)), multiplier: Int(value("T_mult", 1)), minimum: value("eta_min", 1e-3))
        case "cosineannealinglr": kind = .cosineAnnealing(period: Int(value("T_max", 50)), minimum: value("eta_min", 1e-3))
        default:
            kind = .warmupCosine(warmupSteps: Int(value("warmup_steps", 0.1 * Double(epochs))), totalSteps: epochs,
                                 endRate: value("end_lr", 0), cycles: value("cycles", 0.5), warmupMultiplier: value("warmup_multiplier", 0))
        }
        return try Scheduler(kind, baseRate: lr)
    }
}
