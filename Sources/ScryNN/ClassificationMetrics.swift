/// Classification metrics by GaNDLF's names, as scikit-learn defines them: from class
/// probabilities [N, K] (rows sum to 1) and target class indices.
public enum ClassificationMetrics {
    public static let names = ["accuracy", "balanced_accuracy", "precision", "recall", "f1", "specificity", "iou", "mcc", "auroc",
                               "confusion_matrix"]
    /// GaNDLF's other names for the same metrics.
    public static let aliases = ["classification_accuracy": "accuracy", "f1_score": "f1", "jaccard": "iou", "sensitivity": "recall"]

    /// How per-class precision, recall and F1 become one number.
    public enum Average: String, CaseIterable, Sendable {
        /// From the counts pooled over classes (equals accuracy for single-label data).
        case micro
        /// The unweighted mean over classes.
        case macro
        /// The mean over classes weighted by each class's number of targets.
        case weighted
    }

    /// counts[target][predicted] over `classes` classes.
    public static func confusionMatrix(predicted: [Int], target: [Int], classes: Int) -> [[Int]] {
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (p, y) in zip(predicted, target) where (0..<classes).contains(p) && (0..<classes).contains(y) { matrix[y][p] += 1 }
        return matrix
    }

    /// The most probable class; the first of equally probable ones, as argmax picks.
    public static func argmax(_ row: [Double]) -> Int {
        var best = 0
        for c in row.indices where row[c] > row[best] { best = c }
        return best
    }

    /// The metric `name` (accuracy, balanced_accuracy, precision, recall, f1, auroc).
    public static func compute(_ name: String, probabilities: [[Double]], target: [Int], average: Average = .macro) throws -> Double {
        guard probabilities.count == target.count, !target.isEmpty else {
            throw MetricError("\(name): \(probabilities.count) predictions for \(target.count) targets")
        }
        let classes = probabilities[0].count
        guard classes >= 2, probabilities.allSatisfy({ $0.count == classes }) else { throw MetricError("\(name): needs probabilities of at least two classes per sample") }
        if let bad = target.first(where: { !(0..<classes).contains($0) }) {
            throw MetricError("\(name): target class \(bad) is outside the \(classes) classes")
        }
        let predicted = probabilities.map(argmax)
        return try fromLabels(name, predicted: predicted, target: target, probabilities: probabilities, classes: classes, average: average)
    }

    private static func fromLabels(_ name: String, predicted: [Int], target: [Int], probabilities: [[Double]], classes: Int,
                                   average: Average) throws -> Double {
        let matrix = confusionMatrix(predicted: predicted, target: target, classes: classes)
        let n = Double(target.count)
        let tp = (0..<classes).map { Double(matrix[$0][$0]) }
        let support = (0..<classes).map { Double(matrix[$0].reduce(0, +)) }
        let predictedCount = (0..<classes).map { c in Double(matrix.map { $0[c] }.reduce(0, +)) }
        // scikit-learn's zero_division default: a ratio with nothing to count is 0.
        func ratio(_ a: Double, _ b: Double) -> Double { b > 0 ? a / b : 0 }
        func averaged(_ perClass: [Double], micro: Double) -> Double {
            switch average {
            case .micro: return micro
            case .macro: return perClass.reduce(0, +) / Double(classes)
            case .weighted: return ratio(zip(perClass, support).map { $0 * $1 }.reduce(0, +), support.reduce(0, +))
            }
        }
        let precision = (0..<classes).map { ratio(tp[$0], predictedCount[$0]) }
        let recall = (0..<classes).map { ratio(tp[$0], support[$0]) }
        let accuracy = tp.reduce(0, +) / n
        let falsePositives = (0..<classes).map { predictedCount[$0] - tp[$0] }
        let trueNegatives = (0..<classes).map { n - support[$0] - falsePositives[$0] }
        switch aliases[name] ?? name {
        case "accuracy": return accuracy
        case "balanced_accuracy":
            // The mean recall over the classes that occur among the targets.
            let present = (0..<classes).filter { support[$0] > 0 }
            return present.map { recall[$0] }.reduce(0, +) / Double(present.count)
        case "precision": return averaged(precision, micro: accuracy)
        case "recall": return averaged(recall, micro: accuracy)
        case "f1":
            let f1 = (0..<classes).map { ratio(2 * precision[$0] * recall[$0], precision[$0] + recall[$0]) }
            return averaged(f1, micro: accuracy)
        case "specificity":
            let perClass = (0..<classes).map { ratio(trueNegatives[$0], trueNegatives[$0] + falsePositives[$0]) }
            return averaged(perClass, micro: ratio(trueNegatives.reduce(0, +), trueNegatives.reduce(0, +) + falsePositives.reduce(0, +)))
        case "iou":
            let perClass = (0..<classes).map { ratio(tp[$0], support[$0] + falsePositives[$0]) }
            let pooledErrors = support.reduce(0, +) + falsePositives.reduce(0, +)
            return averaged(perClass, micro: ratio(tp.reduce(0, +), pooledErrors))
        case "mcc":
            // Matthews' correlation for K classes (Gorodkin's form, as scikit-learn computes it).
            let correct = tp.reduce(0, +)
            let covariance = correct * n - zip(predictedCount, support).map { $0 * $1 }.reduce(0, +)
            let predictedSpread = n * n - predictedCount.map { $0 * $0 }.reduce(0, +), targetSpread = n * n - support.map { $0 * $0 }.reduce(0, +)
            return predictedSpread * targetSpread > 0 ? covariance / (predictedSpread * targetSpread).squareRoot() : 0
        case "auroc":
            // Undefined (NaN, left out of means) for targets of one class, as a training batch can be.
            let present = (0..<classes).filter { support[$0] > 0 && support[$0] < n }
            guard present.count == classes else { return .nan }
            if classes == 2 { return try auc(scores: probabilities.map { $0[1] }, positive: target.map { $0 == 1 }) }
            // One-vs-rest, each class's AUC averaged (macro) or weighted by its support.
            let aucs = try present.map { c in try auc(scores: probabilities.map { $0[c] }, positive: target.map { $0 == c }) }
            return average == .weighted ? zip(aucs, present).map { $0 * support[$1] }.reduce(0, +) / n : aucs.reduce(0, +) / Double(aucs.count)
        default:
            throw MetricError("unknown classification metric \"\(name)\"; known: \(names.joined(separator: ", "))")
        }
    }

    /// The area under the ROC curve: the probability that a positive outscores a negative,
    /// ties counting a half (the Mann–Whitney statistic, which equals the trapezoidal area).
    public static func auc(scores: [Double], positive: [Bool]) throws -> Double {
        let positives = positive.filter { $0 }.count, negatives = positive.count - positives
        guard positives > 0, negatives > 0 else { throw MetricError("auroc: needs both positive and negative targets") }
        let ranks = RegressionMetrics.ranks(scores)
        let rankSum = zip(ranks, positive).filter { $0.1 }.map(\.0).reduce(0, +)
        return (rankSum - Double(positives * (positives + 1)) / 2) / Double(positives * negatives)
    }
}
