import Foundation

/// Learning-rate schedules with PyTorch's definitions: the rate for step t (0-based, the rate
/// used by the t-th optimizer step), and reduce-on-plateau driven by a metric.
public final class Scheduler {
    public enum Kind: Equatable, Sendable {
        case step(size: Double, gamma: Double)
        case multiStep(milestones: [Int], gamma: Double)
        case exponential(gamma: Double)
        case cosineAnnealing(period: Int, minimum: Double)
        case cosineWarmRestarts(firstPeriod: Int, multiplier: Int, minimum: Double)
        /// CyclicLR: triangular, triangular2 (halving amplitude) or exp_range (γ^t amplitude).
        case cyclic(low: Double, high: Double, halfPeriod: Double, mode: CyclicMode, gamma: Double)
        case reduceOnPlateau(factor: Double, patience: Int, threshold: Double, cooldown: Int, minimum: Double)
        /// GaNDLF's "triangle": the base rate times a factor that falls from `maximum` to
        /// `minimum` and back over 2·stepSize steps.
        case triangle(stepSize: Double, minimum: Double, maximum: Double)
        /// GaNDLF's "triangle_modified": a factor 1 at the start and end of each cycle of
        /// `length` steps, minimum/maximum at its centre.
        case triangleModified(length: Double, minimum: Double, maximum: Double)
        /// MONAI's WarmupCosineSchedule (GaNDLF's "warmupcosineschedule"): linear warm-up from
        /// `warmupMultiplier`, then cosine decay over `cycles`, never below `endRate` after warm-up.
        case warmupCosine(warmupSteps: Int, totalSteps: Int, endRate: Double, cycles: Double, warmupMultiplier: Double)
    }

    public enum CyclicMode: String, Sendable { case triangular, triangular2, expRange = "exp_range" }

    public let kind: Kind
    public let baseRate: Double
    /// The rate the next optimizer step uses.
    public private(set) var rate: Double
    private var steps = 0
    // reduce-on-plateau state
    private var best = Double.infinity, badSteps = 0, cooldownLeft = 0

    public init(_ kind: Kind, baseRate: Double) throws {
        switch kind {
        case .cosineAnnealing(let size, _) where size < 1, .cosineWarmRestarts(let size, _, _) where size < 1:
            throw ScheduleError("the schedule's period must be at least 1, got \(size)")
        case .step(let size, _) where !(size > 0), .cyclic(_, _, let size, _, _) where !(size > 0),
             .triangle(let size, _, _) where !(size > 0), .triangleModified(let size, _, _) where !(size > 0):
            throw ScheduleError("the schedule's step size must be positive, got \(size)")
        case .cosineWarmRestarts(_, let multiplier, _) where multiplier < 1:
            throw ScheduleError("the restart multiplier must be at least 1, got \(multiplier)")
        default: break
        }
        self.kind = kind
        self.baseRate = baseRate
        rate = baseRate
        rate = rate(at: 0)
    }

