import Foundation
import XCTest
@testable import ScryLang
import ScryRuntime

/// A session whose printed output is collected instead of written.
final class CapturingSession {
    let interpreter = Session.makeInterpreter()
    private(set) var output = ""

    init() {
        interpreter.write = { [unowned self] text in self.output += text }
    }

    var lines: [String] { output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }

    /// Runs code; returns the uncaught error, if any.
    @discardableResult
    func run(_ source: String, name: String = "<test>") -> ScryError? {
        do {
            try interpreter.execute(source, name: name)
            return nil
        } catch let error as ScryError {
            return error
        } catch {
            return ScryError(.valueError, "non-Scry error escaped: \(error)")
        }
    }
}

/// The repository's root, found from this file.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
