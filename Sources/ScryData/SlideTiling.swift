import ScryTensor

/// Whole-slide inference in tiles, as GaNDLF's histology inference runs it: tiles of the patch
/// size every `stride` pixels, those holding tissue passed through a model in batches, and each
/// pixel's outputs averaged over the tiles that cover it. Unlike GaNDLF, the last tile of each
/// row and column is flush with the slide's end, so every pixel is covered.
public enum SlideTiling {
    /// What a slide's inference gives: the averaged outputs, how many tiles covered each pixel,
    /// and the kept tiles.
    public struct Result {
        /// [K, x, y]: each pixel's outputs averaged over the tiles covering it; 0 where none
        /// does. [0, x, y] when no tile was kept (K is then unknown).
        public let probabilities: Tensor
        /// [x, y] (int64): the number of kept tiles covering each pixel.
        public let count: Tensor
        /// The kept tiles' origins [x, y], in GaNDLF's order (by y, then x).
        public let tiles: [[Int]]
        /// Each kept tile's output [K] when the model gives one vector per tile (classification,
        /// regression); nil when it gives maps (segmentation).
        public let outputs: [[Float]]?
    }

    /// The origins [x, y] of the tiles that cover a slide of `size` [x, y], by y then x; with
    /// `tissue` (a mask [x, y], row-major), only the tiles with at least one tissue pixel.
    static func tiles(size: [Int], patch: [Int], stride: [Int], tissue: [Bool]? = nil) -> [[Int]] {
        let xs = SlidingWindow.origins(size: size[0], patch: patch[0], step: stride[0])
        let ys = SlidingWindow.origins(size: size[1], patch: patch[1], step: stride[1])
        guard let tissue else { return ys.flatMap { y in xs.map { [$0, y] } } }
        // Summed-area table: the tissue pixels of any tile in four look-ups.
        let height = size[1], columns = height + 1
        var sums = [Int](repeating: 0, count: (size[0] + 1) * columns)
        for x in 0..<size[0] {
            for y in 0..<height {
                let here = tissue[x * height + y] ? 1 : 0
                sums[(x + 1) * columns + y + 1] = here + sums[x * columns + y + 1] + sums[(x + 1) * columns + y] - sums[x * columns + y]
            }
        }
        return ys.flatMap { y in
            xs.compactMap { x -> [Int]? in
                let (right, bottom) = (x + patch[0], y + patch[1])
                let inside = sums[right * columns + bottom] - sums[x * columns + bottom] - sums[right * columns + y] + sums[x * columns + y]
                return inside > 0 ? [x, y] : nil
            }
        }
    }

    /// Runs `fn` on the tiles of a slide [C, x, y] in batches [N, C, px, py], without building
    /// a graph. `fn` returns maps [N, K, px, py] (segmentation) or vectors [N, K] or [N]
    /// (classification, regression: a tile's vector counts for each of its pixels). `tissue`
    /// ([x, y], non-zero where there is tissue) keeps only the tiles that touch it; nil keeps all.
    public static func infer(_ slide: Tensor, patchSize: [Int], stride: [Int], batchSize: Int = 8, tissue: Tensor? = nil,
                             _ fn: (Tensor) throws -> Tensor) throws -> Result {
        guard slide.rank == 3, slide.shape[0] >= 1 else {
            throw TensorError.shapeMismatch(op: "slide_inference", "needs a slide [C, x, y], got \(shapeString(slide.shape))")
        }
        let channels = slide.shape[0], size = Array(slide.shape.dropFirst()), (width, height) = (size[0], size[1])
        guard patchSize.count == 2, stride.count == 2, (patchSize + stride).allSatisfy({ $0 >= 1 }), batchSize >= 1 else {
            throw TensorError.invalidArgument(op: "slide_inference", "patch size \(shapeString(patchSize)) and stride \(shapeString(stride)) must be two positive sides [x, y], and batch_size at least 1")
        }
        guard patchSize[0] <= width, patchSize[1] <= height else {
            throw TensorError.shapeMismatch(op: "slide_inference", "the patch \(shapeString(patchSize)) is larger than the slide \(shapeString(size))")
        }
        var mask: [Bool]?
        if let tissue {
            guard tissue.shape == size else {
                throw TensorError.shapeMismatch(op: "slide_inference", "the tissue mask \(shapeString(tissue.shape)) must match the slide's \(shapeString(size))")
            }
            mask = try tissue.to(.float32).contiguous().floats().map { $0 != 0 }
        }
        let kept = tiles(size: size, patch: patchSize, stride: stride, tissue: mask)
        let pixels = try slide.to(.float32).contiguous().floats(), plane = width * height
        let (px, py) = (patchSize[0], patchSize[1])
        var count = [Double](repeating: 0, count: plane)
        var sums: [Float] = [], classes = 0, vectors: [[Float]]? = nil
        for batchStart in Swift.stride(from: 0, to: kept.count, by: batchSize) {
            let batch = Array(kept[batchStart..<Swift.min(kept.count, batchStart + batchSize)])
            let input = try Tensor(shape: [batch.count, channels, px, py]) { buffer in
                for (n, origin) in batch.enumerated() {
                    for c in 0..<channels {
                        for i in 0..<px {
                            // One column of the tile is a contiguous run of the slide.
                            let source = (c * width + origin[0] + i) * height + origin[1], target = ((n * channels + c) * px + i) * py
                            for j in 0..<py { buffer[target + j] = pixels[source + j] }
                        }
                    }
                }
            }
            let output = try withNoGrad { try fn(input) }
            let isMap = output.rank == 4
            guard output.shape.first == batch.count,
                  isMap ? Array(output.shape.suffix(2)) == patchSize : output.rank == 1 || output.rank == 2 else {
                throw TensorError.shapeMismatch(op: "slide_inference", "the function returned \(shapeString(output.shape)) for tiles \(shapeString(input.shape)); it must return maps [N, K, \(px), \(py)] or vectors [N, K]")
            }
            let k = output.rank == 1 ? 1 : output.shape[1]
            if classes == 0 {
                classes = k
                sums = [Float](repeating: 0, count: classes * plane)
                if !isMap { vectors = [] }
            }
            guard k == classes, isMap == (vectors == nil) else {
                throw TensorError.shapeMismatch(op: "slide_inference", "the function returned \(shapeString(output.shape)) for one batch, but \(classes) \(vectors == nil ? "maps" : "values") per tile for the first")
            }
            let values = try output.to(.float32).contiguous().floats()
            for (n, origin) in batch.enumerated() {
                if !isMap { vectors?.append(Array(values[(n * k)..<((n + 1) * k)])) }
                for i in 0..<px {
                    let column = (origin[0] + i) * height + origin[1]
                    for j in 0..<py { count[column + j] += 1 }
                    for c in 0..<k {
                        let target = c * plane + column
                        if isMap {
                            let source = ((n * k + c) * px + i) * py
                            for j in 0..<py { sums[target + j] += values[source + j] }
                        } else {
                            let value = values[n * k + c]
                            for j in 0..<py { sums[target + j] += value }
                        }
                    }
                }
            }
        }
        for c in 0..<classes {
            for i in 0..<plane where count[i] > 0 { sums[c * plane + i] /= Float(count[i]) }
        }
        let probabilities = classes == 0 ? try Tensor.zeros([0] + size) : try Tensor(sums, shape: [classes] + size)
        return Result(probabilities: probabilities, count: try Tensor(flat: count, shape: size, dtype: .int64), tiles: kept, outputs: vectors)
    }
}