    /// The rate for step `t` of a schedule that depends only on the step.
    public func rate(at t: Int) -> Double {
        switch kind {
        case let .step(size, gamma):
            // PyTorch decays at the steps divisible by the size, which for a fractional size
            // (GaNDLF's default, learning rate / 5) may be none.
            let decays: Double
            if size >= Double(Int.max / 2) { decays = 0 } else if size == size.rounded() { decays = Double(t / Int(size)) } else {
                decays = Double((0...Swift.max(0, t)).filter { $0 > 0 && fmod(Double($0), size) == 0 }.count)
            }
            return baseRate * Foundation.pow(gamma, decays)
        case let .multiStep(milestones, gamma): return baseRate * Foundation.pow(gamma, Double(milestones.filter { $0 <= t }.count))
        case let .exponential(gamma): return baseRate * Foundation.pow(gamma, Double(t))
        case let .cosineAnnealing(period, minimum):
            return minimum + (baseRate - minimum) * (1 + cos(Double.pi * Double(t) / Double(period))) / 2
        case let .cosineWarmRestarts(first, multiplier, minimum):
            var period = first, position = t
            while position >= period { position -= period; period *= multiplier }
            return minimum + (baseRate - minimum) * (1 + cos(Double.pi * Double(position) / Double(period))) / 2
        case let .cyclic(low, high, half, mode, gamma):
            let cycle = (1 + Double(t) / (2 * half)).rounded(.down)
            let x = Swift.abs(Double(t) / half - 2 * cycle + 1)
            let scale: Double
            switch mode {
            case .triangular: scale = 1
            case .triangular2: scale = 1 / Foundation.pow(2, cycle - 1)
            case .expRange: scale = Foundation.pow(gamma, Double(t))
            }
            return low + (high - low) * Swift.max(0, 1 - x) * scale
        case .reduceOnPlateau: return rate
        case let .triangle(size, minimum, maximum):
            let cycle = (1 + Double(t) / (2 * size)).rounded(.down)
            let x = Swift.abs(Double(t) / size - 2 * cycle + 1)
            return baseRate * (maximum - (maximum - minimum) * Swift.max(0, 1 - x))
        case let .triangleModified(length, minimum, maximum):
            let position = fmod(Double(t), length)
            let distance = 2 * Swift.abs(position - length / 2) / length
            return baseRate * (distance + minimum / maximum * (1 - distance))
        case let .warmupCosine(warmup, total, endRate, cycles, warmupMultiplier):
            if t < warmup {
                return baseRate * (warmupMultiplier + (1 - warmupMultiplier) * Double(t) / Double(Swift.max(1, warmup)))
            }
            let progress = Double(t - warmup) / Double(Swift.max(1, total - warmup))
            return Swift.max(endRate, baseRate * Swift.max(0, 0.5 * (1 + cos(Double.pi * cycles * 2 * progress))))
        }
    }

    /// Everything that moves as it steps, by name, for checkpoints.
    public var state: [String: Double] {
        ["steps": Double(steps), "rate": rate, "best": best, "bad_steps": Double(badSteps), "cooldown_left": Double(cooldownLeft)]
    }

    /// Resumes from `state`; a missing entry is an error naming it.
    public func restore(_ state: [String: Double]) throws {
        func value(_ key: String) throws -> Double {
            guard let v = state[key] else { throw ScheduleError("the saved state has no \"\(key)\"") }
            return v
        }
        func count(_ key: String) throws -> Int {
            let v = try value(key)
            guard v.isFinite, v >= 0, v < 1e15 else { throw ScheduleError("the saved \"\(key)\" is \(v), not a count") }
            return Int(v)
        }
        steps = try count("steps"); badSteps = try count("bad_steps"); cooldownLeft = try count("cooldown_left")
        rate = try value("rate"); best = try value("best")
    }

    /// Moves to the next step; reduce-on-plateau needs the monitored `metric` (lower is better).
    public func step(metric: Double? = nil) throws {
        steps += 1
        guard case let .reduceOnPlateau(factor, patience, threshold, cooldown, minimum) = kind else {
            rate = rate(at: steps)
            return
        }
        guard let metric else { throw ScheduleError("reduce_on_plateau needs the monitored metric at each step") }
        // PyTorch's default threshold mode is relative: improvement means metric < best·(1 − threshold).
        if metric < best * (1 - threshold) { best = metric; badSteps = 0 } else { badSteps += 1 }
        if cooldownLeft > 0 { cooldownLeft -= 1; badSteps = 0 }
        if badSteps > patience {
            let reduced = Swift.max(rate * factor, minimum)
            if rate - reduced > 1e-8 { rate = reduced }
            cooldownLeft = cooldown
            badSteps = 0
        }
    }
}

/// An invalid schedule setting, named.
public struct ScheduleError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = "scheduler: " + description }
}
