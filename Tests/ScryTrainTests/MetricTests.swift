import Foundation
import XCTest
import ScryLang
import ScryNN
@testable import ScryRuntime
import ScryTensor

/// The metrics against Fixtures/metrics.json (Fixtures/make_metrics.py): segmentation as
/// GaNDLF 0.1.5 computes each class (its own functions), classification and regression as
/// scikit-learn and SciPy do; and compute_metrics, which the trainer calls, on the same cases.
final class MetricTests: XCTestCase {
    nonisolated(unsafe) static let fixtures: [String: Any] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/metrics.json")
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    private func cases(_ task: String) -> [[String: Any]] { Self.fixtures[task] as! [[String: Any]] }
    private func numbers(_ value: Any?) -> [Double] { (value as! [Any]).map { ($0 as! NSNumber).doubleValue } }

    func testSegmentationMetricsMatchGaNDLFPerClass() throws {
        for c in cases("segmentation") {
            let name = c["name"] as! String, shape = (c["shape"] as! [Int]), spacing = numbers(c["spacing"])
            let target = numbers(c["target"]), prediction = numbers(c["prediction"])
            for entry in c["per_class"] as! [[String: Any]] {
                let label = (entry["class"] as! NSNumber).doubleValue
                let p = prediction.map { $0 == label }, y = target.map { $0 == label }
                var options = SegmentationMetrics.Options()
                options.tolerance = (entry["nsd_tolerance_mm"] as? NSNumber)?.doubleValue
                let predictedEmpty = !p.contains(true), targetEmpty = !y.contains(true)
                for metric in ["dice", "sensitivity", "specificity", "precision", "iou", "hausdorff", "hausdorff95", "nsd"] {
                    let value = try SegmentationMetrics.compute(metric, predicted: p, target: y, shape: shape, spacing: spacing, options: options)
                    let context = "\(name), class \(label), \(metric)"
                    if ["hausdorff", "hausdorff95", "nsd"].contains(metric) && (predictedEmpty || targetEmpty) {
                        // Scry's documented choice where GaNDLF reports 0: NaN for a distance to
                        // nothing, 1 (hausdorff 0) when both masks are empty.
                        if predictedEmpty && targetEmpty {
                            XCTAssertEqual(value, metric == "nsd" ? 1 : 0, context)
                        } else if metric == "nsd" {
                            XCTAssertEqual(value, 0, context)
                        } else {
                            XCTAssertTrue(value.isNaN, context)
                        }
                        continue
                    }
                    let expected = (entry[metric] as! NSNumber).doubleValue
                    XCTAssertEqual(value, expected, accuracy: 1e-9 * Swift.max(1, Swift.abs(expected)), context)
                }
            }
        }
    }

    func testHausdorff95PoolsBothDirectionsUnlikeMONAI() throws {
        let c = cases("segmentation").first { $0["name"] as? String == "seg2d_3class" }!
        let entry = (c["per_class"] as! [[String: Any]]).first { ($0["class"] as! NSNumber).intValue == 2 }!
        let p = numbers(c["prediction"]).map { $0 == 2 }, y = numbers(c["target"]).map { $0 == 2 }
        let (aToB, bToA) = SurfaceDistance.directed(p, y, shape: c["shape"] as! [Int], spacing: numbers(c["spacing"]))
        let reference = numbers(entry["distances_pred_to_gt"]), reverse = numbers(entry["distances_gt_to_pred"])
        for (ours, theirs) in [(aToB, reference), (bToA, reverse)] {
            XCTAssertEqual(ours.count, theirs.count)
            for (a, b) in zip(ours.sorted(), theirs.sorted()) { XCTAssertEqual(a, b, accuracy: 1e-8) }
        }
        let hd95 = try SegmentationMetrics.compute("hd95", predicted: p, target: y, shape: c["shape"] as! [Int], spacing: numbers(c["spacing"]))
        XCTAssertEqual(hd95, (entry["hausdorff95"] as! NSNumber).doubleValue, accuracy: 1e-9)
        XCTAssertNotEqual(hd95, (entry["hd95_max_of_directed"] as! NSNumber).doubleValue, accuracy: 1e-3)
    }

