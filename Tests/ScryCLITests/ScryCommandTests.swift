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

/// The GaNDLF commands, as a user types them.
extension ScryCommandTests {
    func testGaNDLFCommandsTrainInferAndManageConfigurations() throws {
        let commands = self
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scry-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = folder.appendingPathComponent("config.yaml").path
        let (newStatus, newOutput) = try commands.run(["config", "new", config])
        XCTAssertEqual(newStatus, 0, newOutput)
        var text = try String(contentsOfFile: config, encoding: .utf8)
        text = text.replacingOccurrences(of: "base_filters: 16", with: "base_filters: 4")
            .replacingOccurrences(of: "num_epochs: 20", with: "num_epochs: 1")
            .replacingOccurrences(of: "patch_size: [64, 64, 1]", with: "patch_size: [16, 16, 1]")
            .replacingOccurrences(of: "metrics: [dice, hd95, dice_per_label]", with: "metrics: [dice]")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let (checkStatus, check) = try commands.run(["config", "check", config])
        XCTAssertEqual(checkStatus, 0, check)
        XCTAssertTrue(check.contains("ok: unet in 2D, patch [16, 16]"), check)
        let bad = folder.appendingPathComponent("bad.yaml").path
        try text.replacingOccurrences(of: "patch_size: [16, 16, 1]", with: "patch_size: [20, 20, 1]").write(toFile: bad, atomically: true, encoding: .utf8)
        let (badStatus, badOutput) = try commands.run(["config", "check", bad])
        XCTAssertEqual(badStatus, 1)
        XCTAssertTrue(badOutput.contains("patch size [20, 20] does not suit unet: each side must be a multiple of 16 (nearest: [16, 16] or [32, 32])"), badOutput)

        let data = folder.appendingPathComponent("data").path
        let (makeStatus, made) = try commands.run(["-e", "phantom(n: 6, size: 32, classes: 2, seed: 1).write(\"\(data)\")"])
        XCTAssertEqual(makeStatus, 0, made)
        let model = folder.appendingPathComponent("model").path
        let (trainStatus, trained) = try commands.run(["run", "-c", config, "-i", data + "/data.csv", "-m", model, "--train"])
        XCTAssertEqual(trainStatus, 0, trained)
        XCTAssertTrue(trained.contains("epoch 1: train_loss"), trained)
        XCTAssertNotNil(trained.range(of: #"peak memory: \d+ MB"#, options: String.CompareOptions.regularExpression), trained)
        let (resumeStatus, resumed) = try commands.run(["run", "-c", config, "-i", data + "/data.csv", "-m", model, "--train", "--resume"])
        XCTAssertEqual(resumeStatus, 0, resumed)
        XCTAssertTrue(resumed.contains("resumed from \(model)/unet_latest.safetensors after epoch 1"), resumed)
        let predictions = folder.appendingPathComponent("pred").path
        let (inferStatus, inferred) = try commands.run(["run", "-c", config, "-i", data, "-m", model, "-o", predictions, "--infer"])
        XCTAssertEqual(inferStatus, 0, inferred)
        XCTAssertTrue(FileManager.default.fileExists(atPath: predictions + "/phantom_000_seg.nii.gz"), inferred)

        let split = folder.appendingPathComponent("split").path
        let (splitStatus, splitOutput) = try commands.run(["split-csv", "-i", data + "/data.csv", "-o", split, "-c", config])
        XCTAssertEqual(splitStatus, 0, splitOutput)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: split).sorted(), ["training_0.csv", "validation_0.csv"])
        let presplit = folder.appendingPathComponent("presplit").path
        let (presplitStatus, presplitOutput) = try commands.run(["run", "-c", config, "-i", split + "/training_0.csv", "-v", split + "/validation_0.csv",
                                                                 "-m", presplit, "--train"])
        XCTAssertEqual(presplitStatus, 0, presplitOutput)
        XCTAssertTrue(FileManager.default.fileExists(atPath: presplit + "/logs_validation.csv"), "-v: a validation CSV, pre-split")
        let recovered = folder.appendingPathComponent("recovered.yaml").path
        let (recoverStatus, recoverOutput) = try commands.run(["recover-config", "-m", model, "-o", recovered])
        XCTAssertEqual(recoverStatus, 0, recoverOutput)
        XCTAssertEqual(try String(contentsOfFile: recovered, encoding: .utf8), text)

        let pairs = folder.appendingPathComponent("pairs.csv").path
        try "SubjectID,Target,Prediction\nphantom_000,\(data)/phantom_000_label.png,\(predictions)/phantom_000_seg.nii.gz\n"
            .write(toFile: pairs, atomically: true, encoding: .utf8)
        let metrics = folder.appendingPathComponent("metrics.json").path
        let (metricStatus, metricOutput) = try commands.run(["generate-metrics", "-c", config, "-i", pairs, "-o", metrics])
        XCTAssertEqual(metricStatus, 0, metricOutput)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: metrics))) as? [String: [String: [String: Any]]]
        XCTAssertNotNil(json?["phantom_000"]?["1"]?["dice"] as? Double, metricOutput)
        let classifier = folder.appendingPathComponent("classifier.yaml").path
        try "model: {dimension: 2, architecture: vgg11, final_layer: softmax, base_filters: 4, class_list: [0, 1, 2], norm_type: batch}\nloss_function: cel\nmetrics: [accuracy]\npatch_size: [32, 32, 1]\n"
            .write(toFile: classifier, atomically: true, encoding: .utf8)
        let classes = folder.appendingPathComponent("classes.csv").path
        try "SubjectID,Target,Prediction\na,0,0\nb,1,2\nc,2,2\nd,1,1\n".write(toFile: classes, atomically: true, encoding: .utf8)
        let (classStatus, classOutput) = try commands.run(["generate-metrics", "-c", classifier, "-i", classes])
        XCTAssertEqual(classStatus, 0, classOutput)
        XCTAssertTrue(classOutput.contains("\"accuracy\": 0.75"), classOutput)

        let strategy = folder.appendingPathComponent("strategy.yaml").path
        try "learning_rate: [0.1, 0.01]\nmodel: {base_filters: [4, 8, 16]}\n".write(toFile: strategy, atomically: true, encoding: .utf8)
        let generated = folder.appendingPathComponent("generated").path
        let (generateStatus, generateOutput) = try commands.run(["config-generator", "-c", config, "-s", strategy, "-o", generated])
        XCTAssertEqual(generateStatus, 0, generateOutput)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: generated).count, 6, "every combination once")
        let (generatedStatus, generatedCheck) = try commands.run(["config", "check", generated + "/config_5.yaml"])
        XCTAssertEqual(generatedStatus, 0, generatedCheck)

        let channels = folder.appendingPathComponent("subjects").path
        for subject in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: channels + "/" + subject, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: data + "/phantom_000_channel_0.png", toPath: channels + "/\(subject)/\(subject)_t1.png")
        }
        let constructed = folder.appendingPathComponent("constructed.csv").path
        let (constructStatus, constructOutput) = try commands.run(["construct-csv", "-i", channels, "-c", "_t1", "-o", constructed])
        XCTAssertEqual(constructStatus, 0, constructOutput)
        XCTAssertTrue(try String(contentsOfFile: constructed, encoding: .utf8).hasPrefix("SubjectID,Channel_0"))
        let preprocessed = folder.appendingPathComponent("preprocessed").path
        let (preStatus, preOutput) = try commands.run(["preprocess", "-c", config, "-i", data + "/data.csv", "-o", preprocessed])
        XCTAssertEqual(preStatus, 0, preOutput)
        XCTAssertTrue(FileManager.default.fileExists(atPath: preprocessed + "/phantom_000/phantom_000_channel_0.nii.gz"), preOutput)
    }
}
