import CGD
import Foundation
import ScryTensor

/// An RGB raster with a title: what Scry shows inline in the shell and stores as image/png in
/// notebooks. Pixels are row-major, three bytes each.
public struct Picture: Equatable {
    public let width: Int, height: Int
    public var title: String
    public private(set) var pixels: [UInt8]
    /// Dots per inch recorded in the PNG (its pHYs chunk), when set.
    public var dpi: Int?

    public init(width: Int, height: Int, title: String = "", pixels: [UInt8]? = nil) {
        self.width = width
        self.height = height
        self.title = title
        self.pixels = pixels ?? [UInt8](repeating: 0, count: width * height * 3)
    }

    /// The colour at (x, y), x the column.
    public func pixel(_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }

    public mutating func setPixel(_ x: Int, _ y: Int, _ rgb: (UInt8, UInt8, UInt8)) {
        let i = (y * width + x) * 3
        pixels[i] = rgb.0; pixels[i + 1] = rgb.1; pixels[i + 2] = rgb.2
    }

    /// A 2D tensor as a gray picture: the first axis is the image's column (x), the second its
    /// row (y), as for every picture in Scry; values are windowed linearly from `low` (black) to
    /// `high` (white), by default the tensor's minimum and maximum.
    public static func gray(_ tensor: Tensor, low: Double? = nil, high: Double? = nil, title: String = "") throws -> Picture {
        guard tensor.rank == 2 else {
            throw TensorError.shapeMismatch(op: "show", "needs a 2D tensor [x, y], got shape \(tensor.shape)")
        }
        let values = try tensor.to(.float32).detach()
        let (width, height) = (values.shape[0], values.shape[1])
        guard width > 0 && height > 0 && width <= 16384 && height <= 16384 else {
            throw TensorError.invalidArgument(op: "show", "picture size \(width)×\(height) is outside 1…16384")
        }
        let lowValue = try low ?? values.min().item(), highValue = try high ?? values.max().item()
        let scale = highValue > lowValue ? 255 / (highValue - lowValue) : 0
        let flat = try values.floats()
        var picture = Picture(width: width, height: height, title: title)
        for x in 0..<width {
            for y in 0..<height {
                let v = (Double(flat[x * height + y]) - lowValue) * scale
                let level = UInt8(Swift.max(0, Swift.min(255, v.isNaN ? 0 : v.rounded())))
                picture.setPixel(x, y, (level, level, level))
            }
        }
        return picture
    }

    /// An RGB picture from a [3, x, y] tensor, each channel windowed from low to high.
    public static func rgb(_ tensor: Tensor, low: Double = 0, high: Double = 255, title: String = "") throws -> Picture {
        guard tensor.rank == 3, tensor.shape[0] == 3 else {
            throw TensorError.shapeMismatch(op: "show", "an RGB picture needs [3, x, y], got \(shapeString(tensor.shape))")
        }
        let (width, height) = (tensor.shape[1], tensor.shape[2])
        let values = try tensor.to(.float32).contiguous().scalars()
        var picture = Picture(width: width, height: height, title: title)
        func level(_ v: Double) -> UInt8 { UInt8(Swift.max(0, Swift.min(255, ((v - low) / Swift.max(high - low, 1e-12) * 255).rounded()))) }
        for x in 0..<width {
            for y in 0..<height {
                let i = x * height + y
                picture.setPixel(x, y, (level(values[i]), level(values[width * height + i]), level(values[2 * width * height + i])))
            }
        }
        return picture
    }

    /// PNG bytes, encoded by libgd.
    public func png() throws -> Data {
        guard let image = gdImageCreateTrueColor(Int32(width), Int32(height)) else {
            throw TensorError.invalidArgument(op: "png", "cannot make a \(width)×\(height) image")
        }
        defer { gdImageDestroy(image) }
        if let dpi, dpi > 0 { gdImageSetResolution(image, UInt32(dpi), UInt32(dpi)) }
        for y in 0..<height {
            for x in 0..<width {
                let (r, g, b) = pixel(x, y)
                gdImageSetPixel(image, Int32(x), Int32(y), Int32(r) << 16 | Int32(g) << 8 | Int32(b))
            }
        }
        var size: Int32 = 0
        guard let bytes = gdImagePngPtr(image, &size) else {
            throw TensorError.invalidArgument(op: "png", "libgd could not encode the picture")
        }
        defer { gdFree(bytes) }
        return Data(bytes: bytes, count: Int(size))
    }

    /// Decodes PNG bytes through libgd.
    public init(png data: Data, title: String = "") throws {
        var bytes = data
        let count = Int32(bytes.count)
        guard let image = bytes.withUnsafeMutableBytes({ gdImageCreateFromPngPtr(count, $0.baseAddress) }) else {
            throw TensorError.invalidArgument(op: "png", "not a PNG image")
        }
        defer { gdImageDestroy(image) }
        self.init(width: Int(image.pointee.sx), height: Int(image.pointee.sy), title: title)
        for y in 0..<height {
            for x in 0..<width {
                let c = gdImageGetTrueColorPixel(image, Int32(x), Int32(y))
                setPixel(x, y, (UInt8((c >> 16) & 0xFF), UInt8((c >> 8) & 0xFF), UInt8(c & 0xFF)))
            }
        }
    }
}

extension Picture {
    /// Pictures of one size side by side, row by row, `columns` to a row; gaps are black.
    public static func tiled(_ panels: [Picture], columns: Int, title: String = "") -> Picture {
        guard let first = panels.first else { return Picture(width: 1, height: 1, title: title) }
        let rows = (panels.count + columns - 1) / columns
        var canvas = Picture(width: first.width * columns, height: first.height * rows, title: title)
        for (k, panel) in panels.enumerated() {
            let (left, top) = ((k % columns) * first.width, (k / columns) * first.height)
            for y in 0..<Swift.min(panel.height, first.height) {
                for x in 0..<Swift.min(panel.width, first.width) { canvas.setPixel(left + x, top + y, panel.pixel(x, y)) }
            }
        }
        return canvas
    }
}
