import ScryData
import ScryLang
import ScryTensor

/// Whole-slide histology bound into the language: `tissue_mask(image)` and
/// `slide_inference(image, fn, patch_size)`, which stdlib/histology.scry builds GaNDLF's
/// `modality: histo` inference on.
enum SlideBindings {
    /// A size per axis [x, y]: one int for both, or [x, y] (a trailing 1 of GaNDLF's [x, y, 1]
    /// is dropped).
    static func sides(_ a: BoundArguments, _ name: String) throws -> [Int] {
        var sides = try a.intList(name)
        if sides.count == 1 { sides += sides }
        if sides.count == 3, sides[2] == 1 { sides.removeLast() }
        guard sides.count == 2, sides.allSatisfy({ $0 >= 1 }) else { throw a.typeError(name, "a positive int or a list [x, y] of them") }
        return sides
    }

    nonisolated(unsafe) static let functions: [NativeFunction] = [
        NativeFunction("tissue_mask", [Parameter("image")],
                       doc: "Where a histology slide (an RGB image or [3, x, y]) holds tissue, as GaNDLF finds it: a bool tensor [x, y] of its pink and purple pixels (HSV hue in 0.8…0.99, saturation above 0.05, computed at most 512 × 512 with small holes filled); all false when there is none.") { a in
            TensorBindings.wrap(try TissueMask.compute(try ImageBindings.rgb(a["image"], "tissue_mask")))
        },
        NativeFunction("slide_inference", [Parameter("image"), Parameter("fn"), Parameter("patch_size"), Parameter("stride", default: .nil),
                                           Parameter("batch_size", default: .int(8)), Parameter("mask", default: .nil)],
                       doc: "Runs fn on the tiles of a whole slide [3, x, y] that hold tissue, in batches [N, 3, px, py], and averages the outputs per pixel: a dict with probabilities [K, x, y] (0 where no tile covers), count [x, y] (tiles per pixel), tiles [T, 2] (each kept tile's origin x, y) and outputs [T, K] (each tile's vector; nil when fn returns maps).",
                       help: """
                       fn maps tiles [N, 3, px, py] to maps [N, K, px, py] (segmentation) or vectors [N, K] (classification, \
                       regression: a tile's vector counts for all its pixels). Tiles start every stride pixels (default half the \
                       patch), the last of each row and column flush with the slide's end, so every pixel is covered. mask: a tensor \
                       [x, y], non-zero where tiles may go (default tissue_mask(image)). When no tile is kept, probabilities is [0, x, y].
                       """) { a in
            let slide = try ImageBindings.rgb(a["image"], "slide_inference"), patch = try sides(a, "patch_size")
            let stride = a.has("stride") ? try sides(a, "stride") : patch.map { Swift.max(1, $0 / 2) }
            let mask = a.has("mask") ? try TensorBindings.tensor(a["mask"], "mask", "slide_inference") : try TissueMask.compute(slide)
            let function = a["fn"], interpreter = a.interpreter
            let result = try SlideTiling.infer(slide, patchSize: patch, stride: stride, batchSize: try a.int("batch_size"), tissue: mask) { tiles in
                try TensorBindings.tensor(try interpreter.call(function, Arguments([TensorBindings.wrap(tiles)])), "fn's result", "slide_inference")
            }
            let origins = try Tensor(flat: result.tiles.flatMap { origin in origin.map { Double($0) } }, shape: [result.tiles.count, 2], dtype: .int64)
            var outputs = Value.nil
            if let vectors = result.outputs {
                outputs = TensorBindings.wrap(try Tensor(flat: vectors.flatMap { vector in vector.map { Double($0) } }, shape: [vectors.count, vectors.first?.count ?? 0]))
            }
            let dict = DictStorage()
            for (key, value) in [("probabilities", TensorBindings.wrap(result.probabilities)), ("count", TensorBindings.wrap(result.count)),
                                 ("tiles", TensorBindings.wrap(origins)), ("outputs", outputs)] {
                try dict.set(.string(key), value)
            }
            return .dict(dict)
        },
    ]
}
