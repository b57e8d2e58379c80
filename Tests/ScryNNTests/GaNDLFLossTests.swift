import Foundation
import ScryNN
import ScryTensor
import XCTest

/// Every loss key GaNDLF accepts (and its aliases), against values and input gradients computed
/// by importing GaNDLF itself (Fixtures/gandlf_loss_reference.json, GANDLF_SPEC.md), plus its
/// penalty weights from training labels.
final class GaNDLFLossTests: XCTestCase {
    nonisolated(unsafe) static let fixture = jsonFixture("gandlf_loss_reference.json")


    func testEveryKeyAndAliasMatchesGaNDLF() throws {
        var covered = Set<String>()
        for (number, item) in (GaNDLFLossTests.fixture["cases"] as! [[String: Any]]).enumerated() {
            let key = item["loss"] as! String, args = item["args"] as? [String: Any] ?? [:]
            var options = LossFunction.Options()
            options.segmentation.penaltyWeights = (args["penalty_weights"] as? [NSNumber])?.map(\.doubleValue)
            let lossFunction = args["loss_function"] as? [String: Any] ?? [:]
            if let gamma = lossFunction["gamma"] as? NSNumber { options.segmentation.gamma = gamma.doubleValue }
            if let average = lossFunction["size_average"] as? Bool { options.segmentation.sizeAverage = average }
            if let mse = lossFunction["mse"] as? [String: Any], key == "mse" {
                options.reduction = LossReduction(rawValue: mse["reduction"] as? String ?? "mean")!
                options.scalingFactor = (mse["scaling_factor"] as? NSNumber)?.doubleValue ?? 1
            }
            if key == "l1" && args["scaling_factor"] != nil { continue }  // hand-built params GaNDLF's own config path rejects (GANDLF_SPEC.md 1.5)
            if key == "tversky" && item["params_is_none"] as? Bool == true { options.segmentation.reduction = .sum }
            let x = try fixtureTensor(item["input"]).requiringGrad(), y = try fixtureTensor(item["target"])
            let aliases = item["aliases"] as! [String]
            for name in aliases {
                let value = try LossFunction(name, options: options)(x, y)
                XCTAssertEqual(value.shape, [], "case \(number) (\(name))")
                assertWithinTolerance(value.scalars(), try fixtureTensor(item["value"]).scalars(), "case \(number) (\(name)) value")
                covered.insert(name)
            }
            x.zeroGrad()
            try LossFunction(key, options: options)(x, y).backward()
            assertWithinTolerance(x.grad!.scalars(), try fixtureTensor(item["grad"]).scalars(), "case \(number) (\(key)) gradient")
        }
        let gandlfKeys = Set((GaNDLFLossTests.fixture["aliases"] as! [String: [String]]).values.flatMap { $0 })
        XCTAssertEqual(covered.intersection(gandlfKeys), gandlfKeys, "every GaNDLF key has a case")
    }

    func testPenaltyWeightsFromTrainingLabels() throws {
        let block = (GaNDLFLossTests.fixture["penalty"] as! [String: Any])["segmentation"] as! [String: Any]
        let labels = try fixtureTensor(block["labels"])
        let classes = (block["class_list"] as! [NSNumber]).map(\.doubleValue)
        let weights = try SegmentationLosses.penaltyWeights(labels: [labels.index([.at(0)]), labels.index([.at(1)])], classList: classes)
        assertWithinTolerance(weights, (block["penalty_weights"] as! [NSNumber]).map(\.doubleValue), "penalty weights")
    }

    func testPerClassReductionsAndErrors() throws {
        let p = try Tensor.rand([2, 3, 4]).softmax(axis: 1)
        let t = try Tensor.oneHot(Tensor.randint(0, 3, [2, 4]), classes: 3, axis: 1)
        var options = LossFunction.Options()
        options.segmentation.reduction = .none
        let perClass = try LossFunction("dice", options: options)(p, t)
        XCTAssertEqual(perClass.shape, [3])
        assertWithinTolerance([try LossFunction("dc")(p, t).item()], [try perClass.mean().item()], "mean of the per-class losses")
        XCTAssertThrowsError(try LossFunction("dc")(p, try Tensor.zeros([2, 2, 4]))) { XCTAssertTrue("\($0)".contains("[2, 3, 4]")) }
        XCTAssertThrowsError(try LossFunction("dicey")) { XCTAssertTrue("\($0)".contains("unknown loss \"dicey\"")) }
    }
}
