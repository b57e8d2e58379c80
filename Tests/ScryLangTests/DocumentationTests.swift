import Foundation
import XCTest
@testable import ScryLang

/// Every example in docs/*.md runs, and prints what its `# → ` lines say.
final class DocumentationTests: XCTestCase {
    func testEveryExampleInTheReferenceRunsAsDocumented() throws {
        XCTAssertGreaterThanOrEqual(try check("language.md"), 12, "the reference should keep an example per construct")
        XCTAssertGreaterThanOrEqual(try check("networks.md"), 1)
        XCTAssertGreaterThanOrEqual(try check("data.md"), 1)
        XCTAssertGreaterThanOrEqual(try check("models.md"), 3)
        XCTAssertGreaterThanOrEqual(try check("pictures.md"), 7)
        XCTAssertGreaterThanOrEqual(try check("saliency.md"), 2)
        XCTAssertGreaterThanOrEqual(try check("training.md"), 11)
    }

    /// Runs the examples of one document; returns how many it has.
    private func check(_ document: String) throws -> Int {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/" + document), encoding: .utf8)
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
        for example in examples {
            let expected = example.code.components(separatedBy: "\n")
                .filter { $0.hasPrefix("# → ") }.map { String($0.dropFirst(4)) }
            let session = CapturingSession()
            if let error = session.run(example.code, name: "\(document):\(example.line)") {
                XCTFail("example at docs/\(document) line \(example.line) failed:\n\(error.report)")
                continue
            }
            XCTAssertEqual(session.lines, expected, "output of the example at docs/\(document) line \(example.line)")
        }
        return examples.count
    }
}
