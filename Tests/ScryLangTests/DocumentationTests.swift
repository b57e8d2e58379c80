import Foundation
import XCTest
@testable import ScryLang

/// Every example in docs/language.md runs, and prints what its `# → ` lines say.
final class DocumentationTests: XCTestCase {
    func testEveryExampleInTheReferenceRunsAsDocumented() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/language.md"), encoding: .utf8)
        var examples: [(line: Int, code: String)] = []
        var current: [String]?
        var start = 0
        for (number, line) in text.components(separatedBy: "\n").enumerated() {
            if line == "```scry" { current = []; start = number + 2; continue }
            if line == "```", let code = current {
                examples.append((start, code.joined(separator: "\n")))
                current = nil
                continue
            }
            current?.append(line)
        }
        XCTAssertGreaterThanOrEqual(examples.count, 12, "the reference should keep an example per construct")
        for example in examples {
            let expected = example.code.components(separatedBy: "\n")
                .filter { $0.hasPrefix("# → ") }.map { String($0.dropFirst(4)) }
            let session = CapturingSession()
            if let error = session.run(example.code, name: "language.md:\(example.line)") {
                XCTFail("example at docs/language.md line \(example.line) failed:\n\(error.report)")
                continue
            }
            XCTAssertEqual(session.lines, expected, "output of the example at docs/language.md line \(example.line)")
        }
    }
}
