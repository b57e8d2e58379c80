import Foundation
import XCTest
@testable import ScryNotebook
@testable import ScryShell
@testable import ScryVision

/// Pictures and tables: as values, in notebooks (display_data with image/png) and in the shell.
final class DisplayValueTests: XCTestCase {
    func testPicturesBecomeDisplayDataAndDecodeBack() throws {
        let session = NotebookSession()
        let outputs = session.run("img = show(arange(6).reshape([3, 2]), title: \"ramp\")\nimg")
        guard case let .displayData(data, _)? = outputs.first else { return XCTFail("expected display_data, got \(outputs)") }
        XCTAssertEqual(data["text/plain"], "<picture 3×2 \"ramp\">")
        let picture = try Picture(png: try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(data["image/png"]))))
        XCTAssertEqual(picture.width, 3)
        XCTAssertEqual(picture.height, 2)
        XCTAssertTrue(picture.pixel(0, 0) == (0, 0, 0))
        XCTAssertTrue(picture.pixel(2, 1) == (255, 255, 255))
        XCTAssertEqual(session.run("_.width"), [.executeResult(executionCount: 2, data: ["text/plain": "3"], metadata: .object([:]))],
                       "_ holds the last result")
    }

    func testSavingPicturesAndTables() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scry-display-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let session = NotebookSession()
        let png = folder.appendingPathComponent("x.png").path, csv = folder.appendingPathComponent("t.csv").path
        XCTAssertEqual(session.run("""
            save(show(eye(4)), "\(png)")
            t = table({"subject": ["s1", "s \\"2\\""], "dice": [0.9, 0.85]})
            save(table({"note": ["a\\r\\nb"]}), "\(csv).crlf")
            t.to_csv("\(csv)")
            print(t)
            print(len(t), t["dice"], t[1])
            """), [.stream(name: "stdout", text: "subject  dice\n───────  ────\ns1        0.9\ns \"2\"    0.85\n2 [0.9, 0.85] [\"s \\\"2\\\"\", 0.85]\n")])
        let picture = try Picture(png: try Data(contentsOf: URL(fileURLWithPath: png)))
        XCTAssertTrue(picture.pixel(1, 1) == (255, 255, 255))
        XCTAssertTrue(picture.pixel(1, 0) == (0, 0, 0))
        XCTAssertEqual(try String(contentsOfFile: csv, encoding: .utf8), "subject,dice\ns1,0.9\n\"s \"\"2\"\"\",0.85\n")
        XCTAssertEqual(try String(contentsOfFile: csv + ".crlf", encoding: .utf8), "note\n\"a\r\nb\"\n", "a CRLF inside a field is quoted")
        guard case .error(let name, let value, _)? = session.run("save(show(eye(2)), \"x.jpg\")").first else { return XCTFail() }
        XCTAssertEqual(name, "ValueError")
        XCTAssertTrue(value.contains("ending in .png"), value)
        guard case .error(_, let message, _)? = session.run("table({\"a\": [1], \"b\": [1, 2]})").first else { return XCTFail() }
        XCTAssertEqual(message, "table(): column \"b\" has 2 values, the first has 1")
    }

    func testShellShowsPicturesInlineOrAsFiles() throws {
        let bundle = ["image/png": try Picture(width: 2, height: 2).png().base64EncodedString(), "text/plain": "<picture 2×2>"]
        XCTAssertTrue(ShellDisplay.picture(bundle, cell: 1, environment: ["TERM": "xterm-kitty"]).hasPrefix("\u{1B}_Ga=T,f=100,m=0;"))
        XCTAssertTrue(ShellDisplay.picture(bundle, cell: 1, environment: ["TERM_PROGRAM": "iTerm.app"]).hasPrefix("\u{1B}]1337;File=inline=1;"))
        let plain = ShellDisplay.picture(bundle, cell: 7, environment: [:])
        XCTAssertTrue(plain.hasPrefix("<picture 2×2> saved as "), plain)
        XCTAssertTrue(plain.contains("cell-7.png ("), plain)
    }

    func testAModuleShowsItsLayerTable() throws {
        let session = NotebookSession()
        _ = session.run("seed(0)\nnet = sequential(conv(1, 2, 3, padding: 1), relu(), global_avgpool(), linear(2, 3))\nnet(zeros([1, 1, 5, 5]));")
        guard case let .executeResult(_, data, _)? = session.run("net").first else { return XCTFail("expected a result") }
        XCTAssertEqual(data["text/plain"], """
            layer         type           output shape  parameters
            ────────────  ─────────────  ────────────  ──────────
            (Sequential)  Sequential     [1, 3]                 —
            0             Conv2d         [1, 2, 5, 5]          20
            1             ReLU           [1, 2, 5, 5]           0
            2             GlobalAvgPool  [1, 2]                 0
            3             Linear         [1, 3]                 9
            total parameters: 29 (trainable: 29), training mode
            """)
    }

    func testADatasetShowsItsSummary() throws {
        let session = NotebookSession()
        guard case let .executeResult(_, data, _)? = session.run("phantom(n: 3, size: 16, task: \"classification\", classes: 2, seed: 1)").first else {
            return XCTFail("expected a result")
        }
        let text = try XCTUnwrap(data["text/plain"])
        XCTAssertTrue(text.hasPrefix("<dataset: 3 subjects from phantom>\nsubjects: 3\nchannels: Channel_0\nshape: [16, 16]\nspacing: [1, 1]\nintensity: "), text)
        XCTAssertTrue(text.contains("\nvalues: "), text)
        guard case let .executeResult(_, demo, _)? = session.run("demo").first else { return XCTFail("expected the demo dataset") }
        XCTAssertTrue(demo["text/plain"]!.contains("label classes (voxels): 0: "), demo["text/plain"]!)
    }
}
