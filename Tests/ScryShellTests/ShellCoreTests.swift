import Foundation
import XCTest
@testable import ScryLang
@testable import ScryNotebook
@testable import ScryShell

/// The shell's core without a terminal: input completeness, cells, display, meta commands,
/// completion and recording.
final class ShellCoreTests: XCTestCase {
    var output = ""
    var core: ShellCore!
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("scry-shell-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        output = ""
        core = ShellCore(write: { [unowned self] in self.output += $0 }, recovery: Recovery(directory: folder.appendingPathComponent("sessions")))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func take() -> String { defer { output = "" }; return output }

    func testCompletenessFollowsTheParser() {
        XCTAssertTrue(ShellCore.isComplete("x = 1"))
        XCTAssertFalse(ShellCore.isComplete("fn f(x) {"))
        XCTAssertFalse(ShellCore.isComplete("print(1,"))
        XCTAssertFalse(ShellCore.isComplete("s = \"unfinished"))
        XCTAssertTrue(ShellCore.isComplete("x = )"), "a genuine error is reported at once, not held open")
        XCTAssertTrue(ShellCore.isComplete("fn f(x) {\n  return x\n}"))
        XCTAssertTrue(ShellCore.isComplete(":save"))
    }

    func testCellsDisplayResultsUnlessSemicolon() {
        XCTAssertEqual(core.prompt(continuing: false), "[1]> ")
        core.submit("x = 2\nx * 21")
        XCTAssertEqual(take(), "42\n")
        core.submit("x;")
        XCTAssertEqual(take(), "")
        core.submit("print(\"hi\")")
        XCTAssertEqual(take(), "hi\n")
        core.submit("[][0]")
        XCTAssertTrue(take().contains("IndexError: list index 0 is out of range"))
        core.submit("x + 1")
        XCTAssertEqual(take(), "3\n", "an error leaves the session usable")
        XCTAssertEqual(core.prompt(continuing: false), "[6]> ")
        XCTAssertEqual(core.prompt(continuing: true), "...> ")
        core.submit("tensor([[1.0, 2.0], [3.0, 5.0]])")
        XCTAssertEqual(take(), "tensor(shape: [2, 2], dtype: float32, min: 1, max: 5, mean: 2.75)\n[[1.0000, 2.0000],\n [3.0000, 5.0000]]\n")
        core.submit("list(0..<500)")
        let long = take()
        XCTAssertTrue(long.contains("… 440 more …"), long)
    }

    func testMetaCommands() throws {
        core.submit(":help")
        XCTAssertTrue(take().contains(":save [path]"))
        core.submit("?len")
        XCTAssertTrue(take().hasPrefix("len(value)"))
        core.submit(":help print")
        XCTAssertTrue(take().hasPrefix("print(…, sep: \" \", end: \"\\n\")"))
        core.submit("t = zeros([4, 8])\nname = \"scan\"\nfn helper() { }")
        _ = take()
        core.submit(":vars")
        XCTAssertEqual(take(), """
            name    type      shape   memory
            ──────  ────────  ──────  ──────
            demo    dataset
            t       tensor    [4, 8]  128 B
            name    string    [4]
            helper  function

            """)
        core.submit(":time 1 + 1")
        XCTAssertTrue(take().contains("time: "))
        core.submit(":md # Notes")
        core.submit(":nope")
        XCTAssertEqual(take(), "unknown meta command ':nope'; :help lists them\n")
        let path = folder.appendingPathComponent("s.ipynb").path
        core.submit(":save \(path)")
        XCTAssertEqual(take(), "saved \(path)\n")
        XCTAssertEqual(core.unsavedCells, 0)
        let saved = try Notebook.read(path)
        XCTAssertEqual(saved.cells.map(\.source), ["t = zeros([4, 8])\nname = \"scan\"\nfn helper() { }", "1 + 1", "# Notes"])
        XCTAssertEqual(saved.cells[2], .markdown(id: "cell-3", source: "# Notes"))
        core.submit(":reset")
        XCTAssertEqual(take(), "session reset\n")
        core.submit("t")
        XCTAssertTrue(take().contains("NameError"))
        var withInterrupted = try Notebook.read(path)
        withInterrupted.cells.append(.code(id: "cell-9", source: "while true { }", executionCount: 9,
                                           outputs: [.error(name: "Interrupted", value: "interrupted", traceback: [])]))
        try withInterrupted.write(to: path)
        core.submit(":load \(path)")
        XCTAssertTrue(output.contains("skipped a cell that was interrupted when recorded"), "a runaway cell is not re-run")
        XCTAssertTrue(take().hasSuffix("loaded \(path)\n"))
        core.submit("t.shape")
        XCTAssertEqual(take(), "[4, 8]\n")
        core.history = { ["a", "b"] }
        core.submit(":history")
        XCTAssertEqual(take(), "1  a\n2  b\n")
        core.submit(":quit")
        XCTAssertTrue(core.quitRequested)
    }

    func testCompletion() throws {
        core.submit("volume = zeros([2, 2])\nfn train(model, epochs: 10, learning_rate: 0.1) { }")
        XCTAssertTrue(core.completions(line: "vol", cursor: 3).candidates.contains("volume"))
        XCTAssertEqual(core.completions(line: "volume.sh", cursor: 9).candidates, ["shape"])
        XCTAssertTrue(core.completions(line: "volume.", cursor: 7).candidates.contains("backward"))
        XCTAssertEqual(core.completions(line: "train(m, ep", cursor: 11).candidates, ["epochs:"])
        XCTAssertEqual(core.completions(line: "zeros([2], dt", cursor: 13).candidates, ["dtype:"])
        XCTAssertEqual(core.completions(line: ":sa", cursor: 3).candidates, ["save"])
        XCTAssertEqual(core.completions(line: "isclo", cursor: 5).candidates, ["isclose"], "prelude names complete before use")
        try "x".write(to: folder.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("tr_dir"), withIntermediateDirectories: true)
        let typed = "load(\"\(folder.path)/tr"
        let result = core.completions(line: typed, cursor: typed.count)
        XCTAssertEqual(result.word, "\(folder.path)/tr")
        XCTAssertEqual(result.candidates, ["\(folder.path)/tr_dir/", "\(folder.path)/train.csv"])
        let loadLine = ":load \(folder.path)/tra"
        XCTAssertEqual(core.completions(line: loadLine, cursor: loadLine.count).candidates, ["\(folder.path)/train.csv"],
                       ":load and :save complete paths")
    }

    func testEveryCellIsSavedForRecovery() throws {
        core.submit("a = 1")
        core.submit("b = a + 1")
        let files = Recovery.list(in: folder.appendingPathComponent("sessions"))
        XCTAssertEqual(files.count, 1)
        let notebook = try Notebook.read(files[0].path)
        XCTAssertEqual(notebook.cells.map(\.source), ["a = 1", "b = a + 1"])
    }
}
