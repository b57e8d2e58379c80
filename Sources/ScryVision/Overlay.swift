import ScryTensor

extension Picture {
    /// A heat map blended on an image as pytorch-grad-cam's show_cam_on_image does: the image
    /// windowed to 8 bits (low…high; a gray [x, y] image by default from its min to its max, an
    /// RGB [3, x, y] one from 0 to 255), the map [x, y] in [0, 1] coloured,
    /// `imageWeight`·image + (1 − imageWeight)·heat, divided by its maximum, truncated to 8 bits.
    /// With `labels` [x, y], each label's outline is drawn in its palette colour.
    public static func overlay(image: Tensor, map: Tensor, colormap: Colormap = .jet, imageWeight: Double = 0.5,
                               low: Double? = nil, high: Double? = nil, labels: Tensor? = nil, title: String = "") throws -> Picture {
        let colour = image.rank == 3 && image.shape[0] == 3
        guard image.rank == 2 || colour, map.shape == Array(image.shape.suffix(2)) else {
            throw TensorError.shapeMismatch(op: "overlay", "needs an image [x, y] or [3, x, y] and a map [x, y] of its size, got \(shapeString(image.shape)) and \(shapeString(map.shape))")
        }
        guard (0...1).contains(imageWeight) else {
            throw TensorError.invalidArgument(op: "overlay", "image weight must be in [0, 1], got \(imageWeight)")
        }
        let base = colour ? try Picture.rgb(image, low: low ?? 0, high: high ?? 255, title: title)
                          : try Picture.gray(image, low: low, high: high, title: title)
        let heat = try map.to(.float32).contiguous().scalars()
        let height = base.height
        var blended = [Double](repeating: 0, count: base.width * base.height * 3)
        for x in 0..<base.width {
            for y in 0..<base.height {
                let (r, g, b) = colormap.color(heat[x * height + y])
                let (ir, ig, ib) = base.pixel(x, y)
                let i = (y * base.width + x) * 3
                blended[i] = (1 - imageWeight) * Double(r) / 255 + imageWeight * Double(ir) / 255
                blended[i + 1] = (1 - imageWeight) * Double(g) / 255 + imageWeight * Double(ig) / 255
                blended[i + 2] = (1 - imageWeight) * Double(b) / 255 + imageWeight * Double(ib) / 255
            }
        }
        let peak = Swift.max(blended.max() ?? 1, 1e-12)
        var picture = Picture(width: base.width, height: base.height, title: title,
                              pixels: blended.map { UInt8(Swift.max(0, Swift.min(255, (255 * $0 / peak).rounded(.towardZero)))) })
        if let labels { try picture.drawOutlines(of: labels) }
        return picture
    }

    /// Draws the outline of every non-zero label of a map [x, y] (its pixels with a 4-neighbour
    /// of another label) in the label's palette colour.
    public mutating func drawOutlines(of labels: Tensor) throws {
        guard labels.shape == [width, height] else {
            throw TensorError.shapeMismatch(op: "overlay", "labels \(shapeString(labels.shape)) must match the picture's [\(width), \(height)]")
        }
        let values = try labels.to(.float32).contiguous().scalars().map { Int($0.rounded()) }
        func label(_ x: Int, _ y: Int) -> Int { values[x * height + y] }
        for x in 0..<width {
            for y in 0..<height where label(x, y) > 0 {
                let k = label(x, y)
                let edge = [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)].contains { nx, ny in
                    nx < 0 || ny < 0 || nx >= width || ny >= height || label(nx, ny) != k
                }
                if edge { setPixel(x, y, Colormap.label(k)) }
            }
        }
    }

    /// A map [x, y] as GaNDLF's whole-slide heat maps draw it: each value v becomes the colour
    /// map's entry ⌊255·v⌋ (clipped to [0, 1]); with `image` [3, x, y] (values 0…255), the two
    /// are blended as OpenCV's addWeighted, image·imageWeight + heat·(1 − imageWeight) rounded to
    /// 8 bits — unlike `overlay`, nothing is rescaled, so a blend keeps the slide's brightness.
    public static func heatmap(_ map: Tensor, colormap: Colormap, on image: Tensor? = nil, imageWeight: Double = 0.5,
                               title: String = "") throws -> Picture {
        guard map.rank == 2 else {
            throw TensorError.shapeMismatch(op: "heatmap", "needs a map [x, y], got \(shapeString(map.shape))")
        }
        guard (0...1).contains(imageWeight) else {
            throw TensorError.invalidArgument(op: "heatmap", "image weight must be in [0, 1], got \(imageWeight)")
        }
        let (width, height) = (map.shape[0], map.shape[1])
        guard width > 0 && height > 0 && width <= 65535 && height <= 65535 else {
            throw TensorError.invalidArgument(op: "heatmap", "picture size \(width)×\(height) is outside 1…65535")
        }
        let values = try map.to(.float32).contiguous().floats()
        var picture = Picture(width: width, height: height, title: title)
        for x in 0..<width {
            for y in 0..<height { picture.setPixel(x, y, colormap.color(Double(values[x * height + y]))) }
        }
        guard let image else { return picture }
        guard image.shape == [3, width, height] else {
            throw TensorError.shapeMismatch(op: "heatmap", "the image must be [3, x, y] of the map's size [\(width), \(height)], got \(shapeString(image.shape))")
        }
        let colours = try image.to(.float32).contiguous().floats(), plane = width * height
        // OpenCV's saturate_cast rounds half to even.
        func blend(_ slide: Float, _ heat: UInt8) -> UInt8 {
            let value = imageWeight * Double(slide.isNaN ? 0 : slide) + (1 - imageWeight) * Double(heat)
            return UInt8(Swift.max(0, Swift.min(255, value.rounded(.toNearestOrEven))))
        }
        for x in 0..<width {
            for y in 0..<height {
                let i = x * height + y, (r, g, b) = picture.pixel(x, y)
                picture.setPixel(x, y, (blend(colours[i], r), blend(colours[plane + i], g), blend(colours[2 * plane + i], b)))
            }
        }
        return picture
    }

    /// A [x, y] map of values in [0, 1] in a colour map.
    public static func colored(_ map: Tensor, colormap: Colormap, low: Double? = nil, high: Double? = nil, title: String = "") throws -> Picture {
        let gray = try Picture.gray(map, low: low, high: high, title: title)
        var picture = Picture(width: gray.width, height: gray.height, title: title)
        for x in 0..<gray.width {
            for y in 0..<gray.height { picture.setPixel(x, y, colormap.color(Double(gray.pixel(x, y).0) / 255)) }
        }
        return picture
    }
}