    /// Surface metrics of a 2D NIfTI's [x, y, 1] masks equal those of the [x, y] masks.
    func testSurfaceMetricsIgnoreAnAxisOfOne() throws {
        let c = cases("segmentation").first { $0["name"] as? String == "seg2d_3class" }!
        let shape = c["shape"] as! [Int], spacing = numbers(c["spacing"])
        let p = numbers(c["prediction"]).map { $0 == 2 }, y = numbers(c["target"]).map { $0 == 2 }
        for metric in ["hausdorff", "hausdorff95", "nsd"] {
            let flat = try SegmentationMetrics.compute(metric, predicted: p, target: y, shape: shape, spacing: spacing)
            let planar = try SegmentationMetrics.compute(metric, predicted: p, target: y, shape: shape + [1], spacing: spacing + [2])
            XCTAssertEqual(planar, flat, accuracy: 1e-12, metric)
        }
    }

    func testClassificationMetricsMatchScikitLearn() throws {
        for c in cases("classification") {
            let name = c["name"] as! String, k = (c["num_classes"] as! NSNumber).intValue
            let flat = numbers(c["probabilities"]), labels = numbers(c["labels"]).map { Int($0) }
            let rows = (0..<labels.count).map { Array(flat[$0 * k..<($0 + 1) * k]) }
            let sk = c["sklearn"] as! [String: Any]
            XCTAssertEqual(try ClassificationMetrics.compute("accuracy", probabilities: rows, target: labels), (sk["accuracy"] as! NSNumber).doubleValue, accuracy: 1e-12, name)
            XCTAssertEqual(try ClassificationMetrics.compute("balanced_accuracy", probabilities: rows, target: labels),
                           (sk["balanced_accuracy"] as! NSNumber).doubleValue, accuracy: 1e-12, name)
            XCTAssertEqual(try ClassificationMetrics.compute("mcc", probabilities: rows, target: labels), (sk["mcc"] as! NSNumber).doubleValue, accuracy: 1e-12, name)
            for (metric, key) in [("precision", "precision"), ("recall", "recall"), ("f1", "f1"), ("iou", "jaccard"), ("specificity", "specificity")] {
                let table = sk[key] as! [String: Any]
                for average in ClassificationMetrics.Average.allCases {
                    let value = try ClassificationMetrics.compute(metric, probabilities: rows, target: labels, average: average)
                    XCTAssertEqual(value, (table[average.rawValue] as! NSNumber).doubleValue, accuracy: 1e-12, "\(name) \(metric) \(average)")
                }
            }
            let auroc = sk["auroc"] as! [String: Any]
            let value = try ClassificationMetrics.compute("auroc", probabilities: rows, target: labels)
            XCTAssertEqual(value, ((auroc["ovr_macro"] ?? auroc["binary_on_p1"]) as! NSNumber).doubleValue, accuracy: 1e-12, name)
            if let weighted = auroc["ovr_weighted"] as? NSNumber {
                XCTAssertEqual(try ClassificationMetrics.compute("auroc", probabilities: rows, target: labels, average: .weighted), weighted.doubleValue, accuracy: 1e-12)
            }
            let predicted = rows.map(ClassificationMetrics.argmax)
            let matrix = (sk["confusion_matrix"] as! [[NSNumber]]).map { $0.map(\.intValue) }
            XCTAssertEqual(ClassificationMetrics.confusionMatrix(predicted: predicted, target: labels, classes: k), matrix, name)
        }
    }

    func testRegressionMetricsMatchScikitLearnAndSciPy() throws {
        for c in cases("regression") {
            let p = numbers(c["prediction"]), y = numbers(c["target"])
            let reference = c["sklearn_scipy"] as! [String: Any]
            for name in RegressionMetrics.names {
                let expected = (reference[name] as! NSNumber).doubleValue
                XCTAssertEqual(try RegressionMetrics.compute(name, prediction: p, target: y), expected, accuracy: 1e-7 * Swift.max(1, Swift.abs(expected)), name)
            }
        }
    }

