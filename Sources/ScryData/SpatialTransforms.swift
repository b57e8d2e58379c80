import Foundation
import ScryTensor

/// Steps that move voxels: applied to the image and, with nearest-neighbour, to the label.
extension Transform {
    /// Applies `f` to the image data and the label data alike ([C, …spatial] each).
    static func spatial(_ description: String, probability: Double = 1,
                        _ f: @escaping (Tensor, Bool, inout RandomGenerator) throws -> Tensor) -> Transform {
        Transform(description, probability: probability) { sample, random in
            // One draw of the parameters serves image and label: both get the same generator state.
            var forLabel = random
            sample.image.data = try f(sample.image.data, false, &random)
            if var label = sample.label {
                label.data = try f(label.data, true, &forLabel)
                sample.label = label
            }
        }
    }

    /// Mirrors the given spatial axes (0 is x). The affine stays, so the anatomy is mirrored in
    /// world space too (as TorchIO's Flip).
    public static func flip(axes: [Int], probability: Double = 1) -> Transform {
        spatial("flip(axes: \(axes))", probability: probability) { data, _, _ in
            guard axes.allSatisfy({ (0..<(data.rank - 1)).contains($0) }) else {
                throw TensorError.invalidAxis(op: "flip", axis: axes.first { !(0..<(data.rank - 1)).contains($0) } ?? 0, rank: data.rank - 1)
            }
            return try data.flip(axes.map { $0 + 1 }).contiguous()
        }
    }

    /// Rotates by a random multiple of 90° in the plane of two spatial axes.
    public static func rotate90(axes: (Int, Int) = (0, 1), probability: Double = 1) -> Transform {
        spatial("rotate90(axes: [\(axes.0), \(axes.1)])", probability: probability) { data, _, random in
            let spatialAxes = data.rank - 1
            guard axes.0 != axes.1, (0..<spatialAxes).contains(axes.0), (0..<spatialAxes).contains(axes.1) else {
                throw TensorError.invalidArgument(op: "rotate90", "axes must be two different spatial axes of 0…\(spatialAxes - 1), got [\(axes.0), \(axes.1)]")
            }
            let turns = Int(random.next() % 4)
            var result = data
            for _ in 0..<turns {
                // One quarter turn: transpose the plane, then flip its first axis.
                var order = Array(0..<data.rank)
                order.swapAt(axes.0 + 1, axes.1 + 1)
                result = try result.permute(order).flip([axes.0 + 1])
            }
            return try result.contiguous()
        }
    }

    /// Centred crop and/or zero padding to `size`, the odd voxel going before (TorchIO's CropOrPad).
    public static func cropOrPad(_ size: [Int]) -> Transform {
        let body = spatial("crop_or_pad(\(shapeString(size)))") { data, _, _ in try cropOrPad(data, size) }
        return Transform(body.description) { sample, random in
            let before = sample.image.shape
            try body.body(&sample, &random)
            sample.regrid(scale: before.map { _ in 1 }, offset: zip(before, size).map { have, want in
                let first = Double((Swift.abs(have - want) + 1) / 2)
                return have > want ? first : -first
            })
        }
    }

    static func cropOrPad(_ data: Tensor, _ size: [Int]) throws -> Tensor {
        let spatial = Array(data.shape.dropFirst())
        guard size.allSatisfy({ $0 >= 1 }) else { throw TensorError.invalidArgument(op: "crop_or_pad", "sizes must be positive, got \(shapeString(size))") }
        guard spatial.count == size.count else { throw TensorError.shapeMismatch(op: "crop_or_pad", "size \(shapeString(size)) for spatial shape \(shapeString(spatial))") }
        var result = data
        var widths: [(before: Int, after: Int)] = [(0, 0)]
        var window: [TensorIndex] = [.all]
        for (have, want) in zip(spatial, size) {
            let difference = Swift.abs(have - want), first = (difference + 1) / 2, second = difference / 2
            widths.append(have < want ? (first, second) : (0, 0))
            window.append(have > want ? .slice(start: first, stop: have - second, step: nil) : .all)
        }
        result = try result.index(window)
        return try result.pad(widths).contiguous()
    }

