import Foundation
import ScryTensor

/// Augmentations beyond flips, noise and intensity curves, and the colour steps of 2D images.
extension Transform {
    /// Multiplies the image by exp(Σ c·xⁱyʲzᵏ) over coordinates in [−1, 1], terms up to `order`,
    /// each c uniform in ±coefficient (TorchIO's RandomBiasField).
    public static func biasField(coefficient: Double = 0.5, order: Int = 3, probability: Double = 1) -> Transform {
        Transform("bias_field(coefficient: \(coefficient), order: \(order))", probability: probability) { sample, random in
            let shape = sample.image.shape, dims = shape.count
            var powers: [[Int]] = [[]]
            for _ in 0..<dims { powers = powers.flatMap { p in (0...order).map { p + [$0] } } }
            powers = powers.filter { $0.reduce(0, +) <= order }
            let terms = powers.map { ($0, coefficient * (2 * Double(random.nextUniform()) - 1)) }
            let count = shape.reduce(1, *)
            var field = [Float](repeating: 0, count: count)
            var point = [Double](repeating: 0, count: dims)
            for i in 0..<count {
                var rest = i
                for axis in (0..<dims).reversed() {
                    let n = shape[axis]
                    point[axis] = n > 1 ? 2 * Double(rest % n) / Double(n - 1) - 1 : 0
                    rest /= n
                }
                field[i] = Float(Foundation.exp(terms.reduce(0) { sum, term in
                    sum + term.1 * zip(point, term.0).reduce(1) { $0 * Foundation.pow($1.0, Double($1.1)) }
                }))
            }
            sample.image.data = try sample.image.data * Tensor(field, shape: [1] + shape)
        }
    }

    /// Down-samples one random spatial axis by a factor from the range, then back (nearest),
    /// as thick-slice acquisitions look (TorchIO's RandomAnisotropy). The label is untouched.
    public static func anisotropy(axes: [Int] = [0, 1, 2], factor: (Double, Double) = (1.5, 5), probability: Double = 1) -> Transform {
        Transform("anisotropy(axes: \(axes), factor: [\(factor.0), \(factor.1)])", probability: probability) { sample, random in
            let shape = sample.image.shape
            let usable = axes.filter { $0 < shape.count }
            guard !usable.isEmpty else { return }
            let axis = usable[Int(random.next() % UInt64(usable.count))]
            let f = factor.0 + (factor.1 - factor.0) * Double(random.nextUniform())
            var small = shape
            small[axis] = Swift.max(1, Int((Double(shape[axis]) / f).rounded()))
            let batch = try sample.image.data.unsqueeze(0)
            let down = try Tensor.upsample(batch, size: small, mode: .nearest)
            sample.image.data = try Tensor.upsample(down, size: shape, mode: .nearest).index([.at(0)]).contiguous()
        }
    }

    /// Swaps `count` pairs of random patches of the image (TorchIO's RandomSwap).
    public static func swapPatches(patchSize: [Int], count: Int = 10, probability: Double = 1) -> Transform {
        Transform("swap_patches(\(shapeString(patchSize)), count: \(count))", probability: probability) { sample, random in
            let shape = sample.image.shape
            guard patchSize.count == shape.count, zip(patchSize, shape).allSatisfy({ $0 <= $1 }) else {
                throw TensorError.shapeMismatch(op: "swap_patches", "patch \(shapeString(patchSize)) for an image of \(shapeString(shape))")
            }
            var values = try sample.image.data.contiguous().floats()
            let channels = sample.image.channels, volume = shape.reduce(1, *)
            func corner() -> [Int] { zip(shape, patchSize).map { Int(random.next() % UInt64($0 - $1 + 1)) } }
            func offsets(_ at: [Int]) -> [Int] {
                var result = [0]
                for axis in 0..<shape.count {
                    let stride = shape[(axis + 1)...].reduce(1, *)
                    result = result.flatMap { base in (0..<patchSize[axis]).map { base + (at[axis] + $0) * stride } }
                }
                return result
            }
            for _ in 0..<count {
                let a = offsets(corner()), b = offsets(corner())
                guard Set(a).isDisjoint(with: b) else { continue }
                for c in 0..<channels { for (i, j) in zip(a, b) { values.swapAt(c * volume + i, c * volume + j) } }
            }
            sample.image.data = try Tensor(values, shape: sample.image.data.shape)
        }
    }

    /// Drops the alpha channel of an RGBA image.
    public static func rgbaToRGB() -> Transform {
        Transform("rgba_to_rgb()") { sample, _ in
            guard sample.image.channels == 4 else { return }
            sample.image.data = try sample.image.data.index([.slice(start: 0, stop: 3, step: nil)]).contiguous()
        }
    }

    /// RGB normalisers: "imagenet" ((x/255 − mean)/std with ImageNet's statistics), "divide255",
    /// or "standardize" (each channel to mean 0, deviation 1).
    public static func normalizeRGB(_ mode: String) throws -> Transform {
        guard ["imagenet", "divide255", "standardize"].contains(mode) else {
            throw TensorError.invalidArgument(op: "normalize_rgb", "mode must be imagenet, divide255 or standardize, not \(mode)")
        }
        return Transform("normalize_rgb(\"\(mode)\")") { sample, _ in
            let data = sample.image.data, c = sample.image.channels
            let shape = [c] + [Int](repeating: 1, count: data.rank - 1)
            switch mode {
            case "divide255": sample.image.data = try data / 255
            case "imagenet":
                guard c == 3 else { throw TensorError.shapeMismatch(op: "normalize_rgb", "ImageNet statistics are for 3 channels, the image has \(c)") }
                let mean = try Tensor([0.485, 0.456, 0.406], shape: shape), std = try Tensor([0.229, 0.224, 0.225], shape: shape)
                sample.image.data = try (data / 255 - mean) / std
            default:
                let axes = Array(1..<data.rank)
                sample.image.data = try (data - data.mean(axes: axes, keepDims: true)) / (data.std(axes: axes, keepDims: true) + 1e-8)
            }
        }
    }

    /// Global histogram equalisation: each value replaced by its rank in the image's
    /// cumulative histogram of `bins` bins, scaled to the original range.
    public static func equalize(bins: Int = 256) -> Transform {
        intensity("equalize(bins: \(bins))") { values, _ in
            guard let low = values.min(), let high = values.max(), high > low else { return values }
            let width = Double(high - low) / Double(bins)
            var histogram = [Double](repeating: 0, count: bins)
            for v in values { histogram[Swift.min(bins - 1, Int(Double(v - low) / width))] += 1 }
            var cdf = histogram
            for i in 1..<bins { cdf[i] += cdf[i - 1] }
            let total = cdf[bins - 1]
            return values.map { v in
                Float(Double(low) + cdf[Swift.min(bins - 1, Int(Double(v - low) / width))] / total * Double(high - low))
            }
        }
    }
}
