import CGD

/// A drawing surface on libgd: filled rectangles, lines, text in gd's built-in fonts, and
/// pictures pasted in; `picture` reads the result back. Figures and plots are drawn on it.
public final class Canvas {
    let image: gdImagePtr
    public let width: Int, height: Int

    /// gd's built-in bitmap fonts, smallest first.
    public enum Font {
        case tiny, small, mediumBold, large, giant

        var pointer: gdFontPtr {
            switch self {
            case .tiny: return gdFontGetTiny()
            case .small: return gdFontGetSmall()
            case .mediumBold: return gdFontGetMediumBold()
            case .large: return gdFontGetLarge()
            case .giant: return gdFontGetGiant()
            }
        }

        public var size: (width: Int, height: Int) { (Int(pointer.pointee.w), Int(pointer.pointee.h)) }
    }

    public init(width: Int, height: Int, background: (UInt8, UInt8, UInt8) = (255, 255, 255)) throws {
        guard width >= 1, height >= 1, width <= 16384, height <= 16384, let image = gdImageCreateTrueColor(Int32(width), Int32(height)) else {
            throw PictureError("a canvas must be 1…16384 pixels a side, got \(width)×\(height)")
        }
        self.image = image
        self.width = width
        self.height = height
        fill(0, 0, width, height, background)
    }

    deinit { gdImageDestroy(image) }

    private func color(_ rgb: (UInt8, UInt8, UInt8)) -> Int32 { Int32(rgb.0) << 16 | Int32(rgb.1) << 8 | Int32(rgb.2) }

    /// Fills the rectangle with corner (x, y) and the given size.
    public func fill(_ x: Int, _ y: Int, _ w: Int, _ h: Int, _ rgb: (UInt8, UInt8, UInt8)) {
        guard w > 0, h > 0 else { return }
        gdImageFilledRectangle(image, Int32(x), Int32(y), Int32(x + w - 1), Int32(y + h - 1), color(rgb))
    }

    /// A rectangle's outline.
    public func frame(_ x: Int, _ y: Int, _ w: Int, _ h: Int, _ rgb: (UInt8, UInt8, UInt8)) {
        gdImageRectangle(image, Int32(x), Int32(y), Int32(x + w - 1), Int32(y + h - 1), color(rgb))
    }

    /// A straight line `thickness` pixels wide.
    public func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ rgb: (UInt8, UInt8, UInt8), thickness: Int = 1) {
        gdImageSetThickness(image, Int32(thickness))
        gdImageLine(image, Int32(x0), Int32(y0), Int32(x1), Int32(y1), color(rgb))
        gdImageSetThickness(image, 1)
    }

    /// Text with its top-left corner at (x, y); `vertical` writes it upwards from (x, y).
    public func text(_ string: String, _ x: Int, _ y: Int, _ rgb: (UInt8, UInt8, UInt8) = (0, 0, 0), font: Font = .small, vertical: Bool = false) {
        // gd's fonts cover Latin-1; other characters are drawn as '?'.
        var bytes = string.unicodeScalars.map { $0.value < 256 ? UInt8($0.value) : UInt8(ascii: "?") } + [0]
        bytes.withUnsafeMutableBufferPointer { buffer in
            if vertical {
                gdImageStringUp(image, font.pointer, Int32(x), Int32(y), buffer.baseAddress, color(rgb))
            } else {
                gdImageString(image, font.pointer, Int32(x), Int32(y), buffer.baseAddress, color(rgb))
            }
        }
    }

    /// The width in pixels of a string in a font.
    public static func textWidth(_ string: String, font: Font = .small) -> Int { string.unicodeScalars.count * font.size.width }

    /// Pastes a picture with its top-left corner at (x, y), scaled by an integer factor.
    public func draw(_ picture: Picture, _ x: Int, _ y: Int, scale: Int = 1) {
        for py in 0..<picture.height {
            for px in 0..<picture.width {
                let c = color(picture.pixel(px, py))
                if scale == 1 {
                    gdImageSetPixel(image, Int32(x + px), Int32(y + py), c)
                } else {
                    gdImageFilledRectangle(image, Int32(x + px * scale), Int32(y + py * scale),
                                           Int32(x + (px + 1) * scale - 1), Int32(y + (py + 1) * scale - 1), c)
                }
            }
        }
    }

    /// The drawing as a picture.
    public func picture(title: String = "") -> Picture {
        var result = Picture(width: width, height: height, title: title)
        for y in 0..<height {
            for x in 0..<width {
                let c = gdImageGetTrueColorPixel(image, Int32(x), Int32(y))
                result.setPixel(x, y, (UInt8((c >> 16) & 0xFF), UInt8((c >> 8) & 0xFF), UInt8(c & 0xFF)))
            }
        }
        return result
    }
}

/// A picture that cannot be made, with the reason.
public struct PictureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
