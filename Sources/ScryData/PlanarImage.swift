import CGD
import CPNG
import Foundation
import ScryTensor

/// 2D images (histology tiles, X-rays) through libgd: PNG, JPEG, GIF, BMP, TIFF and WebP as the
/// installed libgd supports them; 16-bit PNGs through libpng, which keeps their precision.
/// Data is [C, x, y] with x the column: 1 channel for gray, 3 for RGB, 4 with transparency.
public enum PlanarImage {
    /// The format of a file's content by its first bytes, or nil.
    public static func format(of bytes: Data) -> String? {
        let b = [UInt8](bytes.prefix(12))
        func starts(_ prefix: [UInt8]) -> Bool { b.count >= prefix.count && Array(b.prefix(prefix.count)) == prefix }
        if starts([0x89, 0x50, 0x4E, 0x47]) { return "png" }
        if starts([0xFF, 0xD8, 0xFF]) { return "jpeg" }
        if starts(Array("GIF8".utf8)) { return "gif" }
        if starts(Array("BM".utf8)) { return "bmp" }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return "tiff" }
        if starts(Array("RIFF".utf8)) && b.count >= 12 && Array(b[8..<12]) == Array("WEBP".utf8) { return "webp" }
        return nil
    }

    /// The formats this libgd reads (`help(load)` lists them).
    public static var readableFormats: [String] {
        ["png", "jpeg", "gif", "bmp", "tiff", "webp"].filter { gdSupportsFileType("x.\($0 == "jpeg" ? "jpg" : $0)", 0) != 0 }
    }

    /// libgd prints its decoding warnings on stderr; Scry reports a failed decode itself.
    private static let quiet: Void = gdSetErrorMethod { _, _, _ in }

    /// Reads an image file (its format found from its content).
    public static func read(_ path: String) throws -> MedicalImage {
        _ = quiet
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw DataError(path, FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        guard let format = format(of: bytes) else { throw DataError(path, "not an image Scry reads (PNG, JPEG, GIF, BMP, TIFF, WebP, NIfTI)") }
        // IHDR's bit depth is byte 24 of a PNG.
        if format == "png" && bytes.count > 24 && bytes[24] == 16 { return try read16(bytes, path) }
        guard readableFormats.contains(format) else { throw DataError(path, "this libgd cannot read \(format) files") }
        var copy = bytes
        let image: gdImagePtr? = copy.withUnsafeMutableBytes { raw in
            let size = Int32(raw.count), pointer = raw.baseAddress
            switch format {
            case "png": return gdImageCreateFromPngPtr(size, pointer)
            case "jpeg": return gdImageCreateFromJpegPtrEx(size, pointer, 1)
            case "gif": return gdImageCreateFromGifPtr(size, pointer)
            case "bmp": return gdImageCreateFromBmpPtr(size, pointer)
            case "tiff": return gdImageCreateFromTiffPtr(size, pointer)
            default: return gdImageCreateFromWebpPtr(size, pointer)
            }
        }
        guard let image else { throw DataError(path, "a \(format) file that cannot be decoded (truncated or corrupt)") }
        defer { gdImageDestroy(image) }
        let width = Int(image.pointee.sx), height = Int(image.pointee.sy)
        var red = [Float](repeating: 0, count: width * height), green = red, blue = red, alpha = red
        var gray = true, opaque = true
        for y in 0..<height {
            for x in 0..<width {
                let color = gdImageGetTrueColorPixel(image, Int32(x), Int32(y))
                let r = (color >> 16) & 0xFF, g = (color >> 8) & 0xFF, b = color & 0xFF, a = (color >> 24) & 0x7F
                let i = x * height + y
                red[i] = Float(r); green[i] = Float(g); blue[i] = Float(b)
                // libgd's alpha runs from 0 (opaque) to 127 (transparent).
                alpha[i] = Float(255 - (a * 255 + 63) / 127)
                if r != g || g != b { gray = false }
                if a != 0 { opaque = false }
            }
        }
        let planes = gray ? [red] : (opaque ? [red, green, blue] : [red, green, blue, alpha])
        let data = try Tensor(planes.flatMap { $0 }, shape: [planes.count, width, height])
        return try MedicalImage(data: data, path: path, format: format, storedType: "uint8")
    }

    private static func read16(_ bytes: Data, _ path: String) throws -> MedicalImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        let begun = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard begun != 0 else { throw DataError(path, "a PNG that cannot be decoded: \(message(image))") }
        let colour = image.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0, withAlpha = image.format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
        let channels = (colour ? 3 : 1) + (withAlpha ? 1 : 0)
        image.format = UInt32(PNG_FORMAT_FLAG_LINEAR) | (colour ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0) | (withAlpha ? UInt32(PNG_FORMAT_FLAG_ALPHA) : 0)
        let width = Int(image.width), height = Int(image.height)
        var pixels = [UInt16](repeating: 0, count: width * height * channels)
        let finished = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        guard finished != 0 else { throw DataError(path, "a PNG whose data cannot be decoded: \(message(image))") }
        var planes = [Float](repeating: 0, count: width * height * channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels { planes[(c * width + x) * height + y] = Float(pixels[(y * width + x) * channels + c]) }
            }
        }
        return try MedicalImage(data: try Tensor(planes, shape: [channels, width, height]), path: path, format: "png", storedType: "uint16")
    }

    private static func message(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
    }

    /// Writes a 2D image as PNG: 8-bit (values windowed from `low`…`high` to 0…255) or 16-bit
    /// (values rounded and clamped to 0…65535, stored as they are), gray or RGB; atomically.
    public static func writePNG(_ image: MedicalImage, to path: String, bits: Int = 8, low: Double? = nil, high: Double? = nil) throws {
        guard image.shape.count == 2 || (image.shape.count == 3 && image.shape[2] == 1) else {
            throw DataError(path, "a PNG holds a 2D image; this one is \(shapeString(image.shape))")
        }
        guard [1, 3].contains(image.channels) else { throw DataError(path, "PNG images here are gray or RGB, not \(image.channels) channels") }
        guard bits == 8 || bits == 16 else { throw DataError(path, "PNG bit depth is 8 or 16, not \(bits)") }
        let width = image.shape[0], height = image.shape[1], channels = image.channels
        let values = image.data.scalars()
        // NaN voxels are written as 0 and left out of the default window.
        let finite = values.filter(\.isFinite)
        let lowest = low ?? (bits == 8 ? finite.min() ?? 0 : 0), highest = high ?? (bits == 8 ? finite.max() ?? 1 : 65535)
        let top = bits == 8 ? 255.0 : 65535.0
        func level(_ v: Double) -> Double {
            guard !v.isNaN else { return 0 }
            if bits == 16 && low == nil && high == nil { return Swift.max(0, Swift.min(top, v.rounded())) }
            return highest > lowest ? Swift.max(0, Swift.min(top, ((v - lowest) / (highest - lowest) * top).rounded())) : 0
        }
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(width); png.height = UInt32(height)
        png.format = (channels == 3 ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0) | (bits == 16 ? UInt32(PNG_FORMAT_FLAG_LINEAR) : 0)
        var size: Int = 0
        let interleaved: [UInt16] = (0..<(width * height * channels)).map { i in
            let c = i % channels, pixel = i / channels, x = pixel % width, y = pixel / width
            return UInt16(level(values[(c * width + x) * height + y]))
        }
        var encoded = Data()
        // Samples are 16-bit words or bytes, as the format says; libpng is asked for the size first.
        func encode(_ raw: UnsafeRawBufferPointer) throws {
            guard png_image_write_to_memory(&png, nil, &size, 0, raw.baseAddress, 0, nil) != 0 else { throw DataError(path, "PNG encoding failed: \(message(png))") }
            encoded = Data(count: size)
            _ = encoded.withUnsafeMutableBytes { png_image_write_to_memory(&png, $0.baseAddress, &size, 0, raw.baseAddress, 0, nil) }
        }
        if bits == 16 { try interleaved.withUnsafeBytes(encode) } else { try interleaved.map { UInt8($0) }.withUnsafeBytes(encode) }
        png_image_free(&png)
        do {
            try AtomicFile.write(encoded.prefix(size), to: path)
        } catch let failure as AtomicFile.Failure {
            throw DataError(path, failure.description)
        }
    }
}
