import Foundation
import ScryTensor

/// How H&E stain normalisation finds an image's two stain vectors, by GaNDLF's names.
public enum StainExtractor: String, CaseIterable, Sendable {
    /// Ruifrok and Johnston's fixed haematoxylin and eosin vectors; the image is not looked at.
    case ruifrok
    /// Macenko et al. (2009): the extreme directions of tissue optical density within its plane
    /// of largest variance.
    case macenko
    /// Vahadane et al. (2016): a sparse non-negative factorisation of tissue optical density.
    case vahadane

    /// The stain matrix of an RGB image with values 0…255: two rows, haematoxylin then eosin,
    /// each a unit vector of optical density over R, G and B.
    public func stainMatrix(_ image: MedicalImage) throws -> [[Double]] {
        try stains(StainedPixels(image, role: "image")).map { [$0.x, $0.y, $0.z] }
    }

    func stains(_ pixels: StainedPixels) throws -> [SIMD3<Double>] {
        switch self {
        case .ruifrok: return StainExtractor.ruifrokStains
        case .macenko: return try StainExtractor.macenkoStains(pixels.tissue, pixels.name)
        case .vahadane: return try StainExtractor.vahadaneStains(pixels.tissue, pixels.name)
        }
    }

    /// GaNDLF uses these rows as printed; here they are made unit length like the other
    /// extractors' rows, so that concentrations from any extractor are on one scale.
    static let ruifrokStains = [normalized(SIMD3(0.65, 0.70, 0.29)), normalized(SIMD3(0.07, 0.99, 0.11))]

    /// Macenko's method with GaNDLF's choices: the plane of the two largest principal axes of
    /// tissue optical density, and in it the directions at the 1st and 99th percentile angles,
    /// robust extremes that stand for the pure stains.
    static func macenkoStains(_ tissue: [SIMD3<Double>], _ name: String) throws -> [SIMD3<Double>] {
        let mean = tissue.reduce(SIMD3<Double>.zero, +) / Double(tissue.count)
        // Sums of squares and cross products: a covariance's 1/(n − 1) would not change the eigenvectors.
        var squares = SIMD3<Double>.zero, products = SIMD3<Double>.zero
        for od in tissue {
            let d = od - mean
            squares += d * d
            products += SIMD3(d.x * d.y, d.x * d.z, d.y * d.z)
        }
        let axes = symmetricEigenvectors([[squares.x, products.x, products.y],
                                          [products.x, squares.y, products.z],
                                          [products.y, products.z, squares.z]])
        let first = axes[0].x < 0 ? -axes[0] : axes[0], second = axes[1].x < 0 ? -axes[1] : axes[1]
        let angles = tissue.map { atan2(dot($0, second), dot($0, first)) }.sorted()
        let low = percentile(sorted: angles, 1), high = percentile(sorted: angles, 99)
        let v1 = cos(low) * first + sin(low) * second, v2 = cos(high) * first + sin(high) * second
        // Haematoxylin absorbs more red than eosin does.
        return try v1.x > v2.x ? unitStains(v1, v2, name) : unitStains(v2, v1, name)
    }

