import Foundation
import ScryTensor

/// What a dataset shows: its subjects, channels, shapes, spacings, intensity range, label
/// classes with their voxel counts, and the targets' range or classes.
public struct DatasetSummary {
    public let subjects: Int, channels: [String]
    /// Distinct spatial shapes and spacings, each with how many subjects have it.
    public let shapes: [([Int], Int)], spacings: [([Double], Int)]
    public let intensity: (low: Double, high: Double)
    /// Label class → voxels, over every label map.
    public let labelVoxels: [(Int, Int)]
    public let values: [Double]

    public init(_ dataset: Dataset) throws {
        subjects = dataset.count
        channels = dataset.channelNames
        var shapeCounts: [[Int]: Int] = [:], spacingCounts: [[Double]: Int] = [:], classes: [Int: Int] = [:]
        var low = Double.infinity, high = -Double.infinity
        for i in 0..<dataset.count {
            let image = try dataset.image(i)
            shapeCounts[image.shape, default: 0] += 1
            spacingCounts[image.spacing.map { ($0 * 1e4).rounded() / 1e4 }, default: 0] += 1
            low = Swift.min(low, try image.data.min().item()); high = Swift.max(high, try image.data.max().item())
            if let label = try dataset.label(i) {
                for value in label.data.scalars() where value.isFinite && Swift.abs(value) < 1e9 { classes[Int(value.rounded()), default: 0] += 1 }
            }
        }
        shapes = shapeCounts.sorted { $0.value > $1.value }.map { ($0.key, $0.value) }
        spacings = spacingCounts.sorted { $0.value > $1.value }.map { ($0.key, $0.value) }
        intensity = dataset.count == 0 ? (0, 0) : (low, high)
        labelVoxels = classes.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        values = dataset.subjects.compactMap(\.value)
    }

    public var text: String {
        func list<T>(_ items: [(T, Int)], _ show: (T) -> String) -> String {
            items.map { show($0.0) + (items.count > 1 ? " (\($0.1))" : "") }.joined(separator: ", ")
        }
        var lines = ["subjects: \(subjects)", "channels: \(channels.joined(separator: ", "))",
                     "shape: " + list(shapes) { shapeString($0) },
                     "spacing: " + list(spacings) { "[" + $0.map { String(format: "%g", $0) }.joined(separator: ", ") + "]" },
                     String(format: "intensity: %.4g to %.4g", intensity.low, intensity.high)]
        if !labelVoxels.isEmpty {
            lines.append("label classes (voxels): " + labelVoxels.map { "\($0.0): \($0.1)" }.joined(separator: ", "))
        }
        if !values.isEmpty {
            let distinct = Set(values)
            if distinct.count <= 10 && distinct.allSatisfy({ $0 == $0.rounded() && Swift.abs($0) < 1e15 }) {
                lines.append("values: " + distinct.sorted().map { v in "\(Int(v)) (\(values.filter { $0 == v }.count))" }.joined(separator: ", "))
            } else {
                lines.append(String(format: "values: %.4g to %.4g, mean %.4g", values.min()!, values.max()!, values.reduce(0, +) / Double(values.count)))
            }
        }
        return lines.joined(separator: "\n")
    }
}
