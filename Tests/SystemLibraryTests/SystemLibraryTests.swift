import CBLAS
import CEdit
import CGD
import CNifti
import XCTest

/// The four C libraries Scry builds on link and answer through their module maps.
final class SystemLibraryTests: XCTestCase {
    func testOpenBLAS() {
        let x: [Float] = [1, 2, 3], y: [Float] = [4, 5, 6]
        XCTAssertEqual(cblas_sdot(3, x, 1, y, 1), 32)
        XCTAssertGreaterThan(openblas_get_num_procs(), 0)
    }

    func testNifti() {
        XCTAssertEqual(String(cString: nifti_datatype_string(Int32(NIFTI_TYPE_FLOAT32))), "FLOAT32")
    }

    func testGD() throws {
        let image = try XCTUnwrap(gdImageCreateTrueColor(4, 3))
        defer { gdImageDestroy(image) }
        gdImageSetPixel(image, 2, 1, 0x12_34_56)
        XCTAssertEqual(gdImageGetTrueColorPixel(image, 2, 1), 0x12_34_56)
        XCTAssertEqual(image.pointee.sx, 4)
    }

    func testEdit() throws {
        let history = try XCTUnwrap(history_init())
        history_end(history)
    }
}
