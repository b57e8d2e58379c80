import Foundation
import ScryTensor

/// Augmentations beyond flips, noise and intensity curves, and the colour steps of 2D images.
extension Transform {
    /// Multiplies the image by exp(Σ c·xⁱyʲzᵏ) over coordinates in [−1, 1], one coefficient per
    /// term of degree up to `order` (x's power outermost, as TorchIO's BiasField orders them).
    public static func biasField(coefficients: [Double], order: Int) -> Transform {
        Transform("bias_field(coefficients: \(coefficients), order: \(order))") { sample, _ in
            guard (0...10).contains(order) else { throw TensorError.invalidArgument(op: "bias_field", "order must be 0…10, got \(order)") }
            let shape = sample.image.shape, dims = shape.count
            let powers = biasTerms(dims, order)
            guard coefficients.count == powers.count else {
                throw TensorError.invalidArgument(op: "bias_field", "order \(order) in \(dims)D has \(powers.count) terms, got \(coefficients.count) coefficients")
            }
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
                field[i] = Float(Foundation.exp(zip(powers, coefficients).reduce(0) { sum, term in
                    sum + term.1 * zip(point, term.0).reduce(1) { $0 * Foundation.pow($1.0, Double($1.1)) }
                }))
            }
            sample.image.data = try sample.image.data * Tensor(field, shape: [1] + shape)
        }
    }

    /// The exponents of each polynomial term of degree up to `order`, x's outermost.
    static func biasTerms(_ dims: Int, _ order: Int) -> [[Int]] {
        var powers: [[Int]] = [[]]
        for _ in 0..<dims { powers = powers.flatMap { p in (0...order).map { p + [$0] } } }
        return powers.filter { $0.reduce(0, +) <= order }
    }

    /// A bias field with each coefficient uniform in ±coefficient (TorchIO's RandomBiasField).
    public static func biasField(coefficient: Double = 0.5, order: Int = 3, probability: Double = 1) -> Transform {
        Transform("bias_field(coefficient: \(coefficient), order: \(order))", probability: probability) { sample, random in
            guard (0...10).contains(order) else { throw TensorError.invalidArgument(op: "bias_field", "order must be 0…10, got \(order)") }
            let terms = biasTerms(sample.image.shape.count, order).count
            let coefficients = (0..<terms).map { _ in coefficient * (2 * Double(random.nextUniform()) - 1) }
            try biasField(coefficients: coefficients, order: order).body(&sample, &random)
        }
    }

    /// Down-samples one spatial axis by `factor` (nearest), then resamples back onto the
    /// original grid (linear), as thick-slice acquisitions look: TorchIO's RandomAnisotropy with
    /// its axis and factor chosen. The label is untouched.
    public static func anisotropy(axis: Int, factor: Double) -> Transform {
        Transform("anisotropy(axis: \(axis), factor: \(factor))") { sample, _ in
            let shape = sample.image.shape
            guard (0..<shape.count).contains(axis), factor >= 1 else {
                throw TensorError.invalidArgument(op: "anisotropy", "axis must be 0…\(shape.count - 1) and factor at least 1")
            }
            var ratios = [Double](repeating: 1, count: shape.count), small = shape
            ratios[axis] = factor
            small[axis] = Swift.max(1, Int((Double(shape[axis]) / factor - 1e-9).rounded(.up)))
            let down = try resampled(sample.image.data, sizes: small, ratios: ratios, nearest: true)
            sample.image.data = try resampled(down, sizes: shape, ratios: ratios.map { 1 / $0 }, nearest: false)
        }
    }

    /// Anisotropy along a random one of `axes` by a factor drawn from the range.
    public static func anisotropy(axes: [Int] = [0, 1, 2], factor: (Double, Double) = (1.5, 5), probability: Double = 1) -> Transform {
        Transform("anisotropy(axes: \(axes), factor: [\(factor.0), \(factor.1)])", probability: probability) { sample, random in
            let usable = axes.filter { $0 >= 0 && $0 < sample.image.shape.count }
            guard !usable.isEmpty else { return }
            let axis = usable[Int(random.next() % UInt64(usable.count))]
            let f = factor.0 + (factor.1 - factor.0) * Double(random.nextUniform())
            try anisotropy(axis: axis, factor: f).body(&sample, &random)
        }
    }

    /// Swaps patches of `patchSize` between pairs of corners, in order, in every channel:
    /// TorchIO's Swap (used for context restoration in self-supervised learning).
    public static func swapPatches(patchSize: [Int], locations: [([Int], [Int])]) -> Transform {
        Transform("swap_patches(\(shapeString(patchSize)), locations: \(locations.count))") { sample, _ in
            let shape = sample.image.shape
            guard patchSize.count == shape.count,
                  locations.allSatisfy({ pair in [pair.0, pair.1].allSatisfy { c in c.count == shape.count && zip(zip(c, patchSize), shape).allSatisfy { $0.0 >= 0 && $0.0 + $0.1 <= $1 } } }) else {
                throw TensorError.shapeMismatch(op: "swap_patches", "patches \(shapeString(patchSize)) at the given corners must lie inside \(shapeString(shape))")
            }
            var values = try sample.image.data.contiguous().floats()
            let channels = sample.image.channels, volume = shape.reduce(1, *)
            func offsets(_ at: [Int]) -> [Int] {
                var result = [0]
                for axis in 0..<shape.count {
                    let stride = shape[(axis + 1)...].reduce(1, *)
                    result = result.flatMap { base in (0..<patchSize[axis]).map { base + (at[axis] + $0) * stride } }
                }
                return result
            }
            for (first, second) in locations {
                let a = offsets(first), b = offsets(second)
                for c in 0..<channels {
                    let firstValues = a.map { values[c * volume + $0] }, secondValues = b.map { values[c * volume + $0] }
                    for (k, j) in b.enumerated() { values[c * volume + j] = firstValues[k] }
                    for (k, i) in a.enumerated() { values[c * volume + i] = secondValues[k] }
                }
            }
            sample.image.data = try Tensor(values, shape: sample.image.data.shape)
        }
    }

    /// `count` swaps of random patch pairs (TorchIO's RandomSwap; a pair whose second patch
    /// would sit exactly on the first is drawn again).
    public static func swapPatches(patchSize: [Int], count: Int = 10, probability: Double = 1) -> Transform {
        Transform("swap_patches(\(shapeString(patchSize)), count: \(count))", probability: probability) { sample, random in
            let shape = sample.image.shape
            guard patchSize.count == shape.count, zip(patchSize, shape).allSatisfy({ $0 >= 1 && $0 <= $1 }) else {
                throw TensorError.shapeMismatch(op: "swap_patches", "patch \(shapeString(patchSize)) for an image of \(shapeString(shape))")
            }
            func corner() -> [Int] { zip(shape, patchSize).map { Int(random.next() % UInt64($0 - $1 + 1)) } }
            let locations = (0..<Swift.max(0, count)).compactMap { _ -> ([Int], [Int])? in
                let first = corner()
                for _ in 0..<16 { let second = corner(); if second != first { return (first, second) } }
                return nil
            }
            try swapPatches(patchSize: patchSize, locations: locations).body(&sample, &random)
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
            guard bins >= 2 else { throw TensorError.invalidArgument(op: "equalize", "bins must be at least 2, got \(bins)") }
            // NaN and infinite voxels (outside a brain mask, say) are left as they are.
            let finite = values.filter(\.isFinite)
            guard let low = finite.min(), let high = finite.max(), high > low else { return values }
            let width = Double(high - low) / Double(bins)
            var histogram = [Double](repeating: 0, count: bins)
            for v in finite { histogram[Swift.min(bins - 1, Int(Double(v - low) / width))] += 1 }
            var cdf = histogram
            for i in 1..<bins { cdf[i] += cdf[i - 1] }
            let total = cdf[bins - 1]
            return values.map { v in
                guard v.isFinite else { return v }
                return Float(Double(low) + cdf[Swift.min(bins - 1, Int(Double(v - low) / width))] / total * Double(high - low))
            }
        }
    }

    /// Contrast-limited adaptive histogram equalisation (CLAHE) of each 2D slice (the last
    /// axis of a volume): per tile of a `tiles`×`tiles` grid, a histogram clipped at `clipLimit`
    /// times its mean count with the excess spread evenly, its cumulative map interpolated
    /// bilinearly between tile centres; values scaled back to the image's range.
    public static func adaptiveEqualize(tiles: Int = 8, clipLimit: Double = 2, bins: Int = 256) -> Transform {
        Transform("adaptive_equalize(tiles: \(tiles), clip_limit: \(clipLimit))") { sample, _ in
                let shape = sample.image.shape
                guard shape.count == 2 || shape.count == 3 else { throw TensorError.shapeMismatch(op: "adaptive_equalize", "a 2D or 3D image, got \(shapeString(shape))") }
                guard tiles >= 1, bins >= 2, clipLimit > 0 else {
                    throw TensorError.invalidArgument(op: "adaptive_equalize", "tiles ≥ 1, bins ≥ 2 and a positive clip limit needed")
                }
                var values = try sample.image.data.contiguous().floats()
                let finite = values.filter(\.isFinite)
                guard let low = finite.min(), let high = finite.max(), high > low else { return }
                let (w, h) = (shape[0], shape[1]), depth = shape.count == 3 ? shape[2] : 1
                let tx = Swift.max(1, Swift.min(tiles, w)), ty = Swift.max(1, Swift.min(tiles, h))
                func bin(_ v: Float) -> Int { v.isFinite ? Swift.min(bins - 1, Int(Double(v - low) / Double(high - low) * Double(bins))) : 0 }
                for c in 0..<sample.image.channels {
                    for z in 0..<depth {
                        func index(_ x: Int, _ y: Int) -> Int { ((c * w + x) * h + y) * depth + z }
                        // Each tile's equalising map, as cumulative fractions per bin.
                        var maps = [[Double]](repeating: [], count: tx * ty)
                        for i in 0..<tx {
                            for j in 0..<ty {
                                var histogram = [Double](repeating: 0, count: bins)
                                let xs = (i * w / tx)..<((i + 1) * w / tx), ys = (j * h / ty)..<((j + 1) * h / ty)
                                for x in xs { for y in ys { histogram[bin(values[index(x, y)])] += 1 } }
                                let count = Double(xs.count * ys.count), limit = Swift.max(1, clipLimit * count / Double(bins))
                                let excess = histogram.reduce(0) { $0 + Swift.max(0, $1 - limit) }
                                histogram = histogram.map { Swift.min($0, limit) + excess / Double(bins) }
                                var cdf = histogram
                                for k in 1..<bins { cdf[k] += cdf[k - 1] }
                                maps[i * ty + j] = cdf.map { $0 / Swift.max(cdf[bins - 1], 1) }
                            }
                        }
                        var out = [Float](repeating: 0, count: w * h)
                        for x in 0..<w {
                            // The position among tile centres, for bilinear weights.
                            let fx = Swift.min(Swift.max((Double(x) + 0.5) / Double(w) * Double(tx) - 0.5, 0), Double(tx - 1))
                            let x0 = Int(fx), x1 = Swift.min(x0 + 1, tx - 1), ax = fx - Double(x0)
                            for y in 0..<h {
                                let fy = Swift.min(Swift.max((Double(y) + 0.5) / Double(h) * Double(ty) - 0.5, 0), Double(ty - 1))
                                let y0 = Int(fy), y1 = Swift.min(y0 + 1, ty - 1), ay = fy - Double(y0)
                                let b = bin(values[index(x, y)])
                                let v = (1 - ax) * ((1 - ay) * maps[x0 * ty + y0][b] + ay * maps[x0 * ty + y1][b])
                                    + ax * ((1 - ay) * maps[x1 * ty + y0][b] + ay * maps[x1 * ty + y1][b])
                                out[x * h + y] = Float(Double(low) + v * Double(high - low))
                            }
                        }
                        for x in 0..<w { for y in 0..<h { values[index(x, y)] = out[x * h + y] } }
                    }
                }
                sample.image.data = try Tensor(values, shape: sample.image.data.shape)
            }
    }
}
