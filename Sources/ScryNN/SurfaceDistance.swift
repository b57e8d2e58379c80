import ScryTensor

/// Distances between the surfaces of two binary masks, in physical units (voxel spacing), as
/// Hausdorff distances and the normalised surface distance need them. A surface voxel is a
/// mask voxel with a face neighbour outside the mask (or on the border of the grid).
public enum SurfaceDistance {
    /// The surface voxels of `mask` (row-major over `shape`), as flat indices.
    public static func surface(_ mask: [Bool], shape: [Int]) -> [Int] {
        let strides = Tensor.contiguousStrides(shape)
        var result: [Int] = []
        for index in mask.indices where mask[index] {
            var border = false
            for axis in shape.indices {
                let coordinate = index / strides[axis] % shape[axis]
                if coordinate == 0 || coordinate == shape[axis] - 1 || !mask[index - strides[axis]] || !mask[index + strides[axis]] {
                    border = true
                    break
                }
            }
            if border { result.append(index) }
        }
        return result
    }

    /// For every voxel of the grid, the distance to the nearest of `points`; infinity when
    /// there are none. Exact Euclidean distances with anisotropic spacing, computed axis by
    /// axis by the lower envelope of parabolas (Felzenszwalb and Huttenlocher).
    public static func distanceMap(to points: [Int], shape: [Int], spacing: [Double]) -> [Double] {
        let count = shape.reduce(1, *)
        var squared = [Double](repeating: .infinity, count: count)
        for p in points { squared[p] = 0 }
        let strides = Tensor.contiguousStrides(shape)
        for axis in shape.indices {
            let n = shape[axis], stride = strides[axis], weight = spacing[axis] * spacing[axis]
            var line = [Double](repeating: 0, count: n), output = [Double](repeating: 0, count: n)
            // Every line along `axis`: starts are the indices whose coordinate on `axis` is 0.
            for start in 0..<count where start / stride % n == 0 {
                for i in 0..<n { line[i] = squared[start + i * stride] }
                lowerEnvelope(line, weight: weight, into: &output)
                for i in 0..<n { squared[start + i * stride] = output[i] }
            }
        }
        return squared.map { $0.squareRoot() }
    }

    /// output[q] = min over p of (f[p] + weight·(q − p)²), with infinite f allowed.
    private static func lowerEnvelope(_ f: [Double], weight: Double, into output: inout [Double]) {
        let n = f.count
        let finite = f.indices.filter { f[$0].isFinite }
        guard !finite.isEmpty else { for q in 0..<n { output[q] = .infinity }; return }
        var v = [Int](repeating: 0, count: finite.count), z = [Double](repeating: 0, count: finite.count + 1)
        var k = 0
        v[0] = finite[0]; z[0] = -.infinity; z[1] = .infinity
        func intersection(_ q: Int, _ p: Int) -> Double {
            ((f[q] + weight * Double(q * q)) - (f[p] + weight * Double(p * p))) / (2 * weight * Double(q - p))
        }
        for q in finite.dropFirst() {
            var s = intersection(q, v[k])
            while s <= z[k] {
                k -= 1
                s = intersection(q, v[k])
            }
            k += 1
            v[k] = q; z[k] = s; z[k + 1] = .infinity
        }
        k = 0
        for q in 0..<n {
            while z[k + 1] < Double(q) { k += 1 }
            let d = Double(q - v[k])
            output[q] = f[v[k]] + weight * d * d
        }
    }

    /// Distances from each surface voxel of `a` to the surface of `b`, and the reverse.
    public static func directed(_ a: [Bool], _ b: [Bool], shape: [Int], spacing: [Double]) -> (aToB: [Double], bToA: [Double]) {
        let surfaceA = surface(a, shape: shape), surfaceB = surface(b, shape: shape)
        let toB = distanceMap(to: surfaceB, shape: shape, spacing: spacing), toA = distanceMap(to: surfaceA, shape: shape, spacing: spacing)
        return (surfaceA.map { toB[$0] }, surfaceB.map { toA[$0] })
    }
}
