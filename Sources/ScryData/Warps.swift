import Foundation
import ScryTensor

/// Spatial warps: each output voxel is read from a position of the input (linear interpolation
/// for images, nearest for labels, zero outside), through a random affine map or a smooth
/// random displacement field.
extension Transform {
    /// Reads `data` [C, …spatial] at `positions` (one voxel coordinate per axis per output voxel);
    /// points outside read each channel's minimum for images (TorchIO's default padding) and 0
    /// for labels (read by nearest neighbour).
    static func resample(_ data: Tensor, _ positions: [[Double]], nearest: Bool) throws -> Tensor {
        let shape = Array(data.shape.dropFirst()), dims = shape.count, channels = data.shape[0]
        let values = try data.contiguous().floats(), volume = shape.reduce(1, *)
        let strides = (0..<dims).map { shape[($0 + 1)...].reduce(1, *) }
        var out = [Float](repeating: 0, count: channels * volume)
        if !nearest {
            for c in 0..<channels {
                let low = values[(c * volume)..<((c + 1) * volume)].min() ?? 0
                for i in 0..<volume { out[c * volume + i] = low }
            }
        }
        for (i, p) in positions.enumerated() {
            guard p.allSatisfy({ $0.isFinite && Swift.abs($0) < 1e9 }) else { continue }
            if nearest {
                let q = p.map { Int(($0 + 0.5).rounded(.down)) }
                guard zip(q, shape).allSatisfy({ $0 >= 0 && $0 < $1 }) else { continue }
                let index = zip(q, strides).reduce(0) { $0 + $1.0 * $1.1 }
                for c in 0..<channels { out[c * volume + i] = values[c * volume + index] }
                continue
            }
            // Within half a voxel of the border the edge voxels extend; beyond, zero (as ITK).
            guard zip(p, shape).allSatisfy({ $0 >= -0.5 && $0 < Double($1) - 0.5 }) else { continue }
            for c in 0..<channels { out[c * volume + i] = 0 }
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
    /// (ITK's Euler order). Points outside the image read its minimum.
    public static func affine(rotation: [Double], scales: [Double], translation: [Double]) -> Transform {
        Transform("affine(rotation: \(rotation), scales: \(scales), translation: \(translation))") { sample, _ in
            let shape = sample.image.shape, dims = shape.count, spacing = sample.image.spacing
            guard scales.count == dims, translation.count == dims, rotation.count == (dims == 3 ? 3 : 1) else {
                throw TensorError.invalidArgument(op: "affine", "\(dims)D needs \(dims) scales and translations and \(dims == 3 ? 3 : 1) angles")
            }
            // In 2D the one angle turns the x–y plane, as the turn about z does in 3D.
            let euler = eulerMatrix(dims == 3 ? rotation : [0, 0, rotation[0]])
            let matrix = (0..<dims).map { r in Array(euler[r].prefix(dims)) }
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

    /// The rotation of ITK's Euler3DTransform from degrees about x, y and z: Rz·Rx·Ry, in the
    /// x, y, z voxel axes.
    static func eulerMatrix(_ degrees: [Double]) -> [[Double]] {
        func turn(_ degrees: Double, _ a: Int, _ b: Int) -> [[Double]] {
            let angle = degrees * Double.pi / 180
            var m = (0..<3).map { r in (0..<3).map { c in r == c ? 1.0 : 0.0 } }
            m[a][a] = cos(angle); m[a][b] = -sin(angle); m[b][a] = sin(angle); m[b][b] = cos(angle)
            return m
        }
        func product(_ x: [[Double]], _ y: [[Double]]) -> [[Double]] {
            (0..<3).map { r in (0..<3).map { c in (0..<3).reduce(0) { $0 + x[r][$1] * y[$1][c] } } }
        }
        return product(product(turn(degrees[2], 0, 1), turn(degrees[0], 1, 2)), turn(degrees[1], 2, 0))
    }

    /// The cubic B-spline kernel.
    static func cubicBSpline(_ t: Double) -> Double {
        let a = Swift.abs(t)
        if a < 1 { return (4 - 6 * a * a + 3 * a * a * a) / 6 }
        return a < 2 ? (2 - a) * (2 - a) * (2 - a) / 6 : 0
    }

    /// A free-form deformation: `displacements` (mm, [nx, ny, nz, 3] row-major, x's control
    /// point first) on a grid of control points spread over the image as SimpleITK's
    /// BSplineTransformInitializer spreads them (the image's extent widened by an eighth of a
    /// voxel each side, one control point beyond each end), interpolated by cubic B-splines, in
    /// its LPS space: TorchIO's ElasticDeformation. A 2D image is a one-slice volume here.
    public static func elastic(displacements: [Double], grid: [Int]) -> Transform {
        Transform("elastic(grid: \(grid))") { sample, _ in
            let original = sample.image.shape, spacing2 = sample.image.spacing
            guard original.count == 2 || original.count == 3, grid.count == 3, grid.allSatisfy({ $0 >= 4 }),
                  displacements.count == grid.reduce(1, *) * 3 else {
                throw TensorError.invalidArgument(op: "elastic", "a 2D or 3D image and a control grid of at least 4 per axis with 3 displacements each")
            }
            let shape = original.count == 2 ? original + [1] : original
            let spacing = original.count == 2 ? spacing2 + [1] : spacing2
            // LPS flips x and y: voxel i sits at −i·spacing on those axes.
            let sign: [Double] = [-1, -1, 1]
            let low = (0..<3).map { axis -> Double in
                let far: Double = sign[axis] * Double(shape[axis] - 1) * spacing[axis]
                return Swift.min(0, far) - spacing[axis] * 0.625
            }
            let length: [Double] = (0..<3).map { axis -> Double in (Double(shape[axis]) + 0.25) * spacing[axis] }
            let step: [Double] = (0..<3).map { axis -> Double in length[axis] / Double(grid[axis] - 3) }
            let origin: [Double] = (0..<3).map { axis -> Double in low[axis] - step[axis] }
            func coefficient(_ i: Int, _ j: Int, _ k: Int, _ d: Int) -> Double {
                let a = Swift.min(Swift.max(i, 0), grid[0] - 1), b = Swift.min(Swift.max(j, 0), grid[1] - 1), c = Swift.min(Swift.max(k, 0), grid[2] - 1)
                return displacements[((a * grid[1] + b) * grid[2] + c) * 3 + d]
            }
            let positions = Transform.grid(shape).map { voxel -> [Double] in
                let point: [Double] = (0..<3).map { axis -> Double in sign[axis] * voxel[axis] * spacing[axis] }
                let u: [Double] = (0..<3).map { axis -> Double in (point[axis] - origin[axis]) / step[axis] }
                let start: [Int] = u.map { Int(($0 - 1).rounded(.down)) }
                let weights: [[Double]] = (0..<3).map { axis in (0..<4).map { k in cubicBSpline(u[axis] - Double(start[axis] + k)) } }
                var moved = point
                for d in 0..<(original.count == 2 ? 2 : 3) {
                    var sum = 0.0
                    for a in 0..<4 { for b in 0..<4 { for c in 0..<4 {
                        sum += weights[0][a] * weights[1][b] * weights[2][c] * coefficient(start[0] + a, start[1] + b, start[2] + c, d)
                    } } }
                    moved[d] += sum
                }
                let index: [Double] = (0..<3).map { axis -> Double in sign[axis] * moved[axis] / spacing[axis] }
                return original.count == 2 ? Array(index.prefix(2)) : index
            }
            sample.image.data = try resample(sample.image.data, positions, nearest: false)
            if var label = sample.label { label.data = try resample(label.data, positions, nearest: true); sample.label = label }
        }
    }

    /// A smooth random deformation: displacements up to `maxDisplacement` mm drawn for a grid of
    /// `controlPoints` per axis, the outer control points held still (TorchIO's
    /// RandomElasticDeformation with locked borders).
    public static func elastic(controlPoints: Int = 7, maxDisplacement: Double = 4, probability: Double = 1) -> Transform {
        Transform("elastic(control_points: \(controlPoints), max_displacement: \(maxDisplacement))", probability: probability) { sample, random in
            let n = Swift.max(5, controlPoints), grid = [n, n, n]
            var displacements = [Double](repeating: 0, count: n * n * n * 3)
            for i in 1..<(n - 1) { for j in 1..<(n - 1) { for k in 1..<(n - 1) { for d in 0..<3 {
                displacements[((i * n + j) * n + k) * 3 + d] = maxDisplacement * (2 * Double(random.nextUniform()) - 1)
            } } } }
            try elastic(displacements: displacements, grid: grid).body(&sample, &random)
        }
    }
}
