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