    /// Vahadane's sparse non-negative factorisation: tissue OD (N×3) ≈ C (N×2)·S (2×3), C ≥ 0 kept
    /// sparse by an L1 penalty λ = 0.1, S ≥ 0 with unit rows. Solved by alternating exact block
    /// updates from Macenko's stains for a fixed number of rounds, so that it is deterministic
    /// (GaNDLF's unseeded dictionary learning is not): a pixel's two concentrations, and a
    /// colour's two stain components, are each a non-negative quadratic problem in two unknowns.
    static func vahadaneStains(_ tissue: [SIMD3<Double>], _ name: String) throws -> [SIMD3<Double>] {
        let lambda = 0.1
        var stains = try macenkoStains(tissue, name).map { pointwiseMax($0, .zero) }
        for _ in 0..<30 {
            let gram = SIMD3(dot(stains[0], stains[0]), dot(stains[0], stains[1]), dot(stains[1], stains[1]))
            var concentrationGram = SIMD3<Double>.zero, projections = [SIMD3<Double>.zero, .zero]
            for od in tissue {
                let c = nonNegativeMinimum(gram, SIMD2(dot(stains[0], od) - lambda, dot(stains[1], od) - lambda))
                concentrationGram += SIMD3(c.x * c.x, c.x * c.y, c.y * c.y)
                projections[0] += c.x * od
                projections[1] += c.y * od
            }
            var next = [SIMD3<Double>.zero, .zero]
            for k in 0..<3 {
                let s = nonNegativeMinimum(concentrationGram, SIMD2(projections[0][k], projections[1][k]))
                next[0][k] = s.x
                next[1][k] = s.y
            }
            // The penalty on C is what fixes the scale, so S keeps unit rows; a stain that no
            // pixel uses keeps its last direction.
            for row in 0..<2 where dot(next[row], next[row]) > 0 { stains[row] = normalized(next[row]) }
        }
        return try stains[0].x >= stains[1].x ? unitStains(stains[0], stains[1], name) : unitStains(stains[1], stains[0], name)
    }

    /// The solution c of the 2×2 system [g.x g.y; g.y g.z]·c = b whose determinant is given.
    static func solve(_ g: SIMD3<Double>, _ b: SIMD2<Double>, determinant: Double) -> SIMD2<Double> {
        SIMD2(g.z * b.x - g.y * b.y, g.x * b.y - g.y * b.x) / determinant
    }

    /// The minimum over c ≥ 0 of ½cᵀGc − bᵀc, with G = [[g.x, g.y], [g.y, g.z]] positive
    /// semi-definite: the lowest of the origin, the minimum along each axis, and the
    /// unconstrained minimum when it is non-negative.
    static func nonNegativeMinimum(_ g: SIMD3<Double>, _ b: SIMD2<Double>) -> SIMD2<Double> {
        var best = SIMD2<Double>.zero, lowest = 0.0
        func consider(_ c: SIMD2<Double>) {
            let value = 0.5 * (g.x * c.x * c.x + 2 * g.y * c.x * c.y + g.z * c.y * c.y) - b.x * c.x - b.y * c.y
            if value < lowest { (best, lowest) = (c, value) }
        }
        if g.x > 0 && b.x > 0 { consider(SIMD2(b.x / g.x, 0)) }
        if g.z > 0 && b.y > 0 { consider(SIMD2(0, b.y / g.z)) }
        let determinant = g.x * g.z - g.y * g.y
        if determinant > 1e-12 * g.x * g.z {
            let c = solve(g, b, determinant: determinant)
            if c.x >= 0 && c.y >= 0 { consider(c) }
        }
        return best
    }

    /// Unit eigenvectors of a symmetric 3×3 matrix, largest eigenvalue first, by cyclic Jacobi
    /// rotations: each zeroes one off-diagonal pair, and a few sweeps reach machine precision.
    static func symmetricEigenvectors(_ matrix: [[Double]]) -> [SIMD3<Double>] {
        var a = matrix, v: [[Double]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        for _ in 0..<50 {
            let offDiagonal = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2]
            let total = a.joined().reduce(0.0) { $0 + $1 * $1 }
            if offDiagonal <= 1e-24 * total { break }
            for (p, q) in [(0, 1), (0, 2), (1, 2)] where a[p][q] != 0 {
                let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<3 { (a[k][p], a[k][q]) = (c * a[k][p] - s * a[k][q], s * a[k][p] + c * a[k][q]) }
                for k in 0..<3 { (a[p][k], a[q][k]) = (c * a[p][k] - s * a[q][k], s * a[p][k] + c * a[q][k]) }
                for k in 0..<3 { (v[k][p], v[k][q]) = (c * v[k][p] - s * v[k][q], s * v[k][p] + c * v[k][q]) }
            }
        }
        return (0..<3).sorted { a[$0][$0] > a[$1][$1] }.map { SIMD3(v[0][$0], v[1][$0], v[2][$0]) }
    }

