import Foundation
import XCTest

/// Drives the built `scry` binary, as a user would.
final class ScryCommandTests: XCTestCase {
    /// The `scry` executable built beside this test bundle.
    func scryExecutable() throws -> URL {
        let testRunner = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        let candidate = testRunner.deletingLastPathComponent().appendingPathComponent("scry")
        guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
            throw MissingBinary(path: candidate.path)
        }
        return candidate
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = try scryExecutable()
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    func testVersionUsageAndShellAtEndOfInput() throws {
        let (status, output) = try run([])
        XCTAssertEqual(status, 0, "the shell leaves at end of input")
        XCTAssertTrue(output.contains("Scry 0.1.0"), output)
        let (helpStatus, help) = try run(["--help"])
        XCTAssertEqual(helpStatus, 0)
        XCTAssertTrue(help.contains("USAGE"), help)
        XCTAssertTrue(help.contains("replay"), help)
        let (versionStatus, version) = try run(["--version"])
        XCTAssertEqual(versionStatus, 0)
        XCTAssertEqual(version.trimmingCharacters(in: .whitespacesAndNewlines), "0.1.0")
    }

    func testSnippetPrintsItsValueAndErrorsExitNonZero() throws {
        XCTAssertEqual(try run(["-e", "x = 20\nx + 22"]).1, "42\n")
        XCTAssertEqual(try run(["-e", "print(\"hi\"); nil"]).1, "hi\n")
        let (status, output) = try run(["-e", "fn f() { return [][0] }\nf()"])
        XCTAssertEqual(status, 1)
        XCTAssertEqual(output, """
            Traceback (most recent call last):
              <-e>, line 2, in <module>
              <-e>, line 1, in f
            IndexError: list index 0 is out of range for a list of length 0

            """)
        let (syntaxStatus, syntax) = try run(["-e", "x = (1"])
        XCTAssertEqual(syntaxStatus, 1)
        XCTAssertTrue(syntax.contains("^"), syntax)
        XCTAssertTrue(syntax.contains("SyntaxError: expected ')' to close '(' opened at line 1, col 5"), syntax)
    }

    func testScriptRunsWithItsArguments() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scry-cli-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "fn twice(x) { return x * 2 }\n".write(to: folder.appendingPathComponent("lib.scry"), atomically: true, encoding: .utf8)
        let script = folder.appendingPathComponent("main.scry")
        try "import \"lib.scry\"\nprint(args, twice(len(args)))\n".write(to: script, atomically: true, encoding: .utf8)
        let (status, output) = try run([script.path, "a", "--flag"])
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output, "[\"a\", \"--flag\"] 4\n")
        let (missingStatus, missing) = try run([folder.appendingPathComponent("none.scry").path])
        XCTAssertEqual(missingStatus, 1)
        XCTAssertTrue(missing.contains("IOError"), missing)
        let (badStatus, bad) = try run(["notes.txt"])
        XCTAssertNotEqual(badStatus, 0)
        XCTAssertTrue(bad.contains("'notes.txt' is not a .scry script or a subcommand"), bad)
    }

    func testThreadCountComesFromTheEnvironment() throws {
        XCTAssertEqual(try run(["-e", "threads()"], environment: ["SCRY_THREADS": "1"]).1, "1\n")
        XCTAssertEqual(try run(["-e", "threads()"], environment: ["SCRY_THREADS": "3"]).1, "3\n")
        XCTAssertEqual(try run(["-e", "threads(2)\nthreads()"], environment: ["SCRY_THREADS": "1"]).1, "2\n")
    }
}

/// A missing binary fails the test: the suite must exercise the real executable.
struct MissingBinary: Error, CustomStringConvertible {
    let path: String
    var description: String { "scry binary not found at \(path); build all products first" }
}
