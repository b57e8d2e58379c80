import XCTest
import ScryData
import ScryLang
@testable import ScryRuntime
import ScryTensor

/// Label-map clean-up on small maps whose answers can be drawn by hand, in 2D and 3D, and
/// through the bindings (an image keeps its geometry).
final class PostprocessingTests: XCTestCase {
    private func map(_ rows: [String]) throws -> Tensor {
        let values = rows.flatMap { $0.map { Double(String($0))! } }
        return try Tensor(flat: values, shape: [1, rows.count, rows[0].count])
    }

    private func rows(_ t: Tensor) -> [String] {
        let values = t.scalars(), width = t.shape[2]
        return (0..<t.shape[1]).map { r in values[r * width..<(r + 1) * width].map { String(Int($0)) }.joined() }
    }

    func testFillHolesFillsEnclosedBackgroundOnly() throws {
        let labels = try map(["000000",
                              "011100",
                              "010100",
                              "011100",
                              "000002",
                              "000020"])
        XCTAssertEqual(rows(try Postprocessing.fillHoles(labels)), ["000000", "011100", "011100", "011100", "000002", "000020"])
    }

    func testLargestComponentKeepsEachLabelsBiggestPiece() throws {
        let labels = try map(["110022",
                              "110000",
                              "000011",
                              "220000"])
        XCTAssertEqual(rows(try Postprocessing.largestComponent(labels)), ["110022", "110000", "000000", "000000"])
    }

    func testMorphologyOperations() throws {
        let labels = try map(["00000",
                              "00100",
                              "00000",
                              "00000"])
        XCTAssertEqual(rows(try Postprocessing.morphology(labels, .dilation)), ["00100", "01110", "00100", "00000"])
        XCTAssertEqual(rows(try Postprocessing.morphology(labels, .erosion)), ["00000", "00000", "00000", "00000"])
        let block = try map(["1111",
                             "1111",
                             "1111"])
        XCTAssertEqual(rows(try Postprocessing.morphology(block, .erosion)), ["0000", "0110", "0000"], "the outside counts as background")
        let notch = try map(["11011",
                             "11111"])
        XCTAssertEqual(rows(try Postprocessing.morphology(notch, .closing)), ["11111", "11111"], "closing keeps what touches the border")
        XCTAssertEqual(rows(try Postprocessing.morphology(labels, .opening)), ["00000", "00000", "00000", "00000"])
        XCTAssertEqual(rows(try Postprocessing.morphology(labels, .closing)), ["00000", "00100", "00000", "00000"])
        XCTAssertThrowsError(try Postprocessing.morphology(labels, .dilation, radius: 0))
    }

    /// A 2D NIfTI's label map [1, x, y, 1] is treated as the 2D map it is.
    func testAnAxisOfOneIsNotAThirdDimension() throws {
        let ring = try map(["00000", "01110", "01010", "01110", "00000"])
        let planar = try ring.reshape([1, 5, 5, 1])
        XCTAssertEqual(try Postprocessing.fillHoles(planar).scalars(), try Postprocessing.fillHoles(ring).scalars())
        let block = try map(["00000", "01110", "01110", "01110", "00000"]).reshape([1, 5, 5, 1])
        XCTAssertEqual(try Postprocessing.morphology(block, .opening).scalars().reduce(0, +), 5, "a 3×3 block opens to a cross, as in 2D")
    }

    func testFillHolesIn3D() throws {
        var values = [Double](repeating: 1, count: 27)
        values[13] = 0  // the centre of a 3×3×3 cube
        let filled = try Postprocessing.fillHoles(try Tensor(flat: values, shape: [3, 3, 3]))
        XCTAssertEqual(filled.scalars(), [Double](repeating: 1, count: 27))
    }

    func testBindingsKeepAnImagesGeometry() throws {
        let interpreter = Session.makeInterpreter()
        interpreter.write = { _ in }
        _ = try interpreter.execute("""
            ds = phantom(n: 1, size: 32, classes: 2, seed: 3)
            label = ds[0].label
            cleaned = largest_component(fill_holes(morphology(label, "closing")))
            mapped = map_labels(cleaned, {1: 255})
            """, name: "postprocess")
        XCTAssertEqual(try interpreter.execute("type(mapped) + str(mapped.spacing == label.spacing)", name: "t")?.printed, "imagetrue")
        XCTAssertEqual(try interpreter.execute("mapped.data.max().item()", name: "t")?.printed, "255.0")
        XCTAssertThrowsError(try interpreter.execute("morphology(label, \"blur\")", name: "bad"))
    }
}
