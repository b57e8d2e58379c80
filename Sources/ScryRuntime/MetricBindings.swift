import ScryData
import ScryLang
import ScryNN
import ScryTensor

/// `compute_metrics(prediction, target, names, task: …)`: GaNDLF's metrics by name, as a dict.
enum MetricBindings {
    /// Segmentation, from label maps [N, 1, …] or [1, …]: each metric's mean over the classes
    /// (those in `ignore` left out) and, with `perClass` or for a name ending in _per_label (as
    /// GaNDLF's dice_per_label), its value per class (`dice_1`…); each a mean over samples.
    static func segmentation(_ names: [String], prediction: Tensor, target: Tensor, classList: [String], spacing: [Double]?,
                             ignore: [String], perClass: Bool, options: SegmentationMetrics.Options) throws -> DictStorage {
        guard prediction.shape == target.shape else {
            throw ScryError(.shapeError, "compute_metrics(): prediction \(shapeString(prediction.shape)) and target \(shapeString(target.shape)) differ")
        }
        let classes = try LabelEncoding.parse(classList)
        let batched = prediction.rank >= 3 && prediction.shape[1] == 1
        let p = try LabelEncoding.oneHot(batched ? prediction : prediction.unsqueeze(0), classes: classes).scalars()
        let y = try LabelEncoding.oneHot(batched ? target : target.unsqueeze(0), classes: classes).scalars()
        let samples = batched ? prediction.shape[0] : 1
        let shape = Array(prediction.shape.dropFirst(batched ? 2 : 1)), volume = shape.reduce(1, *)
        let spacing = spacing ?? [Double](repeating: 1, count: shape.count)
        guard spacing.count == shape.count else {
            throw ScryError(.valueError, "compute_metrics(): spacing \(spacing) has \(spacing.count) values for \(shape.count) spatial axes")
        }
        // Every metric of a class and sample at once: the surfaces are measured once for all.
        let bases = names.map { $0.hasSuffix("_per_label") ? String($0.dropLast(10)) : $0 }
        var values = [[[Double]]](repeating: [[Double]](repeating: [], count: classes.count), count: names.count)
        for k in classes.indices {
            for n in 0..<samples {
                let start = (n * classes.count + k) * volume
                let pk = p[start..<start + volume].map { $0 > 0.5 }, yk = y[start..<start + volume].map { $0 > 0.5 }
                let computed: [Double]
                do {
                    computed = try SegmentationMetrics.compute(bases, predicted: pk, target: yk, shape: shape, spacing: spacing, options: options)
                } catch let error as MetricError { throw ScryError(.valueError, "compute_metrics(): \(error.description)") }
                for m in names.indices { values[m][k].append(computed[m]) }
            }
        }
        let result = DictStorage()
        let counted = classes.indices.filter { !ignore.contains(classList[$0]) }
        for (m, given) in names.enumerated() {
            let perLabel = given.hasSuffix("_per_label"), name = bases[m]
            let classValues = values[m].map(finiteMean)
            if !perLabel { try result.set(.string(name), .float(finiteMean(counted.map { classValues[$0] }))) }
            if perLabel || perClass {
                for (k, value) in classValues.enumerated() { try result.set(.string("\(name)_\(classList[k])"), .float(value)) }
            }
        }
        return result
    }

    /// The mean of the finite values; NaN when there are none (a surface distance to nothing).
    static func finiteMean(_ values: [Double]) -> Double {
        let finite = values.filter(\.isFinite)
        return finite.isEmpty ? .nan : finite.reduce(0, +) / Double(finite.count)
    }

    /// Classification; `average` nil is GaNDLF's choice, weighted (but auroc macro, as
    /// scikit-learn's roc_auc_score).
    static func classification(_ names: [String], probabilities: Tensor, target: Tensor, average: ClassificationMetrics.Average?) throws -> DictStorage {
        guard probabilities.rank == 2, target.count == probabilities.shape[0] else {
            throw ScryError(.shapeError, "compute_metrics(): classification takes probabilities [N, K] and N targets, got \(shapeString(probabilities.shape)) and \(shapeString(target.shape))")
        }
        let k = probabilities.shape[1], flat: [Double] = probabilities.scalars()
        let rows = (0..<probabilities.shape[0]).map { Array(flat[$0 * k..<($0 + 1) * k]) }
        let labels = target.scalars().map { Int($0) }
        let result = DictStorage()
        for name in names {
            if name == "confusion_matrix" {
                let predicted = rows.map(ClassificationMetrics.argmax)
                let matrix = ClassificationMetrics.confusionMatrix(predicted: predicted, target: labels, classes: k)
                let lists: [Value] = matrix.map { row in .list(ListStorage(row.map { Value.int($0) })) }
                try result.set(.string(name), .list(ListStorage(lists)))
                continue
            }
            // f1_macro and the like choose their own averaging.
            var base = name, chosen = average ?? (name == "auroc" ? .macro : .weighted)
            if let suffix = ClassificationMetrics.Average.allCases.first(where: { name.hasSuffix("_" + $0.rawValue) }) {
                base = String(name.dropLast(suffix.rawValue.count + 1))
                chosen = suffix
            }
            do {
                try result.set(.string(name), .float(try ClassificationMetrics.compute(base, probabilities: rows, target: labels, average: chosen)))
            } catch let error as MetricError { throw ScryError(.valueError, "compute_metrics(): \(error.description)") }
        }
        return result
    }

