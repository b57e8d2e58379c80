import ScryTensor

/// Fixed-size patches from an image and its label map: uniformly placed, (label sampling)
/// centred on a foreground voxel with a chosen probability, as GaNDLF's label sampler does, or
/// centred on a voxel of a label value drawn with weights (GaNDLF's biased sampling).
/// Images smaller than the patch are padded with zeros first.
public struct PatchSampler {
    public enum Kind: Equatable, Sendable {
        case uniform
        /// `foreground` of the patches are centred on a voxel whose label is not 0.
        case label(foreground: Double)
        /// Every patch is centred on a voxel of a label value drawn with these weights (among
        /// the values the label map has), as GaNDLF's biased_sampling draws classes.
        case weighted([Double: Double])
    }

    public let kind: Kind
    public let patchSize: [Int]

    public init(_ kind: Kind = .uniform, patchSize: [Int]) throws {
        guard patchSize.allSatisfy({ $0 >= 1 }) else { throw TensorError.invalidArgument(op: "patch", "patch sizes must be positive, got \(shapeString(patchSize))") }
        if case .label(let fraction) = kind, !(0...1).contains(fraction) {
            throw TensorError.invalidArgument(op: "patch", "the foreground fraction must be in [0, 1], got \(fraction)")
        }
        if case .weighted(let weights) = kind, weights.isEmpty || weights.values.contains(where: { !($0 >= 0) || !$0.isFinite }) {
            throw TensorError.invalidArgument(op: "patch", "sampling weights must be finite and non-negative, one per label value, got \(weights)")
        }
        self.kind = kind; self.patchSize = patchSize
    }

    /// One patch: data [C, …patch] and the label's [1, …patch] (when there is a label).
    public func sample(_ image: Tensor, label: Tensor?, random: inout RandomGenerator) throws -> (image: Tensor, label: Tensor?) {
        let spatial = Array(image.shape.dropFirst())
        guard spatial.count == patchSize.count else {
            throw TensorError.shapeMismatch(op: "patch", "patch size \(shapeString(patchSize)) for an image of spatial shape \(shapeString(spatial))")
        }
        let padded = try PatchSampler.padded(image, to: patchSize), paddedLabel = try label.map { try PatchSampler.padded($0, to: patchSize) }
        let shape = Array(padded.shape.dropFirst())
        var corner = zip(shape, patchSize).map { size, patch in Int(random.next() % UInt64(size - patch + 1)) }
        var centres: [Int] = []
        if case .label(let fraction) = kind, let paddedLabel, Double(random.nextUniform()) < fraction {
            let values = try paddedLabel.index([.at(0)]).contiguous().scalars()
            centres = values.indices.filter { values[$0] != 0 }
        }
        if case .weighted(let weights) = kind, let paddedLabel {
            let values = try paddedLabel.index([.at(0)]).contiguous().scalars()
            let present = Set(values).filter { (weights[$0] ?? 0) > 0 }.sorted()
            let total = present.reduce(0) { $0 + weights[$1]! }
            if total > 0 {
                var draw = Double(random.nextUniform()) * total, chosen = present.last!
                for value in present {
                    draw -= weights[value]!
                    if draw < 0 { chosen = value; break }
                }
                centres = values.indices.filter { values[$0] == chosen }
            }
        }
        if !centres.isEmpty {
            var rest = centres[Int(random.next() % UInt64(centres.count))]
            var centre = [Int](repeating: 0, count: shape.count)
            for axis in (0..<shape.count).reversed() { centre[axis] = rest % shape[axis]; rest /= shape[axis] }
            corner = (0..<shape.count).map { Swift.max(0, Swift.min(shape[$0] - patchSize[$0], centre[$0] - patchSize[$0] / 2)) }
        }
        let window = [TensorIndex.all] + zip(corner, patchSize).map { TensorIndex.slice(start: $0, stop: $0 + $1, step: nil) }
        return (try padded.index(window).contiguous(), try paddedLabel?.index(window).contiguous())
    }

    /// Zero padding (centred) of the spatial axes up to `size` where they are smaller.
    static func padded(_ x: Tensor, to size: [Int]) throws -> Tensor {
        let spatial = Array(x.shape.dropFirst())
        guard zip(spatial, size).contains(where: { $0 < $1 }) else { return x }
        var result = x
        for (axis, (have, want)) in zip(spatial, size).enumerated() where have < want {
            let before = (want - have) / 2, after = want - have - before
            var shape = result.shape
            shape[axis + 1] = before
            let lead = try Tensor.zeros(shape)
            shape[axis + 1] = after
            result = try Tensor.concat([lead, result, try Tensor.zeros(shape)], axis: axis + 1)
        }
        return result
    }
}
