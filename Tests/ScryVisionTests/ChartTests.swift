import Foundation
import XCTest
import ScryTensor
@testable import ScryVision

/// Figures and charts, checked on pixels decoded back from their PNG.
final class ChartTests: XCTestCase {
    private func decoded(_ picture: Picture) throws -> Picture { try Picture(png: try picture.png()) }

    func testFigurePlacesPanelsTitlesAndAColourBar() throws {
        var red = Picture(width: 4, height: 3), green = Picture(width: 4, height: 3)
        for x in 0..<4 { for y in 0..<3 { red.setPixel(x, y, (255, 0, 0)); green.setPixel(x, y, (0, 255, 0)) } }
        let figure = try Picture.figure([[red, nil], [nil, green]], titles: [["a", ""], ["", "b"]], title: "grid", colorbar: .jet, scale: 2, dpi: 150)
        let image = try decoded(figure)
        XCTAssertEqual(image.width, figure.width)
        // Layout: margin 10, title (large font, 16 px) + 8, panel titles (small font, 13 px) + 4,
        // cells of 8×6 (scale 2) 10 px apart.
        let top = 10 + 16 + 8, label = 13 + 4
        XCTAssertTrue(image.pixel(10, top + label) == (255, 0, 0), "the first panel's top-left pixel")
        XCTAssertTrue(image.pixel(10 + 7, top + label + 5) == (255, 0, 0), "scaled by 2: 8×6 pixels")
        XCTAssertTrue(image.pixel(10 + 8, top + label) == (255, 255, 255), "white beyond it")
        let second = (10 + 8 + 10, top + 2 * label + 6 + 10)
        XCTAssertTrue(image.pixel(second.0, second.1) == (0, 255, 0), "the panel of row 2, column 2")
        XCTAssertTrue(image.pixel(10 + 8 + 5, top + label) == (255, 255, 255), "the empty cell stays white")
        // The colour bar: 10 px after the grid (2 cells of 8 and a gap of 10), 16 wide, as tall as
        // the grid below the first panel titles, from jet(1) at its top to jet(0) at its bottom.
        let barX = 10 + 26 + 10, barTop = top + label, barHeight = 2 * (6 + label) + 10 - label
        XCTAssertTrue(image.pixel(barX, barTop + 1) == (0, 0, 0), "its frame")
        XCTAssertTrue(image.pixel(barX + 8, barTop + 1) == Colormap.jet.color(1 - 1.0 / Double(barHeight - 1)))
        XCTAssertTrue(image.pixel(barX + 8, barTop + barHeight - 2) == Colormap.jet.color(1.0 / Double(barHeight - 1)))
        // 150 dpi is written as pixels per metre in the PNG's pHYs chunk.
        let png = try figure.png()
        let chunk = try XCTUnwrap(png.range(of: Data("pHYs".utf8)))
        let perMetre = png[chunk.upperBound..<chunk.upperBound + 4].reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(perMetre, Int((150 / 0.0254).rounded()), accuracy: 1)
        XCTAssertThrowsError(try Picture.figure([[nil]]))
    }

    func testLineChartDrawsEachSeriesInItsColourWithALegend() throws {
        let chart = try Chart.lines([Chart.Series(name: "train", x: [0, 1, 2], y: [1, 0.5, 0.25]),
                                     Chart.Series(name: "val", x: [0, 1, 2], y: [1.2, 0.8, 0.7])], title: "loss", xLabel: "epoch", yLabel: "loss")
        let image = try decoded(chart)
        XCTAssertEqual([image.width, image.height], [640, 400])
        let axes = try Axes(width: 640, height: 400, x: (0, 2), y: Chart.range([1, 0.5, 0.25, 1.2, 0.8, 0.7]),
                            title: "loss", xLabel: "epoch", yLabel: "loss")
        let middle = axes.point(1, 0.5)
        XCTAssertTrue(image.pixel(middle.0, middle.1) == Colormap.label(1), "the first series passes through (1, 0.5)")
        let other = axes.point(1, 0.8)
        XCTAssertTrue(image.pixel(other.0, other.1) == Colormap.label(2), "the second through (1, 0.8)")
        XCTAssertEqual(Chart.ticks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(Chart.ticks(0, 47), [0, 10, 20, 30, 40])
        XCTAssertThrowsError(try Chart.lines([Chart.Series(name: "a", x: [1], y: [.nan])]))
    }

    func testHistogramAndBarsFillTheirBars() throws {
        let histogram = try decoded(try Chart.histogram(edges: [0, 1, 2], counts: [10, 5]))
        let axes = try Axes(width: 640, height: 400, x: (0, 2), y: (0, 10), title: "", xLabel: "", yLabel: "count")
        let tall = axes.point(0.5, 9), short = axes.point(1.5, 4), empty = axes.point(1.5, 6)
        XCTAssertTrue(histogram.pixel(tall.0, tall.1) == Colormap.label(1))
        XCTAssertTrue(histogram.pixel(short.0, short.1) == Colormap.label(1))
        XCTAssertFalse(histogram.pixel(empty.0, empty.1) == Colormap.label(1), "above the shorter bar")
        let bars = try decoded(try Chart.bars(labels: ["a", "b"], values: [1, 2], title: "t"))
        let barAxes = try Axes(width: 640, height: 400, x: (0, 2), y: Chart.range([1, 2, 0]), title: "t", xLabel: "", yLabel: "", xTicks: false)
        let b = barAxes.point(1.5, 1.9)
        XCTAssertTrue(bars.pixel(b.0, b.1) == Colormap.label(2), "the second bar in the second colour")
        XCTAssertThrowsError(try Chart.bars(labels: ["a"], values: [1, 2]))
    }
}
