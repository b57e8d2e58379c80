import ScryLang
import ScryTensor
import ScryVision

/// Pictures made in the language: `overlay(image, map)` (a saliency or any [0, 1] map as a heat
/// map on its image, in 2D, on a slice of a volume, or on a montage of slices), `figure` (a grid
/// of pictures with titles and a colour bar), and charts: `plot`, `histogram`, `bar_chart`.
enum PictureBindings {
    /// The spatial part of an image or tensor: an image's first channel; a tensor with its
    /// leading axes of size 1 (batch, channel) dropped.
    static func spatial(_ value: Value, _ name: String, function: String = "overlay") throws -> Tensor {
        var data = try ImageBindings.drawable(value, function, parameter: name)
        if data.rank == 3, data.shape[2] == 1 { data = try data.squeeze(axes: [2]) }
        guard data.rank == 2 || data.rank == 3 else {
            throw ScryError(.shapeError, "\(function)(): \(name) must be 2D or 3D (one sample, one channel), got \(shapeString(data.shape))")
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
                       from low to high (default its min and max; a colour image is blended in colour, from 0 to 255). Volumes: the slice at slice: (an int, "peak" where the map is largest, \
                       default the middle) along axis: (default 2), or montage: n evenly spaced slices side by side. \
                       colormap: jet, turbo, viridis, magma, agni (a red ramp) or gray.
                       """) { a in
            if case .host(let object as ImageObject) = a["image"], object.image.channels == 3, object.image.shape.count == 2 {
                // A colour image: the heat map is blended on its colours, as show_cam_on_image does.
                if a.has("slice") || a.has("montage") {
                    throw ScryError(.valueError, "overlay(): slice and montage choose slices of a volume; this image is 2D")
                }
                let labels = a.has("labels") ? try spatial(a["labels"], "labels") : nil
                return .host(PictureObject(try Picture.overlay(image: object.image.data, map: try spatial(a["map"], "map"),
                                                               colormap: try colormap(a, "colormap"), imageWeight: try a.double("image_weight"),
                                                               low: try a.optionalDouble("low"), high: try a.optionalDouble("high"),
                                                               labels: labels, title: try a.string("title"))))
            }
            let image = try spatial(a["image"], "image"), map = try spatial(a["map"], "map")
            guard image.shape == map.shape else {
                throw ScryError(.shapeError, "overlay(): image \(shapeString(image.shape)) and map \(shapeString(map.shape)) differ; upsample the map to the image first")
            }
            let labels = a.has("labels") ? try spatial(a["labels"], "labels") : nil
            if let labels, labels.shape != image.shape {
                throw ScryError(.shapeError, "overlay(): labels \(shapeString(labels.shape)) differ from the image's \(shapeString(image.shape))")
            }
            let colormap = try colormap(a, "colormap")
            let weight = try a.double("image_weight"), title = try a.string("title")
            guard image.count > 0 else { throw ScryError(.shapeError, "overlay(): the image is empty, \(shapeString(image.shape))") }
            let low = try a.optionalDouble("low") ?? Double(try image.min().item()), high = try a.optionalDouble("high") ?? Double(try image.max().item())
            if a.has("low") && a.has("high") && low >= high {
                throw ScryError(.valueError, "overlay(): low (\(low)) must be below high (\(high))")
            }
            func draw(_ index: Int?, axis: Int) throws -> Picture {
                func plane(_ t: Tensor) throws -> Tensor { try index.map { try ImageBindings.slice(t, axis: axis, index: $0, "overlay") } ?? t }
                return try Picture.overlay(image: plane(image), map: plane(map), colormap: colormap, imageWeight: weight, low: low, high: high,
                                           labels: labels.map(plane), title: title)
            }
            guard image.rank == 3 else {
                if a.has("slice") || a.has("montage") {
                    throw ScryError(.valueError, "overlay(): slice and montage choose slices of a volume; this image is 2D, \(shapeString(image.shape))")
                }
                return .host(PictureObject(try draw(nil, axis: 0)))
            }
            if a.has("slice") && a.has("montage") { throw ScryError(.valueError, "overlay(): give slice or montage, not both") }
            let axis = try a.int("axis")
            guard (0..<3).contains(axis) else { throw ScryError(.indexError, "overlay(): axis must be 0, 1 or 2, got \(axis)") }
            if let count = try a.optionalInt("montage") {
                guard count >= 1 else { throw ScryError(.valueError, "overlay(): montage must be at least 1 slice, got \(count)") }
                let depth = image.shape[axis], n = Swift.max(1, Swift.min(count, depth))
                let panels = try (0..<n).map { try draw((2 * $0 + 1) * depth / (2 * n), axis: axis) }
                return .host(PictureObject(Picture.tiled(panels, columns: Int(Double(n).squareRoot().rounded(.up)), title: title)))
            }
            return .host(PictureObject(try draw(try sliceIndex(a["slice"], map: map, axis: axis), axis: axis)))
        },
        NativeFunction("heatmap", [Parameter("map"), Parameter("colormap", default: .string("jet")), Parameter("image", default: .nil),
                                   Parameter("image_weight", default: .float(0.5)), Parameter("title", default: .string(""))],
                       doc: "A map [x, y] in [0, 1] coloured as GaNDLF's whole-slide heat maps (entry ⌊255·v⌋ of the colour map), as a picture; with image: (an RGB image or [3, x, y], 0…255) blended as OpenCV's addWeighted, image·image_weight + heat·(1 − image_weight), nothing rescaled.") { a in
            let map = try spatial(a["map"], "map", function: "heatmap")
            let image = a.has("image") ? try ImageBindings.rgb(a["image"], "heatmap") : nil
            return .host(PictureObject(try Picture.heatmap(map, colormap: try colormap(a, "colormap"), on: image,
                                                           imageWeight: try a.double("image_weight"), title: try a.string("title"))))
        },
        NativeFunction("figure", [Parameter("panels"), Parameter("titles", default: .nil), Parameter("title", default: .string("")),
                                  Parameter("colorbar", default: .nil), Parameter("low", default: .float(0)), Parameter("high", default: .float(1)),
                                  Parameter("scale", default: .int(1)), Parameter("dpi", default: .nil)],
                       doc: "A grid of pictures: panels a list of rows (lists of pictures, nil for an empty cell), titles the same shape, an overall title, and a colour bar (a colormap name) from low to high; scale enlarges the panels, dpi is written in the PNG.") { a in
            let rows = try Iteration.array(a["panels"]).map { row -> [Picture?] in
                let cells = row.typeName == "list" ? try Iteration.array(row) : [row]
                return try cells.map { cell in
                    if cell.isNil { return nil }
                    guard case .host(let picture as PictureObject) = cell else { throw a.typeError("panels", "rows of pictures") }
                    return picture.picture
                }
            }
            var titles = a.has("titles") ? try Iteration.array(a["titles"]).map { row in
                (row.typeName == "list" ? try Iteration.array(row) : [row]).map(\.printed)
            } : []
            // One row of panels may have its titles as one flat list.
            if rows.count == 1, titles.count == rows[0].count, titles.allSatisfy({ $0.count == 1 }) { titles = [titles.map { $0[0] }] }
            if !titles.isEmpty, titles.map(\.count) != rows.map(\.count) {
                throw ScryError(.valueError, "figure(): titles have the shape \(titles.map(\.count)) (per row) but panels \(rows.map(\.count))")
            }
            let colorbar = try a.has("colorbar") ? colormap(a, "colorbar") : nil
            let low = try a.double("low"), high = try a.double("high")
            guard low < high else { throw ScryError(.valueError, "figure(): the colour bar's low (\(low)) must be below its high (\(high))") }
            return try drawing(a) {
                try Picture.figure(rows, titles: titles, title: try a.string("title"), colorbar: colorbar, low: low, high: high,
                                   scale: try a.int("scale"), dpi: try dpi(a))
            }
        },
        NativeFunction("plot", [Parameter("series"), Parameter("x", default: .nil), Parameter("title", default: .string("")),
                                Parameter("xlabel", default: .string("")), Parameter("ylabel", default: .string("")),
                                Parameter("width", default: .int(640)), Parameter("height", default: .int(400)), Parameter("dpi", default: .nil)],
                       doc: "A line chart: series a list of numbers, or a dict of name → numbers (one line each, with a legend); x the shared x values (default 0, 1, 2…).") { a in
            var named: [(String, [Double])] = []
            if case .dict(let dict) = a["series"] {
                named = try dict.entries.map { ($0.key.printed, try numbers($0.value, "series", a)) }
            } else {
                named = [("", try numbers(a["series"], "series", a))]
            }
            let xs = a.has("x") ? try numbers(a["x"], "x", a) : nil
            let series = named.map { name, ys in Chart.Series(name: name, x: xs ?? ys.indices.map(Double.init), y: ys) }
            return try drawing(a) {
                try Chart.lines(series, title: try a.string("title"), xLabel: try a.string("xlabel"), yLabel: try a.string("ylabel"),
                                width: try a.int("width"), height: try a.int("height"), dpi: try dpi(a))
            }
        },
        NativeFunction("histogram", [Parameter("values"), Parameter("bins", default: .int(64)), Parameter("low", default: .nil),
                                     Parameter("high", default: .nil), Parameter("title", default: .string("")),
                                     Parameter("xlabel", default: .string("intensity")), Parameter("width", default: .int(640)),
                                     Parameter("height", default: .int(400)), Parameter("dpi", default: .nil)],
                       doc: "A histogram of the values of an image, a tensor or a list, in bins equal bins from low to high (default their min and max), as a chart.") { a in
            let values = try numbers(a["values"], "values", a).filter(\.isFinite)
            let bins = try a.int("bins")
            guard (1...10_000).contains(bins) else { throw ScryError(.valueError, "histogram(): bins must be 1…10000, got \(bins)") }
            guard let minimum = values.min(), let maximum = values.max() else { throw ScryError(.valueError, "histogram(): no finite values") }
            let (low, high) = minimum == maximum && !a.has("low") && !a.has("high") ? Chart.range([minimum])
                : (try a.optionalDouble("low") ?? minimum, try a.optionalDouble("high") ?? maximum)
            guard low < high, (high - low).isFinite else {
                throw ScryError(.valueError, "histogram(): the range \(low)…\(high) must be finite with low below high")
            }
            let width = (high - low) / Double(bins)
            var counts = [Double](repeating: 0, count: bins)
            for v in values where v >= low && v <= high { counts[Swift.min(bins - 1, Int((v - low) / width))] += 1 }
            let edges: [Double] = (0...bins).map { low + width * Double($0) }
            return try drawing(a) {
                try Chart.histogram(edges: edges, counts: counts, title: try a.string("title"), xLabel: try a.string("xlabel"),
                                    width: try a.int("width"), height: try a.int("height"), dpi: try dpi(a))
            }
        },
        NativeFunction("bar_chart", [Parameter("values"), Parameter("title", default: .string("")), Parameter("ylabel", default: .string("")),
                                     Parameter("width", default: .int(640)), Parameter("height", default: .int(400)), Parameter("dpi", default: .nil)],
                       doc: "A bar chart of a dict of label → number.") { a in
            guard case .dict(let dict) = a["values"] else { throw a.typeError("values", "a dict of label → number") }
            let values = try dict.entries.map { entry -> Double in
                guard let number = entry.value.number else { throw a.typeError("values", "a dict of label → number") }
                return number
            }
            return try drawing(a) {
                try Chart.bars(labels: dict.entries.map(\.key.printed), values: values, title: try a.string("title"),
                               yLabel: try a.string("ylabel"), width: try a.int("width"), height: try a.int("height"), dpi: try dpi(a))
            }
        },
    ]

    /// A dots-per-inch setting: nil, or 1…10000.
    static func dpi(_ a: BoundArguments) throws -> Int? {
        guard let dpi = try a.optionalInt("dpi") else { return nil }
        guard (1...10_000).contains(dpi) else { throw ScryError(.valueError, "\(a.function)(): dpi must be 1…10000, got \(dpi)") }
        return dpi
    }

    /// Runs drawing code, naming the function in the errors of the drawing layer.
    static func drawing(_ a: BoundArguments, _ body: () throws -> Picture) throws -> Value {
        do {
            return .host(PictureObject(try body()))
        } catch let error as PictureError {
            throw ScryError(.valueError, "\(a.function)(): " + error.description.replacingOccurrences(of: "\(a.function)(): ", with: ""))
        }
    }

    static func colormap(_ a: BoundArguments, _ name: String) throws -> Colormap {
        try a.choice(name, Colormap.self)
    }

    /// Numbers from a list, a tensor or an image (its voxels).
    static func numbers(_ value: Value, _ name: String, _ a: BoundArguments) throws -> [Double] {
        switch value {
        case .list(let list):
            return try list.items.map { item in
                guard let number = item.number else { throw a.typeError(name, "numbers") }
                return number
            }
        case .host(let image as ImageObject): return try image.image.data.to(.float32).contiguous().scalars()
        default: return try TensorBindings.tensor(value, name, a.function, dtype: .float32).contiguous().scalars()
        }
    }
}
