import Foundation
import ScryTensor

/// Inference over a whole volume in overlapping patches: `fn` maps a batch of patches
/// [N, C, …patch] to predictions [N, K, …patch], which are put back together into [K, …spatial].
public enum SlidingWindow {
    /// How overlapping windows combine: averaged uniformly, or weighted towards their centres
    /// (Gaussian, σ = patch/8 as MONAI; Hann, as TorchIO's "hann"), or each window's centre
    /// kept, half the overlap cropped from its inner sides and later windows written over
    /// earlier ones (TorchIO's "crop", GaNDLF's default grid aggregation).
    public enum Blend: String, Sendable, CaseIterable { case uniform, gaussian, hann, crop }

    /// With `padding`, half a patch is made up around the volume in that mode (GaNDLF's
    /// patch_sampler.enable_padding) so that its border voxels sit inside windows, and cut off
    /// again from the result.
    public static func infer(_ volume: Tensor, patchSize: [Int], overlap: Double = 0.5, batchSize: Int = 4, blend: Blend = .gaussian,
                             padding: PaddingMode? = nil, _ fn: (Tensor) throws -> Tensor) throws -> Tensor {
        try infer(volume, patchSize: patchSize, overlaps: [overlap], batchSize: batchSize, blend: blend, padding: padding, fn)
    }