    /// compute_metrics, as a session calls it, on the 3D case and on the three-class one.
    func testComputeMetricsBindingOnFixtures() throws {
        let interpreter = Session.makeInterpreter()
        interpreter.write = { _ in }
        let seg = cases("segmentation").first { $0["name"] as? String == "seg3d_2class" }!
        let shape = seg["shape"] as! [Int]
        interpreter.globals["p"] = Value.tensor(try Tensor(flat: numbers(seg["prediction"]), shape: [1, 1] + shape))
        interpreter.globals["y"] = Value.tensor(try Tensor(flat: numbers(seg["target"]), shape: [1, 1] + shape))
        interpreter.globals["spacing"] = .list(ListStorage(numbers(seg["spacing"]).map { .float($0) }))
        _ = try interpreter.execute("""
            m = compute_metrics(p, y, ["dice", "hd95", "nsd", "dice_per_label"], class_list: [0, 1], spacing: spacing)
            fg = compute_metrics(p, y, ["dice"], class_list: [0, 1], spacing: spacing, ignore: ["0"])
            """, name: "metrics")
        guard case .dict(let m)? = interpreter.globals["m"], case .dict(let fg)? = interpreter.globals["fg"] else { return XCTFail("no metrics") }
        let means = (seg["mean_over_classes"] as! [String: Any])
        let all = means["ignore_label_validation_none"] as! [String: Any], foreground = means["ignore_label_validation_0"] as! [String: Any]
        func number(_ d: DictStorage, _ key: String) -> Double { if case .float(let f)? = d[.string(key)] { return f }; return .nan }
        XCTAssertEqual(number(m, "dice"), (all["dice"] as! NSNumber).doubleValue, accuracy: 1e-9)
        XCTAssertEqual(number(m, "hd95"), (all["hausdorff95"] as! NSNumber).doubleValue, accuracy: 1e-9)
        XCTAssertEqual(number(m, "nsd"), (all["nsd"] as! NSNumber).doubleValue, accuracy: 1e-9)
        XCTAssertEqual(number(fg, "dice"), (foreground["dice"] as! NSNumber).doubleValue, accuracy: 1e-9)
        let perClass = (seg["per_class"] as! [[String: Any]])
        XCTAssertEqual(number(m, "dice_1"), (perClass[1]["dice"] as! NSNumber).doubleValue, accuracy: 1e-9)
        XCTAssertNil(m[.string("dice_per_label")], "a _per_label name gives per-class entries only")

        let cls = cases("classification").first { $0["name"] as? String == "cls_3class" }!
        interpreter.globals["probabilities"] = Value.tensor(try Tensor(flat: numbers(cls["probabilities"]), shape: [30, 3]))
        interpreter.globals["labels"] = Value.tensor(try Tensor(flat: numbers(cls["labels"]), shape: [30]))
        _ = try interpreter.execute("""
            c = compute_metrics(probabilities, labels, ["accuracy", "f1", "f1_macro", "auroc", "confusion_matrix"], task: "classification")
            """, name: "classification")
        guard case .dict(let c)? = interpreter.globals["c"] else { return XCTFail("no classification metrics") }
        let sk = cls["sklearn"] as! [String: Any], f1 = sk["f1"] as! [String: Any]
        XCTAssertEqual(number(c, "f1"), (f1["weighted"] as! NSNumber).doubleValue, accuracy: 1e-12, "GaNDLF's default averaging is weighted")
        XCTAssertEqual(number(c, "f1_macro"), (f1["macro"] as! NSNumber).doubleValue, accuracy: 1e-12)
        XCTAssertEqual(number(c, "auroc"), ((sk["auroc"] as! [String: Any])["ovr_macro"] as! NSNumber).doubleValue, accuracy: 1e-12)
        XCTAssertEqual(c[.string("confusion_matrix")]?.printed, "[[11, 3, 0], [5, 4, 1], [2, 2, 2]]")
        XCTAssertThrowsError(try interpreter.execute("compute_metrics(probabilities, labels, [\"dice\"], task: \"classification\")", name: "bad"))
    }
}
