import Foundation
@testable import ScryData
import ScryTensor
import XCTest

/// Whole-slide tiling: the tissue mask equals GaNDLF's (scikit-image's, Fixtures/make_tissue_mask.py)
/// on a slide larger than 512 × 512; tiles cover every pixel, the last row and column included;
/// only tiles touching tissue are run; outputs are averaged over the tiles covering each pixel.
final class SlideTilingTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    func testTissueMaskIsGaNDLFs() throws {
        let slide = try PlanarImage.read(fixtures.appendingPathComponent("slide.png").path)
        let expected = try PlanarImage.read(fixtures.appendingPathComponent("tissue_mask.png").path)
        XCTAssertEqual(slide.data.shape, [3, 1100, 700])
        let mask = try TissueMask.compute(slide.data)
        XCTAssertEqual(mask.shape, [1100, 700])
        XCTAssertEqual(mask.dtype, .bool)
        let found = mask.scalars(), reference = expected.data.scalars().map { $0 > 0 ? 1.0 : 0.0 }
        XCTAssertEqual(zip(found, reference).filter { $0 != $1 }.count, 0, "pixels where the mask differs from GaNDLF's")
        func tissue(_ x: Int, _ y: Int) -> Bool { found[x * 700 + y] != 0 }
        XCTAssertTrue(tissue(250, 250), "the pink disc")
        XCTAssertTrue(tissue(700, 300), "the small hole in the purple ring is filled")
        XCTAssertFalse(tissue(900, 600), "blue is not tissue")
        XCTAssertFalse(tissue(100, 670), "gray is not tissue")
        XCTAssertFalse(tissue(5, 5), "the white background")
    }

    func testTissueMaskOfASmallSlideAndItsErrors() throws {
        // 60 × 40: kept at its size. White with a pink square; an alpha channel is ignored.
        var values = [Double](repeating: 255, count: 4 * 60 * 40)
        for x in 20..<40 {
            for y in 10..<30 {
                for (c, v) in [200.0, 100, 180].enumerated() { values[(c * 60 + x) * 40 + y] = v }
            }
        }
        let mask = try TissueMask.compute(try Tensor(flat: values, shape: [4, 60, 40])).scalars()
        XCTAssertEqual(mask[30 * 40 + 20], 1, "inside the square")
        XCTAssertEqual(mask[5 * 40 + 5], 0, "background")
        XCTAssertEqual(mask[50 * 40 + 35], 0, "background")
        let white = try TissueMask.compute(try Tensor.full([3, 30, 20], 255)).scalars()
        XCTAssertTrue(white.allSatisfy { $0 == 0 }, "a white slide has no tissue")
        XCTAssertThrowsError(try TissueMask.compute(try Tensor.zeros([1, 30, 20]))) { error in
            XCTAssertTrue("\(error)".contains("needs an RGB slide [3, x, y], got [1, 30, 20]"), "\(error)")
        }
    }

    func testTilesCoverEveryPixelAndKeepOnlyTissue() {
        XCTAssertEqual(SlidingWindow.origins(size: 100, patch: 32, step: 16), [0, 16, 32, 48, 64, 68], "the last tile is flush with the end")
        XCTAssertEqual(SlidingWindow.origins(size: 96, patch: 32, step: 16), [0, 16, 32, 48, 64])
        XCTAssertEqual(SlidingWindow.origins(size: 32, patch: 32, step: 16), [0])
        XCTAssertEqual(SlideTiling.tiles(size: [40, 20], patch: [20, 20], stride: [20, 10]), [[0, 0], [20, 0]], "by y, then x")
        var tissue = [Bool](repeating: false, count: 100 * 100)
        tissue[99 * 100 + 99] = true
        XCTAssertEqual(SlideTiling.tiles(size: [100, 100], patch: [32, 32], stride: [16, 16], tissue: tissue), [[68, 68]],
                       "the corner pixel is covered by the last tile only")
        tissue[99 * 100 + 99] = false
        tissue[40 * 100 + 5] = true
        XCTAssertEqual(SlideTiling.tiles(size: [100, 100], patch: [32, 32], stride: [16, 16], tissue: tissue), [[16, 0], [32, 0]])
    }

    func testOutputsAreAveragedOverTheTilesCoveringEachPixel() throws {
        // Channel 0 holds each pixel's x and channel 1 its y, so a tile's origin is its minimum.
        let (width, height, patch, stride) = (40, 30, [16, 16], [8, 8])
        var values = [Double](repeating: 0, count: 3 * width * height)
        for x in 0..<width {
            for y in 0..<height { values[x * height + y] = Double(x); values[(width + x) * height + y] = Double(y) }
        }
        let slide = try Tensor(flat: values, shape: [3, width, height])
        let all = try Tensor.ones([width, height])
        // Maps: each tile's x channel, so every covered pixel averages to its own x.
        let maps = try SlideTiling.infer(slide, patchSize: patch, stride: stride, batchSize: 3, tissue: all) { tiles in
            try tiles.index([.all, .slice(start: 0, stop: 1, step: nil)]).contiguous()
        }
        XCTAssertNil(maps.outputs)
        let xs = SlidingWindow.origins(size: width, patch: 16, step: 8), ys = SlidingWindow.origins(size: height, patch: 16, step: 8)
        XCTAssertEqual(maps.tiles.count, xs.count * ys.count)
        XCTAssertEqual(maps.probabilities.shape, [1, width, height])
        let counts = maps.count.scalars(), averaged = maps.probabilities.scalars()
        for x in 0..<width {
            for y in 0..<height {
                let covering = xs.filter { (0..<16).contains(x - $0) }.count * ys.filter { (0..<16).contains(y - $0) }.count
                XCTAssertEqual(counts[x * height + y], Double(covering), "count at (\(x), \(y))")
                XCTAssertEqual(averaged[x * height + y], Double(x), accuracy: 1e-5, "map at (\(x), \(y))")
            }
        }
        XCTAssertGreaterThan(counts.min() ?? 0, 0, "every pixel is covered, the last row and column too")

        // Vectors: each tile's origin, broadcast over the tile; tissue only in the top left corner.
        var corner = [Double](repeating: 0, count: width * height)
        corner[2 * height + 3] = 1
        let vectors = try SlideTiling.infer(slide, patchSize: patch, stride: stride, tissue: try Tensor(flat: corner, shape: [width, height])) { tiles in
            let n = tiles.shape[0], pixels = try tiles.floats(), size = 3 * 16 * 16
            return try Tensor(flat: (0..<n).flatMap { i -> [Double] in
                [Double(pixels[i * size]), Double(pixels[i * size + 16 * 16])]
            }, shape: [n, 2])
        }
        XCTAssertEqual(vectors.tiles, [[0, 0]])
        XCTAssertEqual(vectors.outputs ?? [], [[0, 0]])
        let covered = vectors.count.scalars()
        XCTAssertEqual(covered[15 * height + 15], 1)
        XCTAssertEqual(covered[16 * height + 0], 0, "outside the kept tile")

        let none = try SlideTiling.infer(slide, patchSize: patch, stride: stride, tissue: try Tensor.zeros([width, height])) { $0 }
        XCTAssertEqual(none.probabilities.shape, [0, width, height], "no tile kept, no classes known")
        XCTAssertTrue(none.count.scalars().allSatisfy { $0 == 0 })
        XCTAssertThrowsError(try SlideTiling.infer(slide, patchSize: [48, 16], stride: stride) { $0 }) { error in
            XCTAssertTrue("\(error)".contains("the patch [48, 16] is larger than the slide [40, 30]"), "\(error)")
        }
    }
}
