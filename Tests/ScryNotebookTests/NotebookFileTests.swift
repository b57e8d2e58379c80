import Foundation
import XCTest
@testable import ScryNotebook

final class NotebookFileTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    func testKeepsJSONValuedOutputsSplitsScriptsAndBigIntegers() throws {
        let path = fixtures.appendingPathComponent("rich_outputs.ipynb").path
        let notebook = try Notebook.read(path)
        XCTAssertEqual(notebook.json.text, try String(contentsOfFile: path, encoding: .utf8))
        guard case .code(_, _, _, let outputs) = notebook.cells[0], case .displayData(let data, _) = outputs[0] else {
            return XCTFail("expected a display_data output")
        }
        XCTAssertEqual(data["image/svg+xml"], "<svg>\n<rect/>\n</svg>")
        XCTAssertEqual(try JSON.parse(Data(data["application/json"]!.utf8))["b"], .object(["nested": .string("x")]))
    }

    func testReadsAndRewritesJupytersOwnFileByteForByte() throws {
        let path = fixtures.appendingPathComponent("written_by_nbformat.ipynb").path
        let notebook = try Notebook.read(path)
        XCTAssertEqual(notebook.cells.count, 6)
        XCTAssertEqual(notebook.cells[0], .code(id: "cell-1", source: "x = 1\nprint(\"héllo\\t\")", executionCount: 1,
                                                 outputs: [.stream(name: "stdout", text: "héllo\t\n")]))
        XCTAssertEqual(notebook.cells[2], .markdown(id: "cell-3", source: "# Title\nSome *text*"))
        if case .code(_, _, _, let outputs) = notebook.cells[3], case .displayData(let data, _) = outputs[0] {
            XCTAssertEqual(data["image/png"], "iVBORw0KGgo=")
            XCTAssertEqual(data["text/plain"], "<picture 2×2>\nline2")
        } else {
            XCTFail("cell 4 should hold a display_data output")
        }
        XCTAssertEqual(notebook.cells[5], .code(id: "cell-6", source: "", executionCount: nil, outputs: []))
        XCTAssertEqual(notebook.scryMetadata["seed"], .int(0))
        let original = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(notebook.json.text, original)
    }

    func testCellMetadataAttachmentsAndRawCellsSurviveARewrite() throws {
        let text = """
            {"cells": [
              {"cell_type": "code", "id": "a1", "metadata": {"tags": ["setup"]}, "source": "x = 1", "execution_count": null, "outputs": []},
              {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": "see", "attachments": {"p.png": {"image/png": "iVBORw0KGgo="}}},
              {"cell_type": "raw", "id": "r1", "metadata": {}, "source": "raw text"}
            ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
            """
        var notebook = try Notebook(json: try JSON.parse(Data(text.utf8)), file: "edited.ipynb")
        notebook.cells[0] = .code(id: "a1", source: "x = 1", executionCount: 1, outputs: [])
        let written = try JSON.parse(Data(notebook.json.text.utf8))
        guard case .array(let cells)? = written["cells"] else { return XCTFail("no cells") }
        XCTAssertEqual(cells[0]["metadata"], .object(["tags": .array([.string("setup")])]))
        XCTAssertEqual(cells[1]["attachments"]?["p.png"], .object(["image/png": .string("iVBORw0KGgo=")]))
        XCTAssertEqual(cells[2]["cell_type"], .string("raw"))
    }

    func testLinesSplitAsPythonSplitlines() {
        XCTAssertEqual(JSON.lines("a\nb\r\nc\rd\u{2028}e"), .array(["a\n", "b\r\n", "c\r", "d\u{2028}", "e"].map { .string($0) }))
        XCTAssertEqual(JSON.lines(""), .array([]))
        XCTAssertEqual(JSON.lines("end\n"), .array([.string("end\n")]))
    }

    func testFloatsAreWrittenAsPythonWritesThem() {
        XCTAssertEqual([9.5e15, 1e16, 0.1, 1e-5, 0.0001, 100.0, -2.5e-7].map(JSON.pythonFloat),
                       ["9500000000000000.0", "1e+16", "0.1", "1e-05", "0.0001", "100.0", "-2.5e-07"])
    }

    func testEscapingMatchesPythonJSON() {
        var out = ""
        JSON.quote("q\" b\\ \u{1} é ✓ \u{7f}", into: &out)
        XCTAssertEqual(out, "\"q\\\" b\\\\ \\u0001 é ✓ \u{7f}\"")
        XCTAssertEqual(JSON.object(["b": .int(1), "a": .array([]), "B": .object([:]), "c": .double(0.1)]).text,
                       "{\n \"B\": {},\n \"a\": [],\n \"b\": 1,\n \"c\": 0.1\n}\n")
    }

    func testWritesAtomicallyAndReportsBadFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scry-nb-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("session.ipynb").path
        let notebook = Notebook(cells: [.markdown(id: "cell-1", source: "hi")])
        try notebook.write(to: path)
        XCTAssertEqual(try Notebook.read(path), notebook)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["session.ipynb"], "no temporary file left")

        try "{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"code\"}]}".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Notebook.read(path)) { error in
            XCTAssertEqual("\(error)", "\(path): cells[0].source: missing or not text")
        }
        try "{\"nbformat\": 3, \"cells\": []}".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Notebook.read(path)) { error in
            XCTAssertEqual("\(error)", "\(path): nbformat: only nbformat 4 notebooks can be read")
        }
        try "{\"cells\": [".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Notebook.read(path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path): not valid JSON"), "\(error)")
        }
        XCTAssertThrowsError(try Notebook.read(folder.appendingPathComponent("none.ipynb").path)) { error in
            XCTAssertTrue("\(error)".contains("cannot read"), "\(error)")
        }
        XCTAssertThrowsError(try notebook.write(to: folder.appendingPathComponent("no/such/dir.ipynb").path))
    }
}
