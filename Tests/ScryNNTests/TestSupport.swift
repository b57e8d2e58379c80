import XCTest

/// The project-wide tolerance: values agree when max|a − b| ≤ 1e-4 · max|ref| + 1e-6.
func assertWithinTolerance(_ actual: [Double], _ expected: [Double], _ label: String,
                           file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, label, file: file, line: line)
    let tolerance = 1e-4 * (expected.map { Swift.abs($0) }.max() ?? 0) + 1e-6
    for (a, e) in zip(actual, expected) where Swift.abs(a - e) > tolerance {
        XCTFail("\(label): \(a) vs \(e)", file: file, line: line)
        return
    }
}
