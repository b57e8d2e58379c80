import Foundation
import XCTest
import ScryTensor
@testable import ScryVision

/// Colour maps against OpenCV's and matplotlib's tables, and overlays by pixels decoded from PNG.
final class ColormapTests: XCTestCase {
    func testColormapsEqualOpenCVsAndMatplotlibsTables() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/colormaps.json")
        let tables = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: [[Int]]]
        for map in [Colormap.jet, .turbo, .viridis, .magma] {
            let table = try XCTUnwrap(tables[map.rawValue])
            for i in 0..<256 {
                let (r, g, b) = map.color(Double(i) / 255)
                XCTAssertEqual([Int(r), Int(g), Int(b)], table[i], "\(map) entry \(i)")
            }
        }
        // The ends, as the references list them: jet runs from dark blue to dark red.
        XCTAssertTrue(Colormap.jet.color(0) == (0, 0, 128))
        XCTAssertTrue(Colormap.jet.color(1) == (128, 0, 0))
        XCTAssertTrue(Colormap.viridis.color(0) == (68, 1, 84))
        XCTAssertTrue(Colormap.magma.color(1) == (252, 253, 191))
        XCTAssertTrue(Colormap.gray.color(0.5) == (127, 127, 127), "⌊255·0.5⌋, as a uint8 cast truncates")
        XCTAssertTrue(Colormap.turbo.color(0) == (48, 18, 59))
        XCTAssertTrue(Colormap.agni.color(0.5) == (127, 0, 0), "GaNDLF's red ramp")
        XCTAssertTrue(Colormap.label(0) == (0, 0, 0))
        XCTAssertTrue(Colormap.label(1) == (31, 119, 180))
        XCTAssertTrue(Colormap.label(11) == Colormap.label(1), "the palette repeats after ten labels")
    }

    func testOverlayBlendsAsShowCamOnImage() throws {
        // Image: 0 at x = 0, 255 at x = 1 (windowed 0…255); map 0 at y = 0 and 1 at y = 1.
        let image = try Tensor([[0.0, 0.0], [255.0, 255.0]])
        let map = try Tensor([[0.0, 1.0], [0.0, 1.0]])
        let picture = try Picture(png: try Picture.overlay(image: image, map: map, low: 0, high: 255).png())
        // Blend before scaling: (1 − 0.5)·jet/255 + 0.5·gray; the brightest channel over all
        // pixels is 0.5·128/255 + 0.5 (x = 1, y = 0, blue); every value is divided by it.
        let peak = 0.5 * 128 / 255 + 0.5
        func expected(_ heat: (UInt8, UInt8, UInt8), _ gray: Double) -> (UInt8, UInt8, UInt8) {
            func level(_ c: UInt8) -> UInt8 { UInt8((255 * (0.5 * Double(c) / 255 + 0.5 * gray) / peak).rounded(.towardZero)) }
            return (level(heat.0), level(heat.1), level(heat.2))
        }
        XCTAssertTrue(picture.pixel(0, 0) == expected((0, 0, 128), 0))
        XCTAssertTrue(picture.pixel(1, 0) == expected((0, 0, 128), 1))
        XCTAssertTrue(picture.pixel(0, 1) == expected((128, 0, 0), 0))
        XCTAssertTrue(picture.pixel(1, 1) == expected((128, 0, 0), 1))
        XCTAssertEqual(picture.pixel(1, 0).2, 255, "the brightest blend becomes 255")
    }

    func testHeatmapsColourAndBlendAsGaNDLFWithoutRescaling() throws {
        // A 2 × 1 map: 0 and 1.
        let map = try Tensor([[0.0], [1.0]])
        let plain = try Picture(png: try Picture.heatmap(map, colormap: .turbo).png())
        XCTAssertTrue(plain.pixel(0, 0) == (48, 18, 59) && plain.pixel(1, 0) == (122, 4, 3))
        // On a white slide with weight 0.25: 0.25·255 + 0.75·colour, rounded.
        let white = try Tensor.full([3, 2, 1], 255)
        let blended = try Picture.heatmap(map, colormap: .agni, on: white, imageWeight: 0.25)
        XCTAssertTrue(blended.pixel(0, 0) == (64, 64, 64), "agni(0) is black")
        XCTAssertTrue(blended.pixel(1, 0) == (255, 64, 64), "63.75 + 191.25 = 255 for red")
        XCTAssertThrowsError(try Picture.heatmap(map, colormap: .jet, on: try Tensor.zeros([3, 1, 2])), "the image must match the map")
    }

    func testOverlayOnAColourImageBlendsItsColours() throws {
        // A 1×1 image of pure red (255, 0, 0) under a map of 0 (jet's (0, 0, 128)).
        let image = try Tensor([[[255.0]], [[0.0]], [[0.0]]])
        let picture = try Picture.overlay(image: image, map: try Tensor([[0.0]]))
        // 0.5·(0, 0, 128)/255 + 0.5·(1, 0, 0) = (0.5, 0, 0.251), divided by 0.5.
        XCTAssertTrue(picture.pixel(0, 0) == (255, 0, UInt8((255 * (0.5 * 128 / 255) / 0.5).rounded(.towardZero))))
        XCTAssertThrowsError(try Picture.overlay(image: image, map: try Tensor([[0.0, 1.0]])), "the map must match the image's x, y")
    }

    func testLabelOutlinesAreDrawnInThePaletteColour() throws {
        let labels = try Tensor((0..<5).map { x in (0..<5).map { y in (1...3).contains(x) && (1...3).contains(y) ? 1.0 : 0.0 } })
        var picture = try Picture.gray(Tensor.zeros([5, 5]))
        try picture.drawOutlines(of: labels)
        XCTAssertTrue(picture.pixel(1, 1) == Colormap.label(1), "a corner of the square is on its outline")
        XCTAssertTrue(picture.pixel(2, 2) == (0, 0, 0), "its centre is not")
        XCTAssertTrue(picture.pixel(0, 0) == (0, 0, 0), "the background has no outline")
    }

    func testTiledPicturesSitSideBySide() {
        var a = Picture(width: 2, height: 1), b = Picture(width: 2, height: 1)
        a.setPixel(0, 0, (255, 0, 0)); b.setPixel(1, 0, (0, 255, 0))
        let grid = Picture.tiled([a, b, a], columns: 2)
        XCTAssertEqual([grid.width, grid.height], [4, 2])
        XCTAssertTrue(grid.pixel(0, 0) == (255, 0, 0))
        XCTAssertTrue(grid.pixel(3, 0) == (0, 255, 0))
        XCTAssertTrue(grid.pixel(0, 1) == (255, 0, 0))
        XCTAssertTrue(grid.pixel(3, 1) == (0, 0, 0), "the missing fourth panel is black")
    }
}
