import ScryLang
import ScryTensor
import ScryVision

/// `overlay(image, map)`: a saliency (or any [0, 1]) map as a heat map on its image, in 2D, on
/// a slice of a volume, or on a montage of slices.
enum OverlayBindings {
    /// The spatial part of an image or tensor: an image's first channel; a tensor with its
    /// leading axes of size 1 (batch, channel) dropped.
    static func spatial(_ value: Value, _ name: String) throws -> Tensor {
        var data = try ImageBindings.drawable(value, "overlay")
        while data.rank > 2, data.shape[0] == 1 { data = try data.squeeze(axes: [0]) }
        if data.rank == 3, data.shape[2] == 1 { data = try data.squeeze(axes: [2]) }
        guard data.rank == 2 || data.rank == 3 else {
            throw ScryError(.shapeError, "overlay(): \(name) must be 2D or 3D (one sample, one channel), got \(shapeString(data.shape))")
        }
        return data
    }

    /// The slice to draw along `axis`: an index, "peak" (where the map is largest) or nil (the middle).
    static func sliceIndex(_ choice: Value, map: Tensor, axis: Int) throws -> Int {
        switch choice {
        case .nil: return map.shape[axis] / 2
        case .int(let index): return index
        case .string("peak"):
            let others = (0..<3).filter { $0 != axis }
            return Int(try map.max(axes: others).argmax().item())
        default: throw ScryError(.typeError, "overlay(): slice must be an int, \"peak\" or nil, got \(choice.typeName)")
        }
    }

    nonisolated(unsafe) static let functions: [NativeFunction] = [
        NativeFunction("overlay", [Parameter("image"), Parameter("map"), Parameter("image_weight", default: .float(0.5)),
                                   Parameter("colormap", default: .string("jet")), Parameter("labels", default: .nil),
                                   Parameter("axis", default: .int(2)), Parameter("slice", default: .nil), Parameter("montage", default: .nil),
                                   Parameter("low", default: .nil), Parameter("high", default: .nil), Parameter("title", default: .string(""))],
                       doc: "A map in [0, 1] as a heat map on its image (pytorch-grad-cam's show_cam_on_image: image weight 0.5, jet), as a picture; labels: outlines of a label map in colour.",
                       help: """
                       image: an image or a tensor ([x, y], [x, y, z], with leading axes of size 1 allowed: x[0] of a batch); \
                       map: the same spatial shape (a saliency map is already upsampled to its input). The image is windowed to 8 bits \
                       from low to high (default its min and max). Volumes: the slice at slice: (an int, "peak" where the map is largest, \
                       default the middle) along axis: (default 2), or montage: n evenly spaced slices side by side. \
                       colormap: jet, viridis, magma or gray.
                       """) { a in
            let image = try spatial(a["image"], "image"), map = try spatial(a["map"], "map")
            guard image.shape == map.shape else {
                throw ScryError(.shapeError, "overlay(): image \(shapeString(image.shape)) and map \(shapeString(map.shape)) differ; upsample the map to the image first")
            }
            let labels = a.has("labels") ? try spatial(a["labels"], "labels") : nil
            if let labels, labels.shape != image.shape {
                throw ScryError(.shapeError, "overlay(): labels \(shapeString(labels.shape)) differ from the image's \(shapeString(image.shape))")
            }
            guard let colormap = Colormap(rawValue: try a.string("colormap")) else {
                throw a.typeError("colormap", "one of " + Colormap.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let weight = try a.double("image_weight"), title = try a.string("title")
            let low = try a.optionalDouble("low") ?? Double(try image.min().item()), high = try a.optionalDouble("high") ?? Double(try image.max().item())
            func draw(_ index: Int?, axis: Int) throws -> Picture {
                func plane(_ t: Tensor) throws -> Tensor { try index.map { try ImageBindings.slice(t, axis: axis, index: $0, "overlay") } ?? t }
                return try Picture.overlay(image: plane(image), map: plane(map), colormap: colormap, imageWeight: weight, low: low, high: high,
                                           labels: labels.map(plane), title: title)
            }
            guard image.rank == 3 else { return .host(PictureObject(try draw(nil, axis: 0))) }
            let axis = try a.int("axis")
            guard (0..<3).contains(axis) else { throw ScryError(.indexError, "overlay(): axis must be 0, 1 or 2, got \(axis)") }
            if let count = try a.optionalInt("montage") {
                let depth = image.shape[axis], n = Swift.max(1, Swift.min(count, depth))
                let panels = try (0..<n).map { try draw((2 * $0 + 1) * depth / (2 * n), axis: axis) }
                return .host(PictureObject(Picture.tiled(panels, columns: Int(Double(n).squareRoot().rounded(.up)), title: title)))
            }
            return .host(PictureObject(try draw(try sliceIndex(a["slice"], map: map, axis: axis), axis: axis)))
        },
    ]
}
