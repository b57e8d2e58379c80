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

    func testVersionAndUsage() throws {
        let (status, output) = try run([])
        XCTAssertEqual(status, 0)
        XCTAssertTrue(output.contains("scry 0.1.0"), output)
        XCTAssertTrue(output.contains("USAGE"), output)
        let (versionStatus, version) = try run(["--version"])
        XCTAssertEqual(versionStatus, 0)
        XCTAssertEqual(version.trimmingCharacters(in: .whitespacesAndNewlines), "0.1.0")
    }

    func testThreadCountComesFromTheEnvironment() throws {
        XCTAssertTrue(try run([], environment: ["SCRY_THREADS": "1"]).1.contains("tensors: 1 threads"))
        XCTAssertTrue(try run([], environment: ["SCRY_THREADS": "3"]).1.contains("tensors: 3 threads"))
    }
}

/// A missing binary fails the test: the suite must exercise the real executable.
struct MissingBinary: Error, CustomStringConvertible {
    let path: String
    var description: String { "scry binary not found at \(path); build all products first" }
}
