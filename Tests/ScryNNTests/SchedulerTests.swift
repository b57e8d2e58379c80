import Foundation
import XCTest
import ScryNN

/// The learning rate at each of 50 steps of each schedule, against PyTorch's.
final class SchedulerTests: XCTestCase {
    struct Fixture: Decodable {
        let metrics: [Double]
        let cases: [Case]
    }
    struct Case: Decodable {
        let kind: String
        let options: [String: OptionValue]
        let rates: [Double]
    }
    enum OptionValue: Decodable {
        case number(Double), list([Int]), text(String)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let d = try? c.decode(Double.self) { self = .number(d) }
            else if let l = try? c.decode([Int].self) { self = .list(l) }
            else { self = .text(try c.decode(String.self)) }
        }
        var number: Double { if case .number(let d) = self { return d }; return 0 }
        var int: Int { Int(number) }
    }

    func testFiftyStepsMatchPyTorch() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/schedule_reference.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        for item in fixture.cases {
            let o = item.options
            let kind: Scheduler.Kind
            switch item.kind {
            case "step": kind = .step(size: o["step_size"]!.number, gamma: o["gamma"]!.number)
            case "multistep":
                guard case .list(let milestones)? = o["milestones"] else { return XCTFail("milestones") }
                kind = .multiStep(milestones: milestones, gamma: o["gamma"]!.number)
            case "exponential": kind = .exponential(gamma: o["gamma"]!.number)
            case "cosineannealing": kind = .cosineAnnealing(period: o["T_max"]!.int, minimum: o["eta_min"]!.number)
            case "cosineannealing_warmrestarts":
                kind = .cosineWarmRestarts(firstPeriod: o["T_0"]!.int, multiplier: o["T_mult"]!.int, minimum: o["eta_min"]!.number)
            case "triangular", "triangular2", "exp_range":
                kind = .cyclic(low: o["base_lr"]!.number, high: o["max_lr"]!.number, halfPeriod: o["step_size_up"]!.number,
                               mode: Scheduler.CyclicMode(rawValue: item.kind)!, gamma: o["gamma"]?.number ?? 1)
            case "triangle":
                kind = .triangle(stepSize: o["step_size"]!.number, minimum: o["min_lr"]!.number, maximum: o["max_lr"]!.number)
            case "triangle_modified":
                kind = .triangleModified(length: o["step_size"]!.number, minimum: o["min_lr"]!.number, maximum: o["max_lr"]!.number)
            case "warmupcosine":
                kind = .warmupCosine(warmupSteps: o["warmup_steps"]!.int, totalSteps: o["t_total"]!.int, endRate: o["end_lr"]!.number,
                                     cycles: 0.5, warmupMultiplier: 0)
            case "reduce_on_plateau":
                kind = .reduceOnPlateau(factor: o["factor"]!.number, patience: o["patience"]!.int, threshold: o["threshold"]!.number,
                                        cooldown: o["cooldown"]!.int, minimum: o["min_lr"]!.number)
            default: XCTFail("unknown schedule \(item.kind)"); continue
            }
            let scheduler = try Scheduler(kind, baseRate: 0.1)
            for (t, expected) in item.rates.enumerated() {
                if Swift.abs(scheduler.rate - expected) > 1e-4 * Swift.abs(expected) + 1e-9 {
                    XCTFail("\(item.kind) step \(t): \(scheduler.rate) vs \(expected)")
                    break
                }
                try scheduler.step(metric: fixture.metrics[t])
            }
        }
    }

    func testInvalidSettings() {
        XCTAssertThrowsError(try Scheduler(.step(size: 0, gamma: 0.5), baseRate: 0.1))
        XCTAssertThrowsError(try Scheduler(.reduceOnPlateau(factor: 0.5, patience: 1, threshold: 0, cooldown: 0, minimum: 0), baseRate: 0.1).step())
    }
}
