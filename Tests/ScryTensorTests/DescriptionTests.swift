import XCTest
@testable import ScryTensor

final class DescriptionTests: XCTestCase {
    func testSmallTensorsShowEveryValue() throws {
        let x = try Tensor([[1.0, -2.5], [3.25, 4.0]])
        XCTAssertEqual(x.description, """
            tensor(shape: [2, 2], dtype: float32)
            [[ 1.0000, -2.5000],
             [ 3.2500,  4.0000]]
            """)
        XCTAssertEqual(try Tensor([1, 2, 30]).valuesDescription(), "[ 1,  2, 30]")
        XCTAssertEqual(try Tensor([true, false]).valuesDescription(), "[ true, false]")
        XCTAssertEqual(Tensor(scalar: Float(2)).valuesDescription(), "2.0000")
        XCTAssertEqual(try Tensor([1e-6, 1e9]).valuesDescription(), "[1.0000e-06, 1.0000e+09]")
    }

    func testLargeTensorsAreAbbreviated() throws {
        let x = try Tensor.arange(0, 2000).reshape([2, 1000])
        let text = x.valuesDescription()
        XCTAssertEqual(text, """
            [[   0,    1,    2, ...,  997,  998,  999],
             [1000, 1001, 1002, ..., 1997, 1998, 1999]]
            """)
        let cube = try Tensor.zeros([10, 10, 20]).description
        XCTAssertTrue(cube.hasPrefix("tensor(shape: [10, 10, 20], dtype: float32)"))
        XCTAssertEqual(cube.split(separator: "\n").filter { $0.contains("0.0000") }.count, 6 * 6)
        XCTAssertTrue(cube.contains("..."))
    }
}