    static func regression(_ names: [String], prediction: Tensor, target: Tensor) throws -> DictStorage {
        guard prediction.count == target.count else {
            throw ScryError(.shapeError, "compute_metrics(): \(prediction.count) predictions for \(target.count) targets")
        }
        let p: [Double] = prediction.scalars(), y: [Double] = target.scalars()
        let result = DictStorage()
        for name in names {
            do { try result.set(.string(name), .float(try RegressionMetrics.compute(name, prediction: p, target: y))) } catch let error as MetricError {
                throw ScryError(.valueError, "compute_metrics(): \(error.description)")
            }
        }
        return result
    }

    nonisolated(unsafe) static let functions: [NativeFunction] = [
        NativeFunction("metric_names", [Parameter("task")],
                       doc: "The metric names compute_metrics accepts for a task, aliases included (segmentation names also take _per_label, classification ones _micro, _macro or _weighted).") { a in
            let names: [String]
            switch try a.string("task") {
            case "segmentation": names = SegmentationMetrics.aliases.keys.sorted()
            case "classification": names = (ClassificationMetrics.names + ClassificationMetrics.aliases.keys).sorted()
            case "regression": names = RegressionMetrics.names
            default: throw a.typeError("task", "\"segmentation\", \"classification\" or \"regression\"")
            }
            return .list(ListStorage(names.map { .string($0) }))
        },
        NativeFunction("compute_metrics", [Parameter("prediction"), Parameter("target"), Parameter("names"), Parameter("task", default: .string("segmentation")),
                                           Parameter("class_list", default: .nil), Parameter("spacing", default: .nil), Parameter("ignore", default: .list(ListStorage([]))),
                                           Parameter("average", default: .nil), Parameter("tolerance", default: .nil),
                                           Parameter("per_class", default: .bool(true))],
                       doc: "GaNDLF's metrics by name as a dict. Segmentation: label maps [N, 1, …] with a class_list and spacing in mm (each metric's mean over classes, and per class as dice_1…); classification: probabilities [N, K] and class indices; regression: values.",
                       help: """
                       Segmentation: dice, iou (jaccard), sensitivity, specificity, precision, hausdorff (hd100), hausdorff95 \
                       (hd95: the 95th percentile of the pooled surface distances, in mm), nsd (normalised surface dice within \
                       tolerance mm, by default the larger of 1 and the finest spacing); ignore: classes left out of the mean (e.g. ["0"]). Classification: accuracy, \
                       balanced_accuracy, precision, recall, f1, specificity, iou (average: micro, macro or weighted — GaNDLF's \
                       weighted by default — or as a suffix, f1_macro), mcc, auroc (from probabilities, one-vs-rest), \
                       confusion_matrix. \
                       Regression: mse, mae, rmse, pearson, spearman, r2.
                       """) { a in
            let names = try a.list("names").map { item -> String in
                guard case .string(let s) = item else { throw a.typeError("names", "a list of metric names") }
                return s.lowercased()
            }
            let prediction = try TensorBindings.tensor(a["prediction"], "prediction", "compute_metrics", dtype: .float32)
            let target = try TensorBindings.tensor(a["target"], "target", "compute_metrics", dtype: .float32)
            let result: DictStorage
            switch try a.string("task") {
            case "segmentation":
                var options = SegmentationMetrics.Options()
                options.tolerance = try a.optionalDouble("tolerance")
                let classList = a.has("class_list") ? try a.list("class_list").map(\.printed) : ["0", "1"]
                result = try segmentation(names, prediction: prediction, target: target, classList: classList,
                                          spacing: a.has("spacing") ? try a.doubleList("spacing") : nil,
                                          ignore: try a.list("ignore").map(\.printed), perClass: try a.bool("per_class"), options: options)
            case "classification":
                let average = a.has("average") ? try a.choice("average", ClassificationMetrics.Average.self) : nil
                result = try classification(names, probabilities: prediction, target: target, average: average)
            case "regression":
                result = try regression(names, prediction: prediction, target: target)
            default:
                throw a.typeError("task", "\"segmentation\", \"classification\" or \"regression\"")
            }
            return .dict(result)
        },
    ]
}
