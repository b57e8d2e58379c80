import Foundation
import ScryTensor

/// Inference over a whole volume in overlapping patches: `fn` maps a batch of patches
/// [N, C, …patch] to predictions [N, K, …patch], which are blended back (uniformly or with
/// Gaussian weights that favour patch centres, σ = patch/8 as MONAI uses) into [K, …spatial].
public enum SlidingWindow {
    public enum Blend: String, Sendable { case uniform, gaussian }

    public static func infer(_ volume: Tensor, patchSize: [Int], overlap: Double = 0.5, batchSize: Int = 4, blend: Blend = .gaussian,
                             _ fn: (Tensor) throws -> Tensor) throws -> Tensor {
        let spatial = Array(volume.shape.dropFirst())
        guard spatial.count == patchSize.count, patchSize.allSatisfy({ $0 >= 1 }) else {
            throw TensorError.shapeMismatch(op: "sliding_window", "patch size \(shapeString(patchSize)) for a volume [C, …] of shape \(shapeString(volume.shape))")
        }
        guard (0..<1).contains(overlap), batchSize >= 1 else {
            throw TensorError.invalidArgument(op: "sliding_window", "overlap must be in [0, 1) and batch_size at least 1")
        }
        let padded = try PatchSampler.padded(volume, to: patchSize)
        let shape = Array(padded.shape.dropFirst())
        // Window corners per axis: evenly stepped, the last flush with the end.
        let starts = zip(shape, patchSize).map { size, patch -> [Int] in
            let step = Swift.max(1, Int(Double(patch) * (1 - overlap)))
            var positions = Array(stride(from: 0, through: size - patch, by: step))
            if positions.last != size - patch { positions.append(size - patch) }
            return positions
        }
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
                for p in 0..<patchVolume {
                    // The voxel of patch position p in the whole volume.
                    var rest = p, target = 0, scale = 1
                    var offsets = [Int](repeating: 0, count: patchSize.count)
                    for axis in (0..<patchSize.count).reversed() { offsets[axis] = rest % patchSize[axis]; rest /= patchSize[axis] }
                    for axis in (0..<patchSize.count).reversed() { target += (corner[axis] + offsets[axis]) * scale; scale *= shape[axis] }
                    let w = weights[p]
                    weightSum[target] += w
                    for k in 0..<classes { output[k * total + target] += values[(n * classes + k) * patchVolume + p] * w }
                }
            }
        }
        for k in 0..<classes { for i in 0..<total { output[k * total + i] /= weightSum[i] } }
        let blended = try Tensor(output, shape: [classes] + shape)
        // Undo the padding of small volumes (it was centred).
        let crop = zip(spatial, shape).map { have, padded -> TensorIndex in
            let before = (padded - have) / 2
            return .slice(start: before, stop: before + have, step: nil)
        }
        return try blended.index([.all] + crop).contiguous()
    }

    static func windowWeights(_ patch: [Int], _ blend: Blend) -> [Float] {
        let count = patch.reduce(1, *)
        guard blend == .gaussian else { return [Float](repeating: 1, count: count) }
        return (0..<count).map { p in
            var rest = p, weight = 1.0
            for axis in (0..<patch.count).reversed() {
                let i = Double(rest % patch[axis]); rest /= patch[axis]
                let centre = Double(patch[axis] - 1) / 2, sigma = Double(patch[axis]) / 8
                weight *= Foundation.exp(-(i - centre) * (i - centre) / (2 * sigma * sigma))
            }
            return Float(Swift.max(weight, 1e-3))
        }
    }
}
