import Foundation
import ScryData
import ScryTensor
import XCTest

/// 2D images written by Pillow (Fixtures/make_images.py) read as [C, x, y]; 16-bit PNGs keep
/// every bit; writing windows to 8 bits or stores 16; corrupt files are errors naming the file.
final class PlanarImageTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    struct Expected: Decodable {
        struct Pixel: Decodable { let x: Int, y: Int, values: [Double] }
        let size: [Int], channels: Int, pixels: [Pixel]
    }

    func testEveryFormatReadsItsPixels() throws {
        let reference = try JSONDecoder().decode([String: Expected].self,
                                                  from: Data(contentsOf: fixtures.appendingPathComponent("image_reference.json")))
        for (name, expected) in reference.sorted(by: { $0.key < $1.key }) {
            let format = String(name.split(separator: ".").last!)
            guard PlanarImage.readableFormats.contains(format == "jpg" ? "jpeg" : format) || name == "xray16.png" else { continue }
            let image = try PlanarImage.read(fixtures.appendingPathComponent(name).path)
            XCTAssertEqual(image.shape, expected.size, name)
            // A flat JPEG decodes to one colour, which may come out gray-free RGB: 3 channels.
            XCTAssertEqual(image.channels, expected.channels, name)
            let values = image.data.scalars(), (w, h) = (expected.size[0], expected.size[1])
            for pixel in expected.pixels {
                for (c, value) in pixel.values.enumerated() {
                    let tolerance = name.hasSuffix(".jpg") ? 3.0 : (c == 3 ? 2.0 : 0)
                    XCTAssertEqual(values[(c * w + pixel.x) * h + pixel.y], value, accuracy: tolerance, "\(name) (\(pixel.x), \(pixel.y)) channel \(c)")
                }
            }
        }
        XCTAssertEqual(try PlanarImage.read(fixtures.appendingPathComponent("xray16.png").path).storedType, "uint16")
    }

    func testWritingEightAndSixteenBits() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scry-png-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let xray = try PlanarImage.read(fixtures.appendingPathComponent("xray16.png").path)
        let sixteen = folder.appendingPathComponent("x16.png").path
        try PlanarImage.writePNG(xray, to: sixteen, bits: 16)
        XCTAssertEqual(try PlanarImage.read(sixteen).data.scalars(), xray.data.scalars(), "16 bits round-trip exactly")
        let eight = folder.appendingPathComponent("x8.png").path
        try PlanarImage.writePNG(xray, to: eight, low: 0, high: 65535)
        let windowed = try PlanarImage.read(eight).data.scalars()
        for (a, b) in zip(windowed, xray.data.scalars()) { XCTAssertEqual(a, (b / 65535 * 255).rounded(), accuracy: 0.5) }
        let rgb = try PlanarImage.read(fixtures.appendingPathComponent("rgb.png").path)
        let copy = folder.appendingPathComponent("rgb.png").path
        try PlanarImage.writePNG(rgb, to: copy, low: 0, high: 255)
        XCTAssertEqual(try PlanarImage.read(copy).data.scalars(), rgb.data.scalars())
    }

    func testCorruptFilesAreErrors() {
        for (name, problem) in [("truncated.png", "cannot be decoded"), ("text.png", "not an image"), ("nothing.png", "no such file")] {
            let path = fixtures.appendingPathComponent(name).path
            XCTAssertThrowsError(try PlanarImage.read(path)) { error in
                XCTAssertTrue("\(error)".hasPrefix(path + ": ") && "\(error)".contains(problem), "\(error)")
            }
        }
    }
}
