import CGD
import Foundation
import XCTest
@testable import ScryNotebook

final class SessionAndReplayTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("scry-replay-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testSessionRecordsStreamsResultsAndErrors() {
        let session = NotebookSession(seed: 3)
        XCTAssertEqual(session.run("x = 40\nprint(\"x is\", x)\nx + 2"),
                       [.stream(name: "stdout", text: "x is 40\n"), .executeResult(executionCount: 1, data: ["text/plain": "42"], metadata: .object([:]))])
        XCTAssertEqual(session.run("x + 1;"), [], "a trailing ';' suppresses the result")
        XCTAssertEqual(session.run("y = 1  # no value"), [])
        let outputs = session.run("print(\"before\")\n[][2]")
        XCTAssertEqual(outputs.count, 2)
        guard case let .error(name, value, traceback) = outputs[1] else { return XCTFail("expected an error output") }
        XCTAssertEqual(name, "IndexError")
        XCTAssertEqual(value, "list index 2 is out of range for a list of length 0")
        XCTAssertEqual(traceback, ["Traceback (most recent call last):", "  cell 4, line 2, in <module>", "IndexError: list index 2 is out of range for a list of length 0"])
        XCTAssertEqual(session.run("x"), [.executeResult(executionCount: 5, data: ["text/plain": "40"], metadata: .object([:]))], "the session goes on")
        session.addMarkdown("## Notes")
        XCTAssertEqual(session.notebook.cells.map(\.id), ["cell-1", "cell-2", "cell-3", "cell-4", "cell-5", "cell-6"])
        XCTAssertEqual(session.notebook.scryMetadata["seed"], .int(3))
        XCTAssertNotNil(session.notebook.scryMetadata["threads"])
    }

    func testReplayChecksUpdatesAndIgnores() throws {
        let path = folder.appendingPathComponent("nb.ipynb").path
        let session = NotebookSession(seed: 7)
        session.run("seed(7)\nv = randn([3])\nv.sum().item()")
        session.run("# replay: ignore-output\nprint(\"took 1.5 s\")")
        session.run("[1, 2.5, \"a\"]")
        try session.notebook.write(to: path)
        keepForValidation(path)
        var outcome = try Replay.run(path, check: true, update: false) { _ in }
        XCTAssertEqual(outcome.cellsRun, 3)
        XCTAssertNil(outcome.mismatch.map(\.description))

        // A stored number off by less than the tolerance still matches; text must be equal.
        var notebook = try Notebook.read(path)
        notebook.cells[2] = .code(id: "cell-3", source: "[1, 2.5, \"a\"]", executionCount: 3,
                                  outputs: [.executeResult(executionCount: 3, data: ["text/plain": "[1, 2.5000001, \"a\"]"], metadata: .object([:]))])
        notebook.cells[1] = .code(id: "cell-2", source: "# replay: ignore-output\r\nprint(\"took 1.5 s\")", executionCount: 2,
                                  outputs: [.stream(name: "stdout", text: "took 9.9 s\n")])
        try notebook.write(to: path)
        outcome = try Replay.run(path, check: true, update: false) { _ in }
        XCTAssertNil(outcome.mismatch.map(\.description))

        notebook.cells[2] = .code(id: "cell-3", source: "[1, 2.5, \"a\"]", executionCount: 3,
                                  outputs: [.executeResult(executionCount: 3, data: ["text/plain": "[1, 2.6, \"a\"]"], metadata: .object([:]))])
        try notebook.write(to: path)
        outcome = try Replay.run(path, check: true, update: false) { _ in }
        XCTAssertEqual(outcome.mismatch?.cell, 3)
        XCTAssertTrue(outcome.mismatch?.description.contains("--- stored\n[1, 2.6, \"a\"]\n+++ new\n[1, 2.5, \"a\"]") ?? false,
                      outcome.mismatch?.description ?? "")

        outcome = try Replay.run(path, check: false, update: true) { _ in }
        XCTAssertNil(outcome.mismatch.map(\.description))
        outcome = try Replay.run(path, check: true, update: false) { _ in }
        XCTAssertNil(outcome.mismatch.map(\.description), "after --update the notebook replays clean")
    }

    func testReplayOfEditedNotebooksAndErrorsByName() throws {
        let path = folder.appendingPathComponent("edited.ipynb").path
        // As if edited in Jupyter: ids of its own, a markdown cell, an error output.
        let notebook = Notebook(cells: [
            .markdown(id: "intro", source: "# Edited"),
            .code(id: "a1b2", source: "error(\"other words\", name: \"KeyError\")", executionCount: nil,
                  outputs: [.error(name: "KeyError", value: "stored words", traceback: [])]),
            .code(id: "c3", source: "1 + 1", executionCount: nil, outputs: [.error(name: "KeyError", value: "x", traceback: [])]),
        ])
        try notebook.write(to: path)
        let outcome = try Replay.run(path, check: true, update: false) { _ in }
        XCTAssertEqual(outcome.mismatch?.cell, 2)
        XCTAssertTrue(outcome.mismatch?.description.contains("KeyError: x became result \"2\"") ?? false, outcome.mismatch?.description ?? "")
    }

    func testNumbersInTextCompareWithinTolerance() {
        XCTAssertNil(OutputComparison.textDifference("loss 0.123456 at step 10", "loss 0.1234567 at step 10"))
        XCTAssertNotNil(OutputComparison.textDifference("loss 0.1234 at step 10", "loss 0.1236 at step 10"))
        XCTAssertNotNil(OutputComparison.textDifference("step 10", "step 11"))
        XCTAssertNil(OutputComparison.textDifference("tensor([1.0000e-07, -2.0000])", "tensor([1.0000e-07, -2.0000])"))
        XCTAssertNil(OutputComparison.textDifference("x1 = 3e-9", "x1 = 4e-9"), "differences under 1e-6 are equal")
        XCTAssertNotNil(OutputComparison.textDifference("x1 = 3", "x2 = 3"), "digits inside names are text")
        XCTAssertNotNil(OutputComparison.textDifference("a", "b"))
        XCTAssertNotNil(OutputComparison.textDifference("1e400", "5"), "an infinite stored number matches only itself")
        XCTAssertNil(OutputComparison.textDifference("1e400", "1e401"))
    }

    func testImagesCompareBySizeAndMeanPixelDifference() throws {
        func png(_ width: Int32, _ height: Int32, shade: Int32) throws -> String {
            let image = try XCTUnwrap(gdImageCreateTrueColor(width, height))
            defer { gdImageDestroy(image) }
            gdImageFilledRectangle(image, 0, 0, width - 1, height - 1, (shade << 16) | (shade << 8) | shade)
            var size: Int32 = 0
            let bytes = try XCTUnwrap(gdImagePngPtr(image, &size))
            defer { gdFree(bytes) }
            return Data(bytes: bytes, count: Int(size)).base64EncodedString()
        }
        XCTAssertNil(OutputComparison.imageDifference(try png(8, 8, shade: 100), try png(8, 8, shade: 102)))
        XCTAssertEqual(OutputComparison.imageDifference(try png(8, 8, shade: 100), try png(8, 8, shade: 110)),
                       "images differ by 3.92% (mean absolute pixel difference; at most 1% allowed)")
        XCTAssertEqual(OutputComparison.imageDifference(try png(8, 8, shade: 0), try png(4, 8, shade: 0)), "image size 8×8 became 4×8")
        XCTAssertEqual(OutputComparison.imageDifference("not png", try png(2, 2, shade: 0)), "an image could not be decoded as PNG")
    }

    func testScriptExportAndImportRoundTrip() {
        let notebook = Notebook(cells: [
            .markdown(id: "cell-1", source: "# Title\n\nText"),
            .code(id: "cell-2", source: "x = 1\nprint(x)", executionCount: 1, outputs: [.stream(name: "stdout", text: "1\n")]),
            .code(id: "cell-3", source: "x + 1", executionCount: 2, outputs: []),
        ])
        let script = ScriptFormat.export(notebook)
        XCTAssertEqual(script, "# %% [markdown]\n# # Title\n#\n# Text\n\n# %%\nx = 1\nprint(x)\n\n# %%\nx + 1\n")
        let back = ScriptFormat.import(script)
        XCTAssertEqual(back.cells, [
            .markdown(id: "cell-1", source: "# Title\n\nText"),
            .code(id: "cell-2", source: "x = 1\nprint(x)", executionCount: nil, outputs: []),
            .code(id: "cell-3", source: "x + 1", executionCount: nil, outputs: []),
        ])
        XCTAssertEqual(ScriptFormat.import("print(1)\n# %%\n2").cells.map(\.source), ["print(1)", "2"])
        // A code line that looks like a marker survives the round trip; markers count at column 0 only.
        let tricky = Notebook(cells: [.code(id: "cell-1", source: "a = 1\n# %% not a cell\n  # %% indented\nb = 2", executionCount: nil, outputs: [])])
        XCTAssertEqual(ScriptFormat.import(ScriptFormat.export(tricky)).cells.map(\.source), ["a = 1\n# %% not a cell\n  # %% indented\nb = 2"])
        // CRLF line endings and a byte-order mark, as editors on other systems write them.
        XCTAssertEqual(ScriptFormat.import("\u{FEFF}# %%\r\nx = 1\r\n\r\n# %% [markdown]\r\n# Notes\r\n").cells,
                       [.code(id: "cell-1", source: "x = 1", executionCount: nil, outputs: []), .markdown(id: "cell-2", source: "Notes")])
    }
}