    /// `margin[axis]` voxels added on both sides of each spatial axis, made up as `mode` says
    /// (zeros by default), the label padded alike, the grid extended so that the image stays
    /// where it was in world space (GaNDLF's patch_sampler.enable_padding, so that patches
    /// reach the image's edges).
    public static func pad(_ margin: [Int], mode: PaddingMode = .constant) -> Transform {
        let body = spatial("pad(\(shapeString(margin)), \(mode.rawValue))") { data, _, _ in try mode.pad(data, margins: margin) }
        return Transform(body.description) { sample, random in
            try body.body(&sample, &random)
            sample.regrid(scale: margin.map { _ in 1 }, offset: margin.map { -Double($0) })
        }
    }

    /// The centre `size` of the image (each axis at most its size).
    public static func centreCrop(_ size: [Int]) -> Transform {
        Transform("centre_crop(\(shapeString(size)))") { sample, random in
            guard size.count == sample.image.shape.count else {
                throw TensorError.shapeMismatch(op: "centre_crop", "size \(shapeString(size)) for spatial shape \(shapeString(sample.image.shape))")
            }
            try cropOrPad(zip(sample.image.shape, size).map { Swift.min($0, $1) }).body(&sample, &random)
        }
    }

    /// Crops image and label to the bounding box of the image's non-zero voxels.
    public static func cropToNonzero() -> Transform {
        Transform("crop_to_nonzero()") { sample, _ in
            let data = sample.image.data, spatial = Array(data.shape.dropFirst())
            let any = try data.ne(0).to(.float32).sum(axes: [0]).contiguous().scalars()
            var low = spatial.map { _ in Int.max }, high = spatial.map { _ in -1 }
            for (i, value) in any.enumerated() where value > 0 {
                var rest = i
                for axis in (0..<spatial.count).reversed() {
                    let p = rest % spatial[axis]; rest /= spatial[axis]
                    low[axis] = Swift.min(low[axis], p); high[axis] = Swift.max(high[axis], p)
                }
            }
            guard high[0] >= 0 else { return }
            let window = [TensorIndex.all] + zip(low, high).map { TensorIndex.slice(start: $0, stop: $1 + 1, step: nil) }
            sample.image.data = try data.index(window).contiguous()
            if var label = sample.label { label.data = try label.data.index(window).contiguous(); sample.label = label }
            sample.regrid(scale: low.map { _ in 1 }, offset: low.map(Double.init))
        }
    }

    /// Resamples along each spatial axis to `sizes`, output voxel j read at input position
    /// 0.5·(r − 1) + j·r (voxel centres, r the ratio of new to old spacing): linearly with edge
    /// values within half a voxel of the border and zero beyond, or from the nearest voxel, as
    /// TorchIO's Resample does through SimpleITK.
    static func resampled(_ data: Tensor, sizes: [Int], ratios: [Double], nearest: Bool) throws -> Tensor {
        var values = try data.contiguous().floats(), shape = data.shape
        for (axis, (size, r)) in zip(sizes, ratios).enumerated() where size != shape[axis + 1] || r != 1 {
            let n = shape[axis + 1], inner = shape[(axis + 2)...].reduce(1, *), outer = shape[...axis].reduce(1, *)
            var out = [Float](repeating: 0, count: outer * size * inner)
            for j in 0..<size {
                let x = 0.5 * (r - 1) + Double(j) * r
                guard x >= -0.5 && x < Double(n) - 0.5 else { continue }
                let (i0, i1, weight): (Int, Int, Float)
                if nearest {
                    let i = Swift.min(n - 1, Int((x + 0.5).rounded(.down)))
                    (i0, i1, weight) = (i, i, 0)
                } else {
                    let clamped = Swift.min(Swift.max(x, 0), Double(n - 1)), low = Int(clamped.rounded(.down))
                    (i0, i1, weight) = (low, Swift.min(low + 1, n - 1), Float(clamped - Double(low)))
                }
                for o in 0..<outer {
                    for k in 0..<inner {
                        let a = values[(o * n + i0) * inner + k], b = values[(o * n + i1) * inner + k]
                        out[(o * size + j) * inner + k] = a + (b - a) * weight
                    }
                }
            }
            values = out
            shape[axis + 1] = size
        }
        return try Tensor(values, shape: shape)
    }

