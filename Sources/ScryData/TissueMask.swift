import Foundation
import ScryTensor

/// Where a histology slide holds tissue, as GaNDLF's whole-slide inference finds it (OPM's
/// `tissue_mask`, pink and purple hues): the RGB image shrunk to at most 512 × 512 (anti-aliased
/// as scikit-image's `resize`), converted to HSV as `rgb2hsv`, hue and saturation each smoothed
/// by a Gaussian of σ = 1 (`filters.gaussian`), 0.8 < hue < 0.99 and saturation > 0.05 kept,
/// holes under 64 pixels filled (`remove_small_holes`), then enlarged back by nearest neighbour.
/// GaNDLF resizes to exactly 512 × 512, enlarging a small slide; here a side under 512 keeps its
/// size, so the smoothing and the hole size are never finer than a pixel of the slide.
public enum TissueMask {
    /// The largest side the mask is computed at.
    static let side = 512
    /// Tissue hues lie strictly between these (pink to purple).
    static let hues = (low: 0.8, high: 0.99)
    static let minimumSaturation = 0.05
    /// Holes (background regions, 4-connected) of fewer pixels are filled.
    static let smallestHole = 64

    /// A bool mask [x, y] of an RGB image [3, x, y] (an alpha channel, [4, x, y], is ignored):
    /// true where there is tissue; all false when the slide has none. Colour values may be on
    /// any scale (hue and saturation do not depend on it).
    public static func compute(_ image: Tensor) throws -> Tensor {
        guard image.rank == 3, image.shape[0] == 3 || image.shape[0] == 4, image.shape[1] > 0, image.shape[2] > 0 else {
            throw TensorError.shapeMismatch(op: "tissue_mask", "needs an RGB slide [3, x, y], got \(shapeString(image.shape))")
        }
        let width = image.shape[1], height = image.shape[2], plane = width * height
        let small = [Swift.min(width, side), Swift.min(height, side)], count = small[0] * small[1]
        let values = try image.to(.float32).contiguous().floats()
        let colours = (0..<3).map { c in shrink(values[(c * plane)..<((c + 1) * plane)], width: width, height: height, to: small) }
        var hue = [Double](repeating: 0, count: count), saturation = hue
        for i in 0..<count { (hue[i], saturation[i]) = hueAndSaturation(colours[0][i], colours[1][i], colours[2][i]) }
        hue = smoothed(hue, shape: small)
        saturation = smoothed(saturation, shape: small)
        var mask = (0..<count).map { hue[$0] > hues.low && hue[$0] < hues.high && saturation[$0] > minimumSaturation }
        for hole in Postprocessing.components(of: mask.map { !$0 }, shape: small) where hole.members.count < smallestHole {
            for i in hole.members { mask[i] = true }
        }
        var full = [Double](repeating: 0, count: plane)
        for x in 0..<width {
            let sx = Swift.min(small[0] - 1, Int((Double(x) + 0.5) * Double(small[0]) / Double(width)))
            for y in 0..<height {
                let sy = Swift.min(small[1] - 1, Int((Double(y) + 0.5) * Double(small[1]) / Double(height)))
                if mask[sx * small[1] + sy] { full[x * height + y] = 1 }
            }
        }
        return try Tensor(flat: full, shape: [width, height], dtype: .bool)
    }

    /// scikit-image's `rgb2hsv` hue and saturation: the hue of the largest channel (blue wins
    /// ties, then green), in [0, 1); both 0 for a gray pixel.
    static func hueAndSaturation(_ r: Double, _ g: Double, _ b: Double) -> (Double, Double) {
        let value = Swift.max(r, g, b), delta = value - Swift.min(r, g, b)
        guard delta > 0 else { return (0, 0) }
        let sixths: Double
        if b == value { sixths = 4 + (r - g) / delta } else if g == value { sixths = 2 + (b - r) / delta } else { sixths = (g - b) / delta }
        let hue = (sixths / 6).truncatingRemainder(dividingBy: 1)
        return (hue < 0 ? hue + 1 : hue, delta / value)
    }

    /// One channel [x, y] shrunk to `size`, one axis at a time (the filter and the
    /// interpolation are both separable).
    static func shrink(_ channel: ArraySlice<Float>, width: Int, height: Int, to size: [Int]) -> [Double] {
        let start = channel.startIndex
        var rows = [Double](repeating: 0, count: size[0] * height), line = [Double](repeating: 0, count: width)
        for y in 0..<height {
            for x in 0..<width { line[x] = Double(channel[start + x * height + y]) }
            for (x, v) in shrink(line, to: size[0]).enumerated() { rows[x * height + y] = v }
        }
        var out = [Double](repeating: 0, count: size[0] * size[1])
        for x in 0..<size[0] {
            for (y, v) in shrink(Array(rows[(x * height)..<((x + 1) * height)]), to: size[1]).enumerated() { out[x * size[1] + y] = v }
        }
        return out
    }

    /// A line of samples shrunk to `count` (never enlarged) as scikit-image's anti-aliased
    /// `resize`: a Gaussian of σ = (factor − 1) / 2 with mirrored borders, then linear
    /// interpolation at the output pixels' centres. The filter is evaluated only where the
    /// interpolation reads it, which keeps a large slide cheap.
    static func shrink(_ line: [Double], to count: Int) -> [Double] {
        let n = line.count
        guard count < n else { return line }
        let factor = Double(n) / Double(count), weights = gaussian(sigma: (factor - 1) / 2), radius = weights.count / 2
        // SciPy's "mirror" border: d c b | a b c d | c b a.
        func mirrored(_ i: Int) -> Int {
            guard n > 1 else { return 0 }
            let period = 2 * (n - 1), j = Swift.abs(i) % period
            return j < n ? j : period - j
        }
        func blurred(_ i: Int) -> Double {
            var sum = 0.0
            for (k, w) in weights.enumerated() { sum += w * line[mirrored(i + k - radius)] }
            return sum
        }
        return (0..<count).map { j -> Double in
            let position = Swift.max(0, Swift.min(Double(n - 1), (Double(j) + 0.5) * factor - 0.5))
            let low = Int(position), t = position - Double(low)
            return t == 0 ? blurred(low) : blurred(low) * (1 - t) + blurred(low + 1) * t
        }
    }

    /// scikit-image's `filters.gaussian` of σ = 1 on a plane [x, y]: borders extended by their
    /// nearest pixel.
    static func smoothed(_ plane: [Double], shape: [Int]) -> [Double] {
        let (width, height) = (shape[0], shape[1]), weights = gaussian(sigma: 1), radius = weights.count / 2
        func convolved(_ line: [Double]) -> [Double] {
            (0..<line.count).map { i -> Double in
                var sum = 0.0
                for (k, w) in weights.enumerated() { sum += w * line[Swift.max(0, Swift.min(line.count - 1, i + k - radius))] }
                return sum
            }
        }
        var out = plane, row = [Double](repeating: 0, count: width)
        for x in 0..<width {
            for (y, v) in convolved(Array(plane[(x * height)..<((x + 1) * height)])).enumerated() { out[x * height + y] = v }
        }
        for y in 0..<height {
            for x in 0..<width { row[x] = out[x * height + y] }
            for (x, v) in convolved(row).enumerated() { out[x * height + y] = v }
        }
        return out
    }

    /// A normalised Gaussian truncated at 4σ, as SciPy's `gaussian_filter1d` builds it; [1] for σ = 0.
    static func gaussian(sigma: Double) -> [Double] {
        guard sigma > 0 else { return [1] }
        let radius = Int(4 * sigma + 0.5)
        let weights = (-radius...radius).map { Foundation.exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }
}
