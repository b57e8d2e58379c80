import Foundation
import ScryTensor

/// Spatial warps: each output voxel is read from a position of the input (linear interpolation
/// for images, nearest for labels, zero outside), through a random affine map or a smooth
/// random displacement field.
extension Transform {
    /// Reads `data` [C, …spatial] at `positions` (one voxel coordinate per axis per output voxel).
    static func resample(_ data: Tensor, _ positions: [[Double]], nearest: Bool) throws -> Tensor {
        let shape = Array(data.shape.dropFirst()), dims = shape.count, channels = data.shape[0]
        let values = try data.contiguous().floats(), volume = shape.reduce(1, *)
        let strides = (0..<dims).map { shape[($0 + 1)...].reduce(1, *) }
        var out = [Float](repeating: 0, count: channels * volume)
        for (i, p) in positions.enumerated() {
            if nearest {
                let q = p.map { Int(($0 + 0.5).rounded(.down)) }
                guard zip(q, shape).allSatisfy({ $0 >= 0 && $0 < $1 }) else { continue }
                let index = zip(q, strides).reduce(0) { $0 + $1.0 * $1.1 }
                for c in 0..<channels { out[c * volume + i] = values[c * volume + index] }
                continue
            }
            // Within half a voxel of the border the edge voxels extend; beyond, zero (as ITK).
            guard zip(p, shape).allSatisfy({ $0 >= -0.5 && $0 < Double($1) - 0.5 }) else { continue }
            let clamped = zip(p, shape).map { Swift.min(Swift.max($0, 0), Double($1 - 1)) }
            let base = clamped.map { Int($0.rounded(.down)) }, fraction = zip(clamped, base).map { $0 - Double($1) }
            for corner in 0..<(1 << dims) {
                var weight = 1.0, index = 0
                for axis in 0..<dims {
                    let up = (corner >> axis) & 1 == 1, q = Swift.min(base[axis] + (up ? 1 : 0), shape[axis] - 1)
                    weight *= up ? fraction[axis] : 1 - fraction[axis]
                    index += q * strides[axis]
                }
                guard weight > 0 else { continue }
                for c in 0..<channels { out[c * volume + i] += Float(weight) * values[c * volume + index] }
            }
        }
        return try Tensor(out, shape: data.shape)
    }

    /// Every voxel's coordinates, in row-major order.
    static func grid(_ shape: [Int]) -> [[Double]] {
        (0..<shape.reduce(1, *)).map { i in
            var rest = i, point = [Double](repeating: 0, count: shape.count)
            for axis in (0..<shape.count).reversed() { point[axis] = Double(rest % shape[axis]); rest /= shape[axis] }
            return point
        }
    }

    /// A rotation (degrees about x, y and z; in 2D one angle in the x–y plane), scales per axis
    /// and translation (mm) about the image centre, output voxel by output voxel through the
    /// inverse map, as TorchIO's Affine does with SimpleITK; the turns compose as Rz·Rx·Ry
    /// (ITK's Euler order). Points outside the image read zero.
    public static func affine(rotation: [Double], scales: [Double], translation: [Double]) -> Transform {
        Transform("affine(rotation: \(rotation), scales: \(scales), translation: \(translation))") { sample, _ in
            let shape = sample.image.shape, dims = shape.count, spacing = sample.image.spacing
            guard scales.count == dims, translation.count == dims, rotation.count == (dims == 3 ? 3 : 1) else {
                throw TensorError.invalidArgument(op: "affine", "\(dims)D needs \(dims) scales and translations and \(dims == 3 ? 3 : 1) angles")
            }
            func turn(_ degrees: Double, _ a: Int, _ b: Int) -> [[Double]] {
                let angle = degrees * Double.pi / 180
                var m = (0..<dims).map { r in (0..<dims).map { c in r == c ? 1.0 : 0.0 } }
                m[a][a] = cos(angle); m[a][b] = -sin(angle); m[b][a] = sin(angle); m[b][b] = cos(angle)
                return m
            }
            func product(_ x: [[Double]], _ y: [[Double]]) -> [[Double]] {
                (0..<dims).map { r in (0..<dims).map { c in (0..<dims).reduce(0) { $0 + x[r][$1] * y[$1][c] } } }
            }
            let matrix: [[Double]] = dims == 3
                ? product(product(turn(rotation[2], 0, 1), turn(rotation[0], 1, 2)), turn(rotation[1], 2, 0))
                : turn(rotation[0], 0, 1)
            let shift = translation.enumerated().map { $0.offset == 2 ? -$0.element : $0.element }
            let centre = shape.map { Double($0 - 1) / 2 }
            // Output voxel → offset from the centre (mm), unscaled and unshifted, then turned: the
            // input point it shows → input voxel.
            let positions = grid(shape).map { point -> [Double] in
                let physical = (0..<dims).map { (point[$0] - centre[$0]) * spacing[$0] / scales[$0] - translation[$0] }
                let moved = (0..<dims).map { r in (0..<dims).reduce(0) { $0 + matrix[$1][r] * physical[$1] } }
                return (0..<dims).map { moved[$0] / spacing[$0] + centre[$0] }
            }
            sample.image.data = try resample(sample.image.data, positions, nearest: false)
            if var label = sample.label { label.data = try resample(label.data, positions, nearest: true); sample.label = label }
        }
    }

    /// A random rotation (± degrees about each axis), isotropic scale and translation (± mm),
    /// as TorchIO's RandomAffine draws them.
    public static func affine(degrees: Double = 10, scale: (Double, Double) = (0.9, 1.1), translation: Double = 0,
                              probability: Double = 1) -> Transform {
        Transform("affine(degrees: \(degrees), scale: [\(scale.0), \(scale.1)], translation: \(translation))", probability: probability) { sample, random in
            let dims = sample.image.shape.count
            func draw(_ low: Double, _ high: Double) -> Double { low + (high - low) * Double(random.nextUniform()) }
            let factor = draw(scale.0, scale.1)
            let angles = (0..<(dims == 3 ? 3 : 1)).map { _ in draw(-degrees, degrees) }
            let shift = (0..<dims).map { _ in draw(-translation, translation) }
            try affine(rotation: angles, scales: [Double](repeating: factor, count: dims), translation: shift).body(&sample, &random)
        }
    }

    /// A smooth random deformation: displacements up to `maxDisplacement` voxels drawn on a
    /// coarse grid of `controlPoints` per axis and interpolated between them (TorchIO's
    /// RandomElasticDeformation, with linear instead of B-spline interpolation).
    public static func elastic(controlPoints: Int = 7, maxDisplacement: Double = 4, probability: Double = 1) -> Transform {
        Transform("elastic(control_points: \(controlPoints), max_displacement: \(maxDisplacement))", probability: probability) { sample, random in
            let shape = sample.image.shape, dims = shape.count
            let coarse = [Int](repeating: controlPoints, count: dims)
            let displacement = try (0..<dims).map { _ -> [Float] in
                let values = (0..<coarse.reduce(1, *)).map { _ in Float(maxDisplacement * (2 * Double(random.nextUniform()) - 1)) }
                return try Tensor.upsample(try Tensor(values, shape: [1, 1] + coarse), size: shape, mode: .linear, alignCorners: true).contiguous().floats()
            }
            let positions = grid(shape).enumerated().map { i, point in (0..<dims).map { point[$0] + Double(displacement[$0][i]) } }
            sample.image.data = try resample(sample.image.data, positions, nearest: false)
            if var label = sample.label { label.data = try resample(label.data, positions, nearest: true); sample.label = label }
        }
    }
}