    /// [H, E] as unit rows; stains that cannot be told apart are an error, and this check keeps
    /// the concentrations' normal equations solvable.
    static func unitStains(_ h: SIMD3<Double>, _ e: SIMD3<Double>, _ name: String) throws -> [SIMD3<Double>] {
        guard dot(h, h) > 0, dot(e, e) > 0, abs(dot(normalized(h), normalized(e))) < 0.9999 else {
            throw stainError("cannot tell haematoxylin from eosin in \(name): its tissue shows a single colour")
        }
        return [normalized(h), normalized(e)]
    }
}

/// An RGB image (values 0…255) as stain normalisation reads it: every pixel's optical density,
/// and which pixels are tissue.
struct StainedPixels {
    /// How errors name the image: "the target /data/target.png".
    let name: String
    let density: [SIMD3<Double>]
    let isTissue: [Bool]
    /// The optical densities of the tissue pixels.
    let tissue: [SIMD3<Double>]

    /// Refuses an image that is not RGB, naming it as `role` ("the image /data/a.png").
    static func requireRGB(_ image: MedicalImage, role: String) throws {
        guard image.channels != 3 else { return }
        throw stainError("the \(role)" + (image.path.map { " \($0)" } ?? "")
                         + " has \(image.channels) channel(s); H&E stain normalisation needs an RGB image (3 channels)")
    }

    init(_ image: MedicalImage, role: String) throws {
        let name = "the \(role)" + (image.path.map { " \($0)" } ?? "")
        try StainedPixels.requireRGB(image, role: role)
        let values = try image.data.contiguous().floats(), n = values.count / 3
        let noTissue = stainError("\(name) shows no tissue: no pixel is darker than L* 80 once its contrast is stretched between its 2nd and 98th percentiles")
        guard n > 0 else { throw noTissue }
        // GaNDLF's luminosity mask: background is near white, tissue darker, whatever the exposure.
        let sorted = values.sorted()
        var low = percentile(sorted: sorted, 2), high = percentile(sorted: sorted, 98)
        if low >= high { (low, high) = (Double(sorted[0]), Double(sorted[sorted.count - 1])) }
        // A flat image is left unstretched, so that a white one shows no tissue.
        let (offset, span) = high > low ? (low, high - low) : (0.0, 255.0)
        func stretched(_ value: Double) -> Double { min(max((value - offset) / span, 0), 1) }
        func opticalDensity(_ value: Double) -> Double { max(-log(max(value, 1) / 255), 1e-6) }
        var density = [SIMD3<Double>](), isTissue = [Bool](), tissue = [SIMD3<Double>]()
        density.reserveCapacity(n)
        isTissue.reserveCapacity(n)
        for i in 0..<n {
            let rgb = SIMD3(Double(values[i]), Double(values[n + i]), Double(values[2 * n + i]))
            let od = SIMD3(opticalDensity(rgb.x), opticalDensity(rgb.y), opticalDensity(rgb.z))
            let dark = StainedPixels.lightness(SIMD3(stretched(rgb.x), stretched(rgb.y), stretched(rgb.z))) < 80
            density.append(od)
            isTissue.append(dark)
            if dark { tissue.append(od) }
        }
        // Two pixels at least: Macenko's covariance needs them.
        guard tissue.count >= 2 else { throw noTissue }
        self.name = name
        self.density = density
        self.isTissue = isTissue
        self.tissue = tissue
    }

    /// CIE L* (0…100) of an sRGB colour with components 0…1 (D65 white).
    static func lightness(_ rgb: SIMD3<Double>) -> Double {
        func linear(_ c: Double) -> Double { c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4) }
        let y = 0.2126 * linear(rgb.x) + 0.7152 * linear(rgb.y) + 0.0722 * linear(rgb.z)
        return y > 216.0 / 24389 ? 116 * cbrt(y) - 16 : 24389.0 / 27 * y
    }
}

