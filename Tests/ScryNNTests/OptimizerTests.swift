import Foundation
import XCTest
import ScryNN
import ScryTensor

/// Parameters after 10 steps of each optimizer, against PyTorch's (Fixtures/optimizer_reference.json).
final class OptimizerTests: XCTestCase {
    struct Fixture: Decodable {
        let x: Values, y: Values, w0: Values, b0: Values
        let cases: [Case]
        let clips: [Clip]
    }
    struct Clip: Decodable {
        let max_norm: Double
        let norm_type: Option
        let norm: Double
        let w: Values, b: Values
    }
    struct Case: Decodable {
        let kind: String
        let options: [String: Option]
        let w: Values, b: Values
    }
    struct Values: Decodable {
        let shape: [Int]
        let data: [Double]
        func tensor() throws -> Tensor { try Tensor(flat: data, shape: shape) }
    }
    enum Option: Decodable {
        case number(Double), flag(Bool), pair([Double]), text(String)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .flag(b) }
            else if let t = try? c.decode(String.self) { self = .text(t) }
            else if let d = try? c.decode(Double.self) { self = .number(d) }
            else { self = .pair(try c.decode([Double].self)) }
        }
        var number: Double? { if case .number(let d) = self { return d }; return nil }
    }

    func testTenStepsMatchPyTorch() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/optimizer_reference.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let x = try fixture.x.tensor(), y = try fixture.y.tensor()
        for (number, item) in fixture.cases.enumerated() {
            let o = item.options
            var betas = (0.9, 0.999)
            if case .pair(let pair)? = o["betas"] { betas = (pair[0], pair[1]) }
            var nesterov = false
            if case .flag(let flag)? = o["nesterov"] { nesterov = flag }
            let optimizer = try Optimizer(Optimizer.Kind(rawValue: item.kind)!, learningRate: o["lr"]!.number!,
                                          momentum: o["momentum"]?.number ?? 0, dampening: o["dampening"]?.number ?? 0,
                                          nesterov: nesterov, betas: betas, weightDecay: o["weight_decay"]?.number,
                                          alpha: o["alpha"]?.number, averagingStart: o["t0"]?.number ?? 1e6)
            var parameters = ["w": try fixture.w0.tensor(), "b": try fixture.b0.tensor()]
            for _ in 0..<10 {
                let w = try parameters["w"]!.requiringGrad(), b = try parameters["b"]!.requiringGrad()
                let residual = try x.matmul(w) + b - y
                try (residual * residual).mean().backward()
                parameters = try optimizer.step(["w": w, "b": b], gradients: ["w": w.grad!, "b": b.grad!])
            }
            for (name, expected) in [("w", item.w), ("b", item.b)] {
                assertWithinTolerance(parameters[name]!.scalars(), expected.data, "case \(number) (\(item.kind) \(o.keys.sorted())) \(name)")
            }
        }
    }

    func testClippingMatchesPyTorch() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/optimizer_reference.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let gradients = ["w": try fixture.w0.tensor(), "b": try fixture.b0.tensor()]
        for clip in fixture.clips {
            let normType: Double = { if case .text = clip.norm_type { return .infinity }; return clip.norm_type.number! }()
            let (clipped, norm) = try GradientClipping.byNorm(gradients, maxNorm: clip.max_norm, normType: normType)
            XCTAssertEqual(norm, clip.norm, accuracy: 1e-4 * clip.norm)
            for (name, expected) in [("w", clip.w), ("b", clip.b)] {
                for (a, e) in zip(clipped[name]!.scalars(), expected.data) { XCTAssertEqual(a, e, accuracy: 1e-5, "\(name) max norm \(clip.max_norm)") }
            }
        }
        XCTAssertEqual(try GradientClipping.byValue(["g": try Tensor([-3.0, 0.5, 2.0])], value: 1)["g"]?.scalars(), [-1, 0.5, 1])
        XCTAssertThrowsError(try GradientClipping.byValue(gradients, value: -1))
    }

    func testStateResumesExactly() throws {
        let make = { try Optimizer(.adam, learningRate: 0.1) }
        let p = ["w": try Tensor([1.0, -2.0])], g = ["w": try Tensor([0.5, 0.25])]
        let straight = try make()
        let once = try straight.step(p, gradients: g)
        let twice = try straight.step(once, gradients: g)
        let resumed = try make()
        resumed.load(state: try make().stepState(p, g))
        XCTAssertEqual(try resumed.step(once, gradients: g)["w"]?.scalars(), twice["w"]?.scalars())
        XCTAssertThrowsError(try Optimizer(.sgd, learningRate: -1))
        XCTAssertThrowsError(try Optimizer(.sgd, learningRate: 0.1, nesterov: true))
        XCTAssertThrowsError(try straight.step(p, gradients: ["w": try Tensor([1.0])]))
    }
}

extension Optimizer {
    /// The state after one step from `parameters` (what a checkpoint would hold).
    func stepState(_ parameters: [String: Tensor], _ gradients: [String: Tensor]) throws -> [String: Tensor] {
        _ = try step(parameters, gradients: gradients)
        return state
    }
}
