import Foundation
import ScryTensor

/// Deterministic synthetic subjects that ship with Scry: an ellipsoid "organ" with smaller
/// "lesions" inside it (and, for more classes, further structures), each with its own intensity,
/// under a smooth multiplicative bias field and Gaussian noise. Labels follow the task: a mask
/// (segmentation), whether a lesion is present or how many there are (classification), or the
/// lesion volume in voxels (regression). The same arguments always give the same subjects.
public struct Phantom {
    public enum Task: String, CaseIterable, Sendable { case segmentation, classification, regression }

    public let dimension: Int, size: Int, classes: Int, task: Task, seed: UInt64

    public init(dimension: Int = 2, size: Int = 128, classes: Int = 3, task: Task = .segmentation, seed: UInt64 = 0) throws {
        guard dimension == 2 || dimension == 3 else { throw TensorError.invalidArgument(op: "phantom", "dimension must be 2 or 3, got \(dimension)") }
        guard size >= 8, size <= (dimension == 2 ? 4096 : 512) else {
            throw TensorError.invalidArgument(op: "phantom", "size must be 8…\(dimension == 2 ? 4096 : 512) in \(dimension)D, got \(size)")
        }
        guard classes >= 2 && classes <= 8 else { throw TensorError.invalidArgument(op: "phantom", "classes must be 2 to 8, got \(classes)") }
        self.dimension = dimension; self.size = size; self.classes = classes; self.task = task; self.seed = seed
    }

    struct Ellipsoid {
        var center: [Double], radii: [Double]
        func contains(_ point: [Double]) -> Bool {
            zip(zip(point, center), radii).reduce(0) { $0 + Foundation.pow(($1.0.0 - $1.0.1) / $1.1, 2) } <= 1
        }
    }

    /// Subject `index`: its image [1, …spatial], its label map (class indices, same shape) and
    /// its target value for classification and regression.
    public func subject(_ index: Int) throws -> (image: MedicalImage, label: MedicalImage, value: Double) {
        var random = RandomGenerator(seed: seed &* 1_000_003 &+ UInt64(index) &+ 1)
        func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * Double(random.nextUniform()) }
        let s = Double(size)
        let organ = Ellipsoid(center: (0..<dimension).map { _ in s / 2 + uniform(-0.08, 0.08) * s },
                              radii: (0..<dimension).map { _ in uniform(0.28, 0.38) * s })
        // Lesions: class `classes − 1`; structures of the classes between organ and lesion.
        let lesionCount: Int
        switch task {
        case .segmentation: lesionCount = 1 + Int(random.next() % 3)
        case .classification: lesionCount = classes == 2 ? Int(random.next() % 2) : Int(random.next() % UInt64(classes))
        case .regression: lesionCount = 1 + Int(random.next() % 3)
        }
        func inside(_ radiusRange: (Double, Double)) -> Ellipsoid {
            let radii = (0..<dimension).map { _ in uniform(radiusRange.0, radiusRange.1) * s }
            let center = (0..<dimension).map { axis in organ.center[axis] + uniform(-0.45, 0.45) * (organ.radii[axis] - radii[axis]) }
            return Ellipsoid(center: center, radii: radii)
        }
        let structures = (0..<Swift.max(0, classes - 3)).map { _ in inside((0.08, 0.14)) }
        let lesions = (0..<lesionCount).map { _ in inside((0.04, 0.08)) }
        // Intensities: background, organ, the extra structures, lesions.
        let intensities = [0.05, 0.45] + structures.indices.map { 0.25 + 0.1 * Double($0) } + [0.9]
        let gradient = (0..<dimension).map { _ in uniform(-0.25, 0.25) }, phase = uniform(0, 2 * Double.pi)
        let shape = [Int](repeating: size, count: dimension), count = shape.reduce(1, *)
        var image = [Float](repeating: 0, count: count), label = [Float](repeating: 0, count: count)
        var lesionVoxels = 0
        var point = [Double](repeating: 0, count: dimension)
        for i in 0..<count {
            var rest = i
            for axis in (0..<dimension).reversed() { point[axis] = Double(rest % size) + 0.5; rest /= size }
            // `kind` picks the intensity (every lesion is bright); the label is its class.
            var kind = 0, cls = 0
            if organ.contains(point) {
                kind = 1; cls = 1
                for (k, structure) in structures.enumerated() where structure.contains(point) { kind = 2 + k; cls = 2 + k }
                if lesions.contains(where: { $0.contains(point) }) { kind = intensities.count - 1; cls = classes - 1; lesionVoxels += 1 }
            }
            let relative = point.map { $0 / s - 0.5 }
            let bias = 1 + zip(gradient, relative).reduce(0) { $0 + $1.0 * $1.1 } + 0.1 * sin(2 * Double.pi * relative[0] + phase)
            image[i] = Float(intensities[kind] * bias + 0.04 * Double(random.nextNormal()))
            label[i] = Float(cls)
        }
        let value: Double
        switch task {
        case .segmentation: value = 0
        case .classification: value = Double(lesionCount)
        case .regression: value = Double(lesionVoxels)
        }
        return (try MedicalImage(data: try Tensor(image, shape: [1] + shape), format: "phantom"),
                try MedicalImage(data: try Tensor(label, shape: [1] + shape), format: "phantom"), value)
    }
}
