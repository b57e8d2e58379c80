import Foundation
import XCTest
@testable import ScryLang

/// Runs every program in Golden/ (Crafting Interpreters style): the lines it prints must be
/// the `# expect: …` comments in order, and an uncaught error must match `# expect error: …`.
final class GoldenTests: XCTestCase {
    func testGoldenPrograms() throws {
        let folder = repositoryRoot.appendingPathComponent("Tests/ScryLangTests/Golden")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".scry") && !$0.hasPrefix("_") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 11)
        for file in files {
            let url = folder.appendingPathComponent(file)
            let source = try String(contentsOf: url, encoding: .utf8)
            var expected: [String] = []
            var expectedError: String?
            for line in source.components(separatedBy: "\n") {
                if let range = line.range(of: "# expect: ") { expected.append(String(line[range.upperBound...])) }
                if let range = line.range(of: "# expect error: ") { expectedError = String(line[range.upperBound...]) }
            }
            let session = CapturingSession()
            let error = session.run(source, name: url.path)
            let root = repositoryRoot.path + "/"
            XCTAssertEqual(session.lines.map { $0.replacingOccurrences(of: root, with: "") }, expected, "output of \(file)")
            XCTAssertEqual(error?.description, expectedError, "uncaught error of \(file):\n\(error?.report ?? "")")
        }
    }
}