    /// `overlaps`: the fraction of a window shared with the next, per axis (one value for all),
    /// as GaNDLF's patch_overlap in voxels becomes on patches of unequal sides.
    public static func infer(_ volume: Tensor, patchSize: [Int], overlaps: [Double], batchSize: Int = 4, blend: Blend = .gaussian,
                             padding: PaddingMode? = nil, _ fn: (Tensor) throws -> Tensor) throws -> Tensor {
        let spatial = Array(volume.shape.dropFirst())
        guard spatial.count == patchSize.count, patchSize.allSatisfy({ $0 >= 1 }) else {
            throw TensorError.shapeMismatch(op: "sliding_window", "patch size \(shapeString(patchSize)) for a volume [C, …] of shape \(shapeString(volume.shape))")
        }
        let overlap = overlaps.count == 1 ? [Double](repeating: overlaps[0], count: patchSize.count) : overlaps
        guard overlap.count == patchSize.count, overlap.allSatisfy({ (0..<1).contains($0) }), batchSize >= 1 else {
            throw TensorError.invalidArgument(op: "sliding_window", "overlap must be in [0, 1) (one value, or one per axis) and batch_size at least 1")
        }
        let margins = padding == nil ? spatial.map { _ in 0 } : patchSize.map { $0 > 1 ? ($0 + 1) / 2 : 0 }
        let source = try padding?.pad(volume, margins: margins) ?? volume
        let padded = try PatchSampler.padded(source, to: patchSize)
        let shape = Array(padded.shape.dropFirst())
        // Window corners per axis: evenly stepped, the last flush with the end.
        // The step's fraction is cut off, but not a rounding error's (1 − 8/32 of 32 is 24).
        let steps = zip(patchSize, overlap).map { Swift.max(1, Int(Double($0) * (1 - $1) + 1e-9)) }
        let starts = zip(shape, zip(patchSize, steps)).map { origins(size: $0, patch: $1.0, step: $1.1) }
        var corners: [[Int]] = [[]]
        for axis in starts { corners = corners.flatMap { prefix in axis.map { prefix + [$0] } } }
        let weights = windowWeights(patchSize, blend)
        let patchVolume = patchSize.reduce(1, *), total = shape.reduce(1, *)
        var output: [Float] = [], weightSum = [Float](repeating: 0, count: total), classes = 0
        for batchStart in stride(from: 0, to: corners.count, by: batchSize) {
            let batch = Array(corners[batchStart..<Swift.min(corners.count, batchStart + batchSize)])
            let patches = try batch.map { corner in
                try padded.index([.all] + zip(corner, patchSize).map { .slice(start: $0, stop: $0 + $1, step: nil) })
            }
            let prediction = try withNoGrad { try fn(try Tensor.stack(patches)) }
            guard prediction.rank == patchSize.count + 2, prediction.shape[0] == batch.count, Array(prediction.shape.dropFirst(2)) == patchSize else {
                throw TensorError.shapeMismatch(op: "sliding_window", "the function returned \(shapeString(prediction.shape)) for patches \(shapeString([batch.count, volume.shape[0]] + patchSize)); it must return [N, K, …patch]")
            }
            if classes == 0 { classes = prediction.shape[1]; output = [Float](repeating: 0, count: classes * total) }
            guard prediction.shape[1] == classes else {
                throw TensorError.shapeMismatch(op: "sliding_window", "the function returned \(prediction.shape[1]) channels for one batch and \(classes) for the first")
            }
            let values = try prediction.to(.float32).contiguous().floats()
            for (n, corner) in batch.enumerated() {
                // Crop mode keeps [low, high) of the window on each axis: half the overlap is
                // cut from each side that does not lie on the volume's border.
                let kept = (0..<patchSize.count).map { axis -> Range<Int> in
                    guard blend == .crop else { return 0..<patchSize[axis] }
                    let half = (patchSize[axis] - steps[axis]) / 2
                    let low = corner[axis] > 0 ? half : 0, high = corner[axis] + patchSize[axis] < shape[axis] ? patchSize[axis] - half : patchSize[axis]
                    return low..<Swift.max(low, high)
                }
                for p in 0..<patchVolume {
                    // The voxel of patch position p in the whole volume.
                    var rest = p, target = 0, scale = 1, inside = true
                    var offsets = [Int](repeating: 0, count: patchSize.count)
                    for axis in (0..<patchSize.count).reversed() { offsets[axis] = rest % patchSize[axis]; rest /= patchSize[axis] }
                    for axis in (0..<patchSize.count).reversed() {
                        target += (corner[axis] + offsets[axis]) * scale; scale *= shape[axis]
                        inside = inside && kept[axis].contains(offsets[axis])
                    }
                    if blend == .crop {
                        guard inside else { continue }
                        weightSum[target] = 1
                        for k in 0..<classes { output[k * total + target] = values[(n * classes + k) * patchVolume + p] }
                        continue
                    }
                    let w = weights[p]
                    weightSum[target] += w
                    for k in 0..<classes { output[k * total + target] += values[(n * classes + k) * patchVolume + p] * w }
                }
            }
        }
        for k in 0..<classes { for i in 0..<total where weightSum[i] > 0 { output[k * total + i] /= weightSum[i] } }
        let blended = try Tensor(output, shape: [classes] + shape)
        // Undo the padding: the made-up margins, then the centred zeros of small volumes.
        let crop = zip(zip(spatial, margins), zip(source.shape.dropFirst(), shape)).map { axis, sizes -> TensorIndex in
            let before = axis.1 + (sizes.1 - sizes.0) / 2
            return .slice(start: before, stop: before + axis.0, step: nil)
        }
        return try blended.index([.all] + crop).contiguous()
    }

    /// Window origins along one axis: every `step` voxels, the last flush with the end (so
    /// every voxel is covered).
    static func origins(size: Int, patch: Int, step: Int) -> [Int] {
        var positions = Array(stride(from: 0, through: size - patch, by: step))
        if positions.last != size - patch { positions.append(size - patch) }
        return positions
    }

    static func windowWeights(_ patch: [Int], _ blend: Blend) -> [Float] {
        let count = patch.reduce(1, *)
        guard blend == .gaussian || blend == .hann else { return [Float](repeating: 1, count: count) }
        return (0..<count).map { p in
            var rest = p, weight = 1.0
            for axis in (0..<patch.count).reversed() {
                let i = Double(rest % patch[axis]), size = Double(patch[axis]); rest /= patch[axis]
                if blend == .hann {
                    // TorchIO's window: a Hann window two longer with its zero ends dropped.
                    let s = Foundation.sin(Double.pi * (i + 1) / (size + 1))
                    weight *= s * s
                } else {
                    let centre = (size - 1) / 2, sigma = size / 8
                    weight *= Foundation.exp(-(i - centre) * (i - centre) / (2 * sigma * sigma))
                }
            }
            return Float(blend == .hann ? weight : Swift.max(weight, 1e-3))
        }
    }
}