/// An image's stains, every pixel's concentration of each, and each stain's 99th-percentile
/// concentration over the tissue.
struct StainFit {
    let stains: [SIMD3<Double>]
    let concentrations: [SIMD2<Double>]
    let reference: SIMD2<Double>

    init(_ pixels: StainedPixels, _ extractor: StainExtractor) throws {
        let stains = try extractor.stains(pixels)
        // Least squares of OD ≈ cᴴ·H + cᴱ·E per pixel, through the 2×2 normal equations (the
        // stains are unit rows and not parallel, so they are solvable).
        let g = SIMD3(dot(stains[0], stains[0]), dot(stains[0], stains[1]), dot(stains[1], stains[1]))
        let determinant = g.x * g.z - g.y * g.y
        let concentrations = pixels.density.map { od -> SIMD2<Double> in
            let b = SIMD2(dot(stains[0], od), dot(stains[1], od))
            return StainExtractor.solve(g, b, determinant: determinant)
        }
        // Over the tissue, not the whole image (as GaNDLF takes it): a tile that is mostly
        // background would otherwise have its percentile in the background and be darkened wildly.
        let tissue = zip(concentrations, pixels.isTissue).filter { $0.1 }.map { $0.0 }
        self.stains = stains
        self.concentrations = concentrations
        reference = SIMD2(percentile(sorted: tissue.map(\.x).sorted(), 99), percentile(sorted: tissue.map(\.y).sorted(), 99))
    }
}

extension Transform {
    /// H&E stain normalisation to a target image (GaNDLF's stain_normalization): each image's
    /// stains, found by `extractor`, give way to the target's, and each stain's concentration is
    /// scaled so that its 99th percentile over the tissue matches the target's. For RGB images
    /// with values 0…255; the result keeps the image's layout and range. The target is checked
    /// and fitted once, here. An image with no tissue, or with one stain only, is left as it is.
    public static func stainNormalization(target: MedicalImage, extractor: StainExtractor) throws -> Transform {
        let goal = try StainFit(StainedPixels(target, role: "target"), extractor)
        return Transform("stain_normalize(target: \(target.path ?? "image"), extractor: \(extractor.rawValue))") { sample, _ in
            try StainedPixels.requireRGB(sample.image, role: "image")
            // A whole-slide tile of background or of a single stain has nothing to normalise
            // (the only errors left to the two fits); GaNDLF's would end the slide's inference.
            guard let pixels = try? StainedPixels(sample.image, role: "image"), let source = try? StainFit(pixels, extractor) else { return }
            // Optical density 0.05 absorbs about 5 %: a stain fainter than that throughout is
            // absent, and scaling it up would only amplify noise.
            let faint = 0.05
            let scale = SIMD2(source.reference.x > faint ? goal.reference.x / source.reference.x : 1,
                              source.reference.y > faint ? goal.reference.y / source.reference.y : 1)
            let n = pixels.density.count
            var values = [Float](repeating: 0, count: 3 * n)
            for (i, c) in source.concentrations.enumerated() {
                let density = c.x * scale.x * goal.stains[0] + c.y * scale.y * goal.stains[1]
                // exp keeps the values above 0; negative concentrations could pass 255.
                for channel in 0..<3 { values[channel * n + i] = Float(Swift.min(255, 255 * Foundation.exp(-density[channel]))) }
            }
            sample.image.data = try Tensor(values, shape: sample.image.data.shape)
        }
    }
}

private func stainError(_ message: String) -> TensorError { .invalidArgument(op: "stain_normalize", message) }

private func dot(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { (a * b).sum() }

private func normalized(_ v: SIMD3<Double>) -> SIMD3<Double> { v / dot(v, v).squareRoot() }
