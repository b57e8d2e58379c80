import Foundation
import XCTest
import ScryNN
import ScryTensor

/// Loss values and input gradients against PyTorch's (Fixtures/loss_reference.json), within the
/// project's tolerance: values agree when max|a − b| ≤ 1e-4 · max|ref| + 1e-6.
final class LossTests: XCTestCase {
    struct Fixture: Decodable { let cases: [Case] }
    struct Case: Decodable {
        let loss: String
        let args: [String: Arg]
        let input: Values, target: Values, seed: Values, value: Values, grad: Values
    }
    struct Values: Decodable {
        let shape: [Int]
        let dtype: String
        let data: [Double]
        func tensor() throws -> Tensor { try Tensor(flat: data, shape: shape, dtype: dtype == "int64" ? .int64 : .float32) }
    }
    enum Arg: Decodable {
        case number(Double), list([Double]), text(String)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let d = try? c.decode(Double.self) { self = .number(d) }
            else if let l = try? c.decode([Double].self) { self = .list(l) }
            else { self = .text(try c.decode(String.self)) }
        }
        var number: Double? { if case .number(let d) = self { return d }; return nil }
        var list: [Double]? { if case .list(let l) = self { return l }; return nil }
        var text: String? { if case .text(let t) = self { return t }; return nil }
    }

    func close(_ actual: Tensor, _ expected: Tensor, _ label: String) {
        XCTAssertEqual(actual.shape, expected.shape, label)
        assertWithinTolerance(actual.scalars(), expected.scalars(), label)
    }

    func testEveryLossMatchesPyTorch() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/loss_reference.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        var losses = Set<String>()
        for (number, item) in fixture.cases.enumerated() {
            let x = try item.input.tensor().requiringGrad(), y = try item.target.tensor()
            let reduction = LossReduction(rawValue: item.args["reduction"]?.text ?? "mean")!
            let value: Tensor
            switch item.loss {
            case "ce":
                value = try Losses.crossEntropy(x, y, weight: item.args["weight"]?.list.map { try Tensor(flat: $0, shape: [$0.count]) },
                                                ignoreIndex: item.args["ignore_index"]?.number.map { Int($0) },
                                                labelSmoothing: item.args["label_smoothing"]?.number ?? 0, reduction: reduction)
            case "bce_logits":
                value = try Losses.binaryCrossEntropyWithLogits(x, y, posWeight: item.args["pos_weight"]?.list.map { try Tensor(flat: $0, shape: [$0.count]) })
            case "mse": value = try Losses.meanSquaredError(x, y, reduction: reduction)
            case "l1": value = try Losses.l1(x, y, reduction: reduction)
            case "smooth_l1": value = try Losses.smoothL1(x, y, beta: item.args["beta"]?.number ?? 1, reduction: reduction)
            case "kl_div": value = try Losses.klDivergence(x, y)
            default: XCTFail("unknown loss \(item.loss)"); continue
            }
            let label = "case \(number) (\(item.loss))"
            close(value, try item.value.tensor(), label + " value")
            try value.backward(item.seed.tensor())
            close(try XCTUnwrap(x.grad), try item.grad.tensor(), label + " gradient")
            losses.insert(item.loss)
        }
        XCTAssertEqual(losses.count, 6)
    }

    func testOneHotAndErrors() throws {
        XCTAssertEqual(try Tensor.oneHot(Tensor([2, 0]), classes: 3).scalars(), [0, 0, 1, 1, 0, 0])
        XCTAssertEqual(try Tensor.oneHot(Tensor([[1, 0]]), classes: 2, axis: 1).shape, [1, 2, 2])
        XCTAssertThrowsError(try Losses.crossEntropy(Tensor.zeros([2, 3]), Tensor([0, 3]))) { error in
            XCTAssertTrue("\(error)".contains("index 3 is out of range for axis 1 of size 3"), "\(error)")
        }
        XCTAssertThrowsError(try Losses.crossEntropy(Tensor.zeros([2, 3]), Tensor([0.0, 1.0]))) { error in
            XCTAssertTrue("\(error)".contains("integer targets"), "\(error)")
        }
    }
}
