import ScryTensor

/// Segmentation metrics by GaNDLF's names, for one class of one sample: binary masks of the
/// prediction and the target over the same grid, with the voxel spacing in mm.
public enum SegmentationMetrics {
    /// Names and aliases as GaNDLF's configurations write them.
    public static let aliases: [String: String] = [
        "dice": "dice", "iou": "iou", "jaccard": "iou", "sensitivity": "sensitivity", "recall": "sensitivity",
        "specificity": "specificity", "specificity_segmentation": "specificity", "precision": "precision", "hausdorff": "hausdorff", "hausdorff100": "hausdorff",
        "hd100": "hausdorff", "hausdorff95": "hausdorff95", "hd95": "hausdorff95", "nsd": "nsd",
        "normalized_surface_dice": "nsd", "normalised_surface_distance": "nsd", "normalized_surface_distance": "nsd",
        "normalized_sd": "nsd",
    ]

    /// The canonical name of a metric, or nil when it is not a segmentation metric.
    public static func canonical(_ name: String) -> String? { aliases[name.lowercased()] }

    /// Settings shared by the metrics.
    public struct Options: Sendable {
        /// The smoothing term of Dice, as GaNDLF adds it to numerator and denominator (the
        /// smallest normal double: two empty masks score 1).
        public var smooth = Double.leastNormalMagnitude
        /// The normalised surface distance's tolerance in mm; nil for GaNDLF's choice, the
        /// larger of 1 mm and the finest spacing.
        public var tolerance: Double?
        public init() {}
    }

    /// The metric `name` for one class of one sample.
    public static func compute(_ name: String, predicted p: [Bool], target y: [Bool], shape: [Int], spacing: [Double],
                               options: Options = Options()) throws -> Double {
        try compute([name], predicted: p, target: y, shape: shape, spacing: spacing, options: options)[0]
    }

    /// Several metrics for one class of one sample, counting the voxels and measuring the
    /// surfaces once for all of them.
    public static func compute(_ names: [String], predicted p: [Bool], target y: [Bool], shape: [Int], spacing: [Double],
                               options: Options = Options()) throws -> [Double] {
        let metrics = try names.map { name in
            guard let metric = canonical(name) else {
                throw MetricError("unknown segmentation metric \"\(name)\"; known: \(aliases.keys.sorted().joined(separator: ", "))")
            }
            return metric
        }
        guard p.count == y.count, p.count == shape.reduce(1, *), spacing.count == shape.count else {
            throw MetricError("\(names.joined(separator: ", ")): masks of \(p.count) and \(y.count) voxels on a grid \(shape) with spacing \(spacing)")
        }
        var tp = 0.0, fp = 0.0, fn = 0.0, tn = 0.0
        for (a, b) in zip(p, y) {
            switch (a, b) {
            case (true, true): tp += 1
            case (true, false): fp += 1
            case (false, true): fn += 1
            case (false, false): tn += 1
            }
        }
        // Two empty masks agree perfectly; otherwise a ratio with nothing to count is 0.
        let bothEmpty = tp + fp + fn == 0
        func ratio(_ a: Double, _ b: Double) -> Double { bothEmpty ? 1 : b > 0 ? a / b : 0 }
        // Axes of size 1 (a 2D NIfTI's third) hold no surface: measuring on the others keeps a
        // [x, y, 1] map's distances those of the [x, y] one.
        let kept = shape.indices.filter { shape[$0] > 1 }
        let grid = kept.isEmpty ? [1] : kept.map { shape[$0] }, steps = kept.isEmpty ? [1] : kept.map { spacing[$0] }
        var distances: (aToB: [Double], bToA: [Double])?
        return metrics.map { metric in
            switch metric {
            case "dice": return (2 * tp + options.smooth) / (2 * tp + fp + fn + options.smooth)
            case "iou": return ratio(tp, tp + fp + fn)
            case "sensitivity": return ratio(tp, tp + fn)
            case "specificity": return tn + fp > 0 ? tn / (tn + fp) : 1
            case "precision": return ratio(tp, tp + fp)
            default: break
            }
            // A surface distance to nothing is undefined: NaN (left out of means), as MONAI
            // reports it, where GaNDLF's 0 would read as a perfect score for a missed class.
            if bothEmpty { return metric == "nsd" ? 1 : 0 }
            if tp + fp == 0 || tp + fn == 0 { return metric == "nsd" ? 0 : .nan }
            if distances == nil { distances = SurfaceDistance.directed(p, y, shape: grid, spacing: steps) }
            let (aToB, bToA) = distances!
            switch metric {
            case "hausdorff": return Swift.max(aToB.max() ?? 0, bToA.max() ?? 0)
            case "hausdorff95": return percentile(sorted: (aToB + bToA).sorted(), 95)
            default:
                // GaNDLF's definition: the mean of the two directions' fractions within tolerance.
                let tolerance = options.tolerance ?? Swift.max(1, steps.min() ?? 1)
                func within(_ distances: [Double]) -> Double { Double(distances.filter { $0 <= tolerance }.count) / Double(distances.count) }
                return (within(aToB) + within(bToA)) / 2
            }
        }
    }
}
