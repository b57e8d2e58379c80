import Foundation
import ScryTensor

/// An image and its label map, transformed together: spatial steps move both (the label by
/// nearest neighbour), intensity steps change the image only.
public struct Sample {
    public var image: MedicalImage
    public var label: MedicalImage?
    public init(image: MedicalImage, label: MedicalImage? = nil) { self.image = image; self.label = label }

    /// Moves both voxel grids (see MedicalImage.regrid).
    mutating func regrid(scale: [Double], offset: [Double]) {
        image.regrid(scale: scale, offset: offset)
        label?.regrid(scale: scale, offset: offset)
    }
}

/// One preprocessing or augmentation step. Augmentations run with their probability and draw
/// their parameters from the generator they are given, so a seed fixes the result.
public struct Transform: CustomStringConvertible {
    /// How the step shows in a pipeline: `zscore(nonzero: true)`.
    public let description: String
    public let probability: Double
    let body: (inout Sample, inout RandomGenerator) throws -> Void

    public init(_ description: String, probability: Double = 1, _ body: @escaping (inout Sample, inout RandomGenerator) throws -> Void) {
        self.description = description; self.probability = probability; self.body = body
    }

    public func apply(_ sample: inout Sample, _ random: inout RandomGenerator) throws {
        if probability >= 1 || Double(random.nextUniform()) < probability { try body(&sample, &random) }
    }
}

/// Steps applied in order; the seed and a sample number fix every random choice.
public struct Pipeline: CustomStringConvertible {
    public var steps: [Transform]
    public init(_ steps: [Transform]) { self.steps = steps }

    public func apply(_ sample: Sample, seed: UInt64 = 0) throws -> Sample {
        var random = RandomGenerator(seed: seed &+ 0x7A5F)
        var result = sample
        for step in steps { try step.apply(&result, &random) }
        return result
    }

    public var description: String {
        steps.enumerated().map { "\($0.offset + 1). \($0.element)" + ($0.element.probability < 1 ? " (p = \($0.element.probability))" : "") }
            .joined(separator: "\n")
    }
}

// MARK: Intensity

extension Transform {
    /// Applies `f` to the image's values (as a flat array).
    static func intensity(_ description: String, probability: Double = 1,
                          _ f: @escaping ([Float], inout RandomGenerator) throws -> [Float]) -> Transform {
        Transform(description, probability: probability) { sample, random in
            let values = try sample.image.data.contiguous().floats()
            sample.image.data = try Tensor(try f(values, &random), shape: sample.image.data.shape)
        }
    }

    /// (x − mean) / std, the statistics taken over all voxels or over the non-zero ones (and
    /// applied to all, as TorchIO's ZNormalization and GaNDLF's normalize_nonZero do).
    public static func zscore(nonzero: Bool = false) -> Transform {
        intensity("zscore(nonzero: \(nonzero))") { values, _ in
            let chosen = nonzero ? values.filter { $0 > 0 } : values
            guard chosen.count > 1 else { throw TensorError.invalidArgument(op: "zscore", "fewer than two voxels to normalise over") }
            let mean = chosen.reduce(0.0) { $0 + Double($1) } / Double(chosen.count)
            let std = (chosen.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(chosen.count - 1)).squareRoot()
            guard std.isFinite else { throw TensorError.invalidArgument(op: "zscore", "the image holds NaN or infinite values") }
            guard std > 0 else { throw TensorError.invalidArgument(op: "zscore", "the image is constant (standard deviation 0)") }
            return values.map { Float((Double($0) - mean) / std) }
        }
    }

