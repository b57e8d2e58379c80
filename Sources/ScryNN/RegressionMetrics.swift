import Foundation

/// Regression metrics by GaNDLF's names, as scikit-learn and SciPy define them.
public enum RegressionMetrics {
    public static let names = ["mse", "mae", "rmse", "pearson", "spearman", "r2"]

    /// The metric `name` of predictions against targets (equal lengths, at least one).
    public static func compute(_ name: String, prediction p: [Double], target y: [Double]) throws -> Double {
        guard p.count == y.count, !p.isEmpty else {
            throw MetricError("\(name): \(p.count) predictions for \(y.count) targets")
        }
        let n = Double(p.count)
        switch name {
        case "mse": return zip(p, y).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / n
        case "mae": return zip(p, y).map { Swift.abs($0 - $1) }.reduce(0, +) / n
        case "rmse": return try compute("mse", prediction: p, target: y).squareRoot()
        case "pearson": return pearson(p, y)
        case "spearman": return pearson(ranks(p), ranks(y))
        case "r2":
            let mean = y.reduce(0, +) / n
            let residual = zip(p, y).map { ($1 - $0) * ($1 - $0) }.reduce(0, +), total = y.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
            // scikit-learn's convention for constant targets: 1 when predicted exactly, else 0.
            if total == 0 { return residual == 0 ? 1 : 0 }
            return 1 - residual / total
        default: throw MetricError("unknown regression metric \"\(name)\"; known: \(names.joined(separator: ", "))")
        }
    }

    /// Pearson's correlation; NaN when either side is constant, as SciPy returns.
    static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count), ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for (x, y) in zip(a, b) { sab += (x - ma) * (y - mb); saa += (x - ma) * (x - ma); sbb += (y - mb) * (y - mb) }
        guard saa > 0, sbb > 0 else { return .nan }
        return Swift.max(-1, Swift.min(1, sab / (saa * sbb).squareRoot()))
    }

    /// Ranks from 1, ties sharing their mean rank (SciPy's rankdata, "average").
    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var result = [Double](repeating: 0, count: values.count), i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j { result[order[k]] = rank }
            i = j + 1
        }
        return result
    }
}

/// A metric that cannot be computed from what it was given.
public struct MetricError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
