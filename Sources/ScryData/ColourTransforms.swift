import Foundation
import ScryTensor

/// Colour augmentation for RGB images (histology) and histogram steps.
extension Transform {
    /// Per-pixel RGB (0…255) as [3, n] rows, and back.
    static func rgbPlanes(_ image: MedicalImage) throws -> [[Float]] {
        guard image.channels == 3 else { throw TensorError.shapeMismatch(op: "colour", "an RGB image has 3 channels, this one \(image.channels)") }
        let values = try image.data.contiguous().floats(), n = values.count / 3
        return (0..<3).map { Array(values[($0 * n)..<(($0 + 1) * n)]) }
    }

    /// Brightness, contrast and saturation factors from 1 ± their strength and a hue shift
    /// (in turns) from ±hue, applied as torchvision's ColorJitter applies them, in order.
    public static func colourJitter(brightness: Double = 0.2, contrast: Double = 0.2, saturation: Double = 0.2, hue: Double = 0.05,
                                    probability: Double = 1) -> Transform {
        Transform("colour_jitter(brightness: \(brightness), contrast: \(contrast), saturation: \(saturation), hue: \(hue))",
                  probability: probability) { sample, random in
            guard Swift.abs(hue) <= 0.5, brightness >= 0, contrast >= 0, saturation >= 0 else {
                throw TensorError.invalidArgument(op: "colour_jitter", "hue must be within ±0.5 turns and the strengths non-negative")
            }
            var p = try rgbPlanes(sample.image)
            let n = p[0].count
            func factor(_ strength: Double) -> Float { Float(1 + strength * (2 * Double(random.nextUniform()) - 1)) }
            let b = factor(brightness), c = factor(contrast), s = factor(saturation), h = Float(hue * (2 * Double(random.nextUniform()) - 1))
            func gray(_ i: Int) -> Float { 0.299 * p[0][i] + 0.587 * p[1][i] + 0.114 * p[2][i] }
            for ch in 0..<3 { for i in 0..<n { p[ch][i] = Swift.min(255, Swift.max(0, p[ch][i] * b)) } }
            let meanGray = (0..<n).reduce(Float(0)) { $0 + gray($1) } / Float(n)
            for ch in 0..<3 { for i in 0..<n { p[ch][i] = Swift.min(255, Swift.max(0, (p[ch][i] - meanGray) * c + meanGray)) } }
            for i in 0..<n {
                let g = gray(i)
                for ch in 0..<3 { p[ch][i] = Swift.min(255, Swift.max(0, (p[ch][i] - g) * s + g)) }
            }
            if h != 0 {
                for i in 0..<n {
                    // Through HSV: rotate the hue, keep saturation and value.
                    let r = p[0][i] / 255, g = p[1][i] / 255, bl = p[2][i] / 255
                    let high = Swift.max(r, g, bl), low = Swift.min(r, g, bl), delta = high - low
                    guard delta > 0 else { continue }
                    var hueValue: Float = high == r ? (g - bl) / delta : (high == g ? 2 + (bl - r) / delta : 4 + (r - g) / delta)
                    hueValue = (hueValue / 6 + h + 1).truncatingRemainder(dividingBy: 1) * 6
                    let sector = Int(hueValue) % 6, f = hueValue - Float(Int(hueValue))
                    let pv = high - delta, qv = high - delta * f, tv = high - delta * (1 - f)
                    let (nr, ng, nb): (Float, Float, Float) = [(high, tv, pv), (qv, high, pv), (pv, high, tv), (pv, qv, high), (tv, pv, high), (high, pv, qv)][sector]
                    p[0][i] = nr * 255; p[1][i] = ng * 255; p[2][i] = nb * 255
                }
            }
            sample.image.data = try Tensor(p.flatMap { $0 }, shape: sample.image.data.shape)
        }
    }

    /// Haematoxylin–eosin–DAB colour deconvolution (Ruifrok and Johnston, as scikit-image's
    /// rgb2hed); each stain's concentration scaled by 1 ± sigma and shifted by ±bias (Tellez et
    /// al.'s H&E augmentation), then recomposed to RGB 0…255.
    public static func stainAugmentation(sigma: Double = 0.05, bias: Double = 0.05, probability: Double = 1) -> Transform {
        Transform("stain_augmentation(sigma: \(sigma), bias: \(bias))", probability: probability) { sample, random in
            var p = try rgbPlanes(sample.image)
            let stains: [[Double]] = [[0.65, 0.70, 0.29], [0.07, 0.99, 0.11], [0.27, 0.57, 0.78]]
            let inverse = invert3(stains)
            let alphas = (0..<3).map { _ in 1 + sigma * (2 * Double(random.nextUniform()) - 1) }
            let betas = (0..<3).map { _ in bias * (2 * Double(random.nextUniform()) - 1) }
            let floor = 1e-6
            for i in 0..<p[0].count {
                // Optical density, then stain concentrations.
                let od = (0..<3).map { -Foundation.log(Swift.max(Double(p[$0][i]) / 255, floor)) }
                var concentration = (0..<3).map { s in (0..<3).reduce(0) { $0 + od[$1] * inverse[$1][s] } }
                for s in 0..<3 { concentration[s] = concentration[s] * alphas[s] + betas[s] }
                for ch in 0..<3 {
                    let density = (0..<3).reduce(0) { $0 + concentration[$1] * stains[$1][ch] }
                    p[ch][i] = Float(Swift.min(255, Swift.max(0, 255 * Foundation.exp(-density))))
                }
            }
            sample.image.data = try Tensor(p.flatMap { $0 }, shape: sample.image.data.shape)
        }
    }

    static func invert3(_ m: [[Double]]) -> [[Double]] {
        let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        return (0..<3).map { r in
            (0..<3).map { c in
                let rows = [0, 1, 2].filter { $0 != c }, cols = [0, 1, 2].filter { $0 != r }
                let minor = m[rows[0]][cols[0]] * m[rows[1]][cols[1]] - m[rows[0]][cols[1]] * m[rows[1]][cols[0]]
                return ((r + c) % 2 == 0 ? 1 : -1) * minor / det
            }
        }
    }

    /// Maps the image's intensity distribution onto a reference image's (quantile to quantile,
    /// as scikit-image's match_histograms does for one channel).
    public static func matchHistogram(to reference: MedicalImage) -> Transform {
        let target = (try? reference.data.contiguous().floats().sorted()) ?? []
        return intensity("match_histogram(\(reference.path ?? "reference"))") { values, _ in
            guard !target.isEmpty else { throw TensorError.invalidArgument(op: "match_histogram", "the reference image is empty") }
            let order = values.indices.sorted { values[$0] < values[$1] }
            var result = values
            for (rank, index) in order.enumerated() {
                let q = values.count > 1 ? Double(rank) / Double(values.count - 1) : 0
                result[index] = Float(percentile(sorted: target, q * 100))
            }
            // Equal inputs get equal outputs: the mean of their mapped values.
            var start = 0
            while start < order.count {
                var end = start
                while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
                if end > start {
                    let mean = (start...end).reduce(Float(0)) { $0 + result[order[$1]] } / Float(end - start + 1)
                    for k in start...end { result[order[k]] = mean }
                }
                start = end + 1
            }
            return result
        }
    }
}