    /// Values between two percentiles (default: the min and max) mapped linearly to low…high,
    /// those outside clipped first.
    public static func rescale(low: Double = 0, high: Double = 1, percentiles: (Double, Double) = (0, 100)) -> Transform {
        intensity("rescale(low: \(low), high: \(high), percentiles: [\(percentiles.0), \(percentiles.1)])") { values, _ in
            guard !values.isEmpty, percentiles.0 >= 0, percentiles.1 <= 100, percentiles.0 <= percentiles.1 else {
                throw TensorError.invalidArgument(op: "rescale", "percentiles must rise within 0…100 on a non-empty image, got [\(percentiles.0), \(percentiles.1)]")
            }
            let sorted = values.sorted()
            let inLow = percentile(sorted: sorted, percentiles.0), inHigh = percentile(sorted: sorted, percentiles.1)
            guard inHigh > inLow else { return values.map { _ in Float(low) } }
            return values.map { Float((Swift.min(Swift.max(Double($0), inLow), inHigh) - inLow) / (inHigh - inLow) * (high - low) + low) }
        }
    }

    /// Values clamped to low…high.
    public static func clip(low: Double, high: Double) -> Transform {
        intensity("clip(low: \(low), high: \(high))") { values, _ in values.map { Float(Swift.min(Swift.max(Double($0), low), high)) } }
    }

    /// Values clamped to the image's own percentiles (0…100).
    public static func clip(percentiles: (Double, Double)) -> Transform {
        intensity("clip(percentiles: [\(percentiles.0), \(percentiles.1)])") { values, _ in
            guard (0...100).contains(percentiles.0), (0...100).contains(percentiles.1), percentiles.0 <= percentiles.1, !values.isEmpty else {
                throw TensorError.invalidArgument(op: "clip", "percentiles must rise within 0…100, got [\(percentiles.0), \(percentiles.1)]")
            }
            let sorted = values.sorted()
            let low = percentile(sorted: sorted, percentiles.0), high = percentile(sorted: sorted, percentiles.1)
            return values.map { Float(Swift.min(Swift.max(Double($0), low), high)) }
        }
    }

    /// Values outside low…high set to 0 (GaNDLF's threshold).
    public static func threshold(low: Double, high: Double) -> Transform {
        intensity("threshold(low: \(low), high: \(high))") { values, _ in values.map { Double($0) < low || Double($0) > high ? 0 : $0 } }
    }

    /// sign(x)·|x|^γ with γ = e^u, u uniform in logRange (TorchIO's RandomGamma).
    public static func gamma(logRange: (Double, Double) = (-0.3, 0.3), probability: Double = 1) -> Transform {
        intensity("gamma(log_range: [\(logRange.0), \(logRange.1)])", probability: probability) { values, random in
            let g = Foundation.exp(logRange.0 + (logRange.1 - logRange.0) * Double(random.nextUniform()))
            return values.map { Float((Double($0) < 0 ? -1.0 : 1.0) * Foundation.pow(Swift.abs(Double($0)), g)) }
        }
    }

    /// Gaussian noise of a standard deviation drawn from stdRange.
    public static func noise(mean: Double = 0, stdRange: (Double, Double) = (0, 0.25), probability: Double = 1) -> Transform {
        intensity("noise(mean: \(mean), std: [\(stdRange.0), \(stdRange.1)])", probability: probability) { values, random in
            let std = stdRange.0 + (stdRange.1 - stdRange.0) * Double(random.nextUniform())
            return values.map { Float(Double($0) + mean + std * Double(random.nextNormal())) }
        }
    }

    /// x·c + b, contrast c and brightness b drawn from their ranges.
    public static func brightnessContrast(brightness: (Double, Double) = (-0.1, 0.1), contrast: (Double, Double) = (0.9, 1.1),
                                          probability: Double = 1) -> Transform {
        intensity("brightness_contrast(brightness: [\(brightness.0), \(brightness.1)], contrast: [\(contrast.0), \(contrast.1)])",
                  probability: probability) { values, random in
            let c = contrast.0 + (contrast.1 - contrast.0) * Double(random.nextUniform())
            let b = brightness.0 + (brightness.1 - brightness.0) * Double(random.nextUniform())
            return values.map { Float(Double($0) * c + b) }
        }
    }
}
