import Foundation
import ScryTensor
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

/// A JSON fixture of this test target's Fixtures folder, as dictionaries and arrays.
func jsonFixture(_ name: String) -> [String: Any] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/" + name)
    return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
}

/// A tensor stored in a JSON fixture as {"shape", "data", "dtype" (float32 unless "int64")}.
func fixtureTensor(_ any: Any?) throws -> Tensor {
    let values = any as! [String: Any]
    return try Tensor(flat: (values["data"] as! [NSNumber]).map(\.doubleValue), shape: values["shape"] as! [Int],
                      dtype: values["dtype"] as? String == "int64" ? .int64 : .float32)
}
