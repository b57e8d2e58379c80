import Foundation
import XCTest
import ScryTensor
@testable import ScryVision

/// Pictures are checked by encoding to PNG, decoding back and reading known pixels.
final class PictureTests: XCTestCase {
    func testGrayPictureOfATensorWindowsAndOrientsAsDocumented() throws {
        // 3 columns (x) by 2 rows (y); values 0…5 map from black to white.
        let t = try Tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
        let picture = try Picture.gray(t, title: "ramp")
        XCTAssertEqual(picture.width, 3)
        XCTAssertEqual(picture.height, 2)
        let decoded = try Picture(png: try picture.png())
        XCTAssertEqual(decoded.width, 3)
        XCTAssertEqual(decoded.height, 2)
        XCTAssertTrue(decoded.pixel(0, 0) == (0, 0, 0))
        XCTAssertTrue(decoded.pixel(2, 1) == (255, 255, 255))
        XCTAssertTrue(decoded.pixel(1, 0) == (102, 102, 102), "x = 1, y = 0 holds 2 of 0…5")
        let windowed = try Picture.gray(t, low: 2, high: 3)
        XCTAssertTrue(windowed.pixel(0, 1) == (0, 0, 0), "below the window is black")
        XCTAssertTrue(windowed.pixel(1, 1) == (255, 255, 255))
        XCTAssertTrue(windowed.pixel(2, 0) == (255, 255, 255), "above the window is white")
    }

    func testBadInputsAreErrors() {
        XCTAssertThrowsError(try Picture.gray(Tensor([1.0, 2.0])))
        XCTAssertThrowsError(try Picture(png: Data("not a png".utf8)))
        XCTAssertNoThrow(try Picture.gray(Tensor.zeros([2, 2])), "a constant tensor is black, not a division by zero")
    }
}