    /// Resamples to `size` (linear image, nearest label), the spacing scaled so the physical
    /// extent stays (TorchIO's Resize).
    public static func resize(_ size: [Int]) -> Transform {
        Transform("resize(\(shapeString(size)))") { sample, _ in
            let before = sample.image.shape
            guard before.count == size.count, size.allSatisfy({ $0 >= 1 }) else { throw TensorError.shapeMismatch(op: "resize", "size \(shapeString(size)) for spatial shape \(shapeString(before))") }
            let ratios = zip(before, size).map { Double($0) / Double($1) }
            sample.image.data = try resampled(sample.image.data, sizes: size, ratios: ratios, nearest: false)
            if var label = sample.label {
                label.data = try resampled(label.data, sizes: size, ratios: ratios, nearest: true)
                sample.label = label
            }
            sample.regrid(scale: ratios, offset: ratios.map { 0.5 * ($0 - 1) })
        }
    }

    /// Resamples to a voxel spacing (linear image, nearest label), ⌈size·old/new⌉ voxels per
    /// axis, as TorchIO's Resample (GaNDLF's resample).
    public static func resample(spacing: [Double]) -> Transform {
        Transform("resample(spacing: \(spacing))") { sample, _ in
            let before = sample.image.shape
            guard spacing.count == before.count, spacing.allSatisfy({ $0 > 0 }) else { throw TensorError.invalidArgument(op: "resample", "\(before.count) positive spacings needed, got \(spacing)") }
            let ratios = zip(spacing, sample.image.spacing).map { $0 / $1 }
            let exact = zip(before, ratios).map { n, r in n == 1 ? 1 : (Double(n) / r - 1e-9).rounded(.up) }
            guard exact.reduce(1, *) <= 1e9 else { throw TensorError.invalidArgument(op: "resample", "spacing \(spacing) would make \(exact) voxels") }
            let sizes = exact.map { Int($0) }
            sample.image.data = try resampled(sample.image.data, sizes: sizes, ratios: ratios, nearest: false)
            if var label = sample.label {
                label.data = try resampled(label.data, sizes: sizes, ratios: ratios, nearest: true)
                sample.label = label
            }
            sample.regrid(scale: ratios, offset: ratios.map { 0.5 * ($0 - 1) })
        }
    }

    /// Gaussian blur with a standard deviation in millimetres (per axis, through the spacing),
    /// truncated at 4σ with mirrored borders, as SciPy's gaussian_filter (TorchIO's RandomBlur).
    public static func blur(stdRange: (Double, Double) = (0, 2), probability: Double = 1) -> Transform {
        Transform("blur(std: [\(stdRange.0), \(stdRange.1)])", probability: probability) { sample, random in
            let std = stdRange.0 + (stdRange.1 - stdRange.0) * Double(random.nextUniform())
            var data = try sample.image.data.contiguous().floats()
            let shape = sample.image.data.shape
            for (axis, spacing) in sample.image.spacing.enumerated() {
                let sigma = std / spacing
                guard sigma > 0 else { continue }
                guard sigma < 1e5 else { throw TensorError.invalidArgument(op: "blur", "std \(std) mm is far larger than the image") }
                let radius = Int(4 * sigma + 0.5)
                let kernel = (-radius...radius).map { Foundation.exp(-Double($0 * $0) / (2 * sigma * sigma)) }
                let total = kernel.reduce(0, +)
                data = convolveAxis(data, shape: shape, axis: axis + 1, kernel: kernel.map { $0 / total })
            }
            sample.image.data = try Tensor(data, shape: shape)
        }
    }

    /// 1D convolution along one axis with mirrored (half-sample symmetric) borders.
    static func convolveAxis(_ values: [Float], shape: [Int], axis: Int, kernel: [Double]) -> [Float] {
        let size = shape[axis], inner = shape[(axis + 1)...].reduce(1, *), outer = shape[..<axis].reduce(1, *)
        let radius = kernel.count / 2
        var result = values
        func mirror(_ i: Int) -> Int {
            var j = i
            let period = 2 * size
            j = ((j % period) + period) % period
            return j < size ? j : period - 1 - j
        }
        for o in 0..<outer {
            for r in 0..<inner {
                let base = o * size * inner + r
                for i in 0..<size {
                    var sum = 0.0
                    for (k, w) in kernel.enumerated() { sum += w * Double(values[base + mirror(i + k - radius) * inner]) }
                    result[base + i * inner] = Float(sum)
                }
            }
        }
        return result
    }
}
