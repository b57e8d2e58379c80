import Foundation
import XCTest
import ScryData
import ScryLang
@testable import ScryRuntime
import ScryTensor

/// The trainer of stdlib/train.scry end to end on phantom data: a 2D U-Net and a classifier
/// reach their scores on held-out subjects; logs, checkpoints and predictions land where
/// GaNDLF puts them; resuming repeats the uninterrupted run exactly; a non-finite loss stops
/// training without touching the last checkpoint; early stopping, Ctrl-C, progress output,
/// memory and cross-validation behave as documented.
final class TrainerTests: XCTestCase {
    private var printed = ""
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try makeTemporaryFolder("scry-trainer")
        printed = ""
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
        Interrupt.clear()
    }

    private func session() -> Interpreter {
        let interpreter = Session.makeInterpreter()
        interpreter.write = { [unowned self] text in printed += text }
        interpreter.globals["out"] = .string(folder.path)
        return interpreter
    }

    private func run(_ interpreter: Interpreter, _ source: String) throws {
        _ = try interpreter.execute(source, name: "test")
    }

    private func number(_ interpreter: Interpreter, _ expression: String) throws -> Double {
        switch try interpreter.execute(expression, name: "value") {
        case .float(let f)?: return f
        case .int(let i)?: return Double(i)
        case let other: XCTFail("\(expression) is \(String(describing: other))"); return .nan
        }
    }

    private func text(_ interpreter: Interpreter, _ expression: String) throws -> String {
        try interpreter.execute(expression, name: "value")?.printed ?? "nil"
    }

    /// Done means: a 2D U-Net reaches a mean foreground Dice of at least 0.85 on held-out
    /// subjects; meanwhile its logs, checkpoints and predictions are checked.
    func testUNetSegmentsHeldOutPhantoms() throws {
        let s = session()
        try run(s, """
            seed(1)
            ds = phantom(n: 16, size: 64, classes: 2, seed: 1)
            parts = split(ds, train: 0.625, val: 0.125, test: 0.25)
            net = unet(dimension: 2, n_channels: 1, n_classes: 2, base_filters: 4)
            t = trainer(net, train: parts[0], val: parts[1], batch_size: 4, patch_size: [32, 32], lr: 3e-3,
                        metrics: ["dice", "hd95"], output: out + "/seg")
            loss = t.step()
            t.fit(epochs: 15)
            scores = evaluate(net, parts[2], metrics: ["dice_per_label", "hd95"])
            foreground = scores.rows[-1][2]
            masks = predict(net, parts[2], output: out + "/pred")
            """)
        XCTAssertGreaterThanOrEqual(try number(s, "foreground"), 0.85, "mean foreground Dice on held-out subjects")
        XCTAssertEqual(try text(s, "scores.columns"), "[\"subject_id\", \"dice_0\", \"dice_1\", \"hd95\"]")
        XCTAssertEqual(try text(s, "scores.rows[-1][0]"), "mean")
        XCTAssertEqual(try number(s, "t.epoch_no"), 15)
        XCTAssertEqual(try number(s, "len(t.history)"), 15)
        // One line per epoch when output is not a terminal.
        XCTAssertEqual(printed.split(separator: "\n").filter { $0.hasPrefix("epoch ") }.count, 15)
        XCTAssertTrue(printed.contains("epoch 1: train_loss "), printed)
        XCTAssertFalse(printed.contains("\r"))

        let logs = folder.appendingPathComponent("seg")
        let training = try String(contentsOf: logs.appendingPathComponent("logs_training.csv"), encoding: .utf8).split(separator: "\n")
        let validation = try String(contentsOf: logs.appendingPathComponent("logs_validation.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(training.first, "epoch_no,train_loss,train_dice,train_hd95")
        XCTAssertEqual(validation.first, "epoch_no,val_loss,val_dice,val_hd95")
        XCTAssertEqual(training.count, 16)
        XCTAssertEqual(validation.count, 16)
        XCTAssertTrue(validation[15].hasPrefix("14,"), "epoch_no counts from 0, as in GaNDLF")
        for which in ["initial", "latest", "best"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: logs.appendingPathComponent("unet_\(which).safetensors").path), which)
        }
        // The best checkpoint holds the epoch with the lowest validation loss.
        try run(s, """
            check = trainer(unet(dimension: 2, n_channels: 1, n_classes: 2, base_filters: 4), train: parts[0], val: parts[1])
            check.resume(out + "/seg/unet_best.safetensors")
            """)
        XCTAssertEqual(try text(s, "check.epoch_no == t.best_epoch and check.best == t.best"), "true")
        // Predictions are NIfTI label maps with their input's geometry, named by SubjectID.
        try run(s, """
            first = parts[2][0]
            written = load(out + "/pred/" + first.id + "_seg.nii.gz")
            """)
        XCTAssertEqual(try text(s, "written.shape == first.image.shape and written.spacing == first.image.spacing"), "true")
        XCTAssertEqual(try number(s, "(written.data - masks[0].data).abs().max().item()"), 0)
    }

    /// Done means: a classifier reaches a balanced accuracy of at least 0.9 on held-out subjects.
    func testClassifierSeparatesHeldOutPhantoms() throws {
        let s = session()
        try run(s, """
            seed(1)
            ds = phantom(n: 80, size: 32, classes: 2, task: "classification", seed: 5)
            parts = split(ds, train: 0.7, val: 0.0, test: 0.3, stratify: true)
            net = vgg11(dimension: 2, n_channels: 1, n_classes: 2, base_filters: 8, final_layer: "none")
            t = trainer(net, train: parts[0], batch_size: 8, lr: 2e-4, metrics: ["accuracy"])
            t.fit(epochs: 10)
            scores = evaluate(net, parts[2], metrics: ["balanced_accuracy", "auroc"])
            table_of_predictions = predict(net, parts[2])
            """)
        XCTAssertEqual(try text(s, "t.task"), "classification")
        XCTAssertGreaterThanOrEqual(try number(s, "scores.rows[-1][3]"), 0.9, "balanced accuracy on held-out subjects")
        XCTAssertEqual(try text(s, "table_of_predictions.columns"), "[\"subject_id\", \"probability_0\", \"probability_1\", \"prediction\"]")
    }

    /// A small segmentation set-up the other tests share: 8 subjects of 32², a U-Net of width 4.
    private let small = """
        seed(1)
        ds = phantom(n: 8, size: 32, classes: 2, seed: 4)
        parts = split(ds, train: 0.75, val: 0.25, test: 0.0)
        fn small_trainer(folder, lr: 3e-3) {
            net = unet(dimension: 2, n_channels: 1, n_classes: 2, base_filters: 4)
            return trainer(net, train: parts[0], val: parts[1], batch_size: 2, patch_size: [16, 16], lr: lr,
                           metrics: ["dice"], output: folder, seed: 7)
        }

        """

    /// lr_find and batch_size_find (GaNDLF's auto_lr_find and auto_batch_size_find) train trial
    /// batches, then leave the trainer exactly as it was (the run that follows has the history
    /// of one that never tuned), keeping only the setting found.
    func testTuningRestoresTheTrainerAndKeepsWhatItFound() throws {
        let s = session()
        try run(s, small + """
            seed(11)
            a = small_trainer(out + "/a")
            found = a.lr_find(steps: 30, apply: false)
            a.fit(epochs: 2)
            seed(11)
            b = small_trainer(out + "/b")
            b.fit(epochs: 2)
            c = small_trainer(out + "/c")
            suggested = c.lr_find(steps: 30)["suggestion"]
            d = small_trainer(out + "/d")
            kept = d.batch_size_find(memory_mb: 1)
            e = small_trainer(out + "/e")
            grown = e.batch_size_find()
            e.fit(epochs: 1)
            f = small_trainer(out + "/f")
            f.resume(out + "/e/unet_latest.safetensors")
            """)
        let histories = try text(s, "[a.records, b.records]")
        XCTAssertEqual(try text(s, "a.records == b.records"), "true", histories)
        XCTAssertEqual(try text(s, "a.optimizer.lr"), "0.003", "apply: false keeps the rate")
        XCTAssertEqual(try text(s, "len(found[\"lr\"]) == len(found[\"loss\"]) and found[\"lr\"][0] == 1e-8 and found[\"lr\"] == sorted(found[\"lr\"])"), "true")
        let suggestion = try number(s, "suggested")
        XCTAssertTrue((1e-8...1).contains(suggestion), "\(suggestion)")
        XCTAssertEqual(try number(s, "c.optimizer.lr"), suggestion)
        XCTAssertEqual(try number(s, "c.step_no"), 0)
        XCTAssertEqual(try text(s, "[kept[\"batch_size\"], d.batch_size, len(kept[\"tried\"])]"), "[2, 2, 1]", "a memory budget the first trial outgrows stops at 2")
        XCTAssertEqual(try text(s, "[grown[\"batch_size\"], e.batch_size, len(e.loader), e.epoch_no]"), "[8, 8, 1, 1]",
                       "sizes double from 2 until they hold the 6 training samples")
        XCTAssertTrue(printed.contains("batch_size_find: batch size 8"))
        XCTAssertEqual(try text(s, "[f.batch_size, f.loader.batch_size, f.epoch_no]"), "[8, 8, 1]", "a resumed run keeps the size it was tuned to")
        XCTAssertThrowsError(try run(s, "e.lr_find()")) { XCTAssertTrue("\($0)".contains("runs before training"), "\($0)") }
    }

    /// Resuming from an epoch's checkpoint gives the history of the uninterrupted run.
    func testResumeRepeatsTheUninterruptedRun() throws {
        let s = session()
        try run(s, small + """
            a = small_trainer(out + "/a")
            a.fit(epochs: 2)
            a.save(out + "/after2.safetensors")
            a.step()
            a.save(out + "/inside3.safetensors")
            a.fit(epochs: 5)
            b = small_trainer(out + "/b")
            b.resume(out + "/after2.safetensors")
            resumed_at = b.epoch_no
            b.fit(epochs: 5)
            c = small_trainer(out + "/c")
            c.resume(out + "/inside3.safetensors")
            resumed_inside = [c.epoch_no, c.batch_no]
            c.fit(epochs: 5)
            """)
        XCTAssertEqual(try number(s, "resumed_at"), 2)
        XCTAssertEqual(try text(s, "resumed_inside"), "[2, 1]", "a checkpoint saved inside an epoch resumes at its batch")
        XCTAssertEqual(try text(s, "a.records == c.records"), "true")
        XCTAssertEqual(try text(s, "len(b.records)"), "5")
        let histories = try text(s, "[a.records, b.records]")
        XCTAssertEqual(try text(s, "a.records == b.records"), "true", histories)
        XCTAssertEqual(try text(s, "a.best_epoch == b.best_epoch"), "true")
    }

    func testNonFiniteLossStopsTrainingAndKeepsTheLastCheckpoint() throws {
        let s = session()
        try run(s, small + """
            t = small_trainer(out + "/nan")
            t.epoch()
            """)
        let latest = folder.appendingPathComponent("nan/unet_latest.safetensors")
        let before = try Data(contentsOf: latest)
        try run(s, """
            weights_before = t.model.state_dict()
            t.loss = fn(p, y) => loss("dc")(p, y) * float("nan")
            message = ""
            try { t.epoch() } catch e { message = e.message }
            unchanged = true
            for name, w in t.model.state_dict() {
                # Batch norm's running statistics follow every forward pass; the weights must not move.
                if not ("running" in name or "num_batches" in name) and (w - weights_before[name]).abs().max().item() != 0 { unchanged = false }
            }
            """)
        XCTAssertEqual(try text(s, "message"), "training stopped: non-finite loss nan at epoch 2, batch 1; the model was not updated and the last checkpoint is intact")
        XCTAssertEqual(try text(s, "unchanged"), "true")
        XCTAssertEqual(try Data(contentsOf: latest), before)
        XCTAssertEqual(try number(s, "len(t.records)"), 1)
    }

    func testEarlyStoppingOnValidationLoss() throws {
        let s = session()
        try run(s, small + """
            t = small_trainer(nil, lr: 0)
            t.fit(epochs: 30, patience: 2)
            """)
        // lr 0 leaves only batch norm's statistics moving: the validation loss soon stalls.
        let stopped = try number(s, "t.epoch_no"), best = try number(s, "t.best_epoch")
        XCTAssertLessThan(stopped, 30)
        XCTAssertEqual(stopped, best + 3, "GaNDLF stops once more than patience epochs pass without improvement")
        let bestLoss = String(format: "%.4f", try number(s, "t.best"))
        XCTAssertEqual(try text(s, "t.stopped"),
                       "early stopping at epoch \(Int(stopped)): val_loss has not improved for 3 epochs (best \(bestLoss) at epoch \(Int(best)))")
        XCTAssertEqual(try text(s, "t.best == min(trainer_column(t, \"val_loss\"))"), "true")
    }

    /// Early stopping and the best checkpoint can follow a chosen metric; a score improves upwards.
    func testBestEpochFollowsAChosenMetric() throws {
        let s = session()
        try run(s, small + """
            net = unet(dimension: 2, n_channels: 1, n_classes: 2, base_filters: 4)
            t = trainer(net, train: parts[0], val: parts[1], batch_size: 2, patch_size: [16, 16], lr: 3e-3, metrics: ["dice"],
                        monitor: "val_dice", seed: 7)
            t.fit(epochs: 4)
            dice = trainer_column(t, "val_dice")
            """)
        XCTAssertEqual(try text(s, "t.best == max(dice)"), "true")
        XCTAssertEqual(try text(s, "dice[t.best_epoch - 1] == max(dice)"), "true")
    }

    /// Ctrl-C stops at the next batch boundary; the model, history and trainer stay usable.
    func testInterruptLeavesTheTrainerUsable() throws {
        let s = session()
        s.register(NativeFunction("request_interrupt", doc: "Acts as Ctrl-C.") { _ in Interrupt.request(); return .nil })
        try run(s, small + """
            t = small_trainer(nil)
            t.fit(epochs: 1)
            dc = t.loss
            calls = {"n": 0}
            fn interrupting(p, y) {
                calls["n"] += 1
                if calls["n"] == 2 { request_interrupt() }
                return dc(p, y)
            }
            t.loss = interrupting
            """)
        XCTAssertThrowsError(try run(s, "t.fit(epochs: 3)")) { error in
            XCTAssertEqual((error as? ScryError)?.name, .interrupted)
        }
        Interrupt.clear()
        XCTAssertEqual(try number(s, "len(t.records)"), 1)
        XCTAssertEqual(try number(s, "t.batch_no"), 2, "stopped inside the second epoch, after its second batch")
        try run(s, """
            t.loss = dc
            t.fit(epochs: 3)
            """)
        XCTAssertEqual(try number(s, "len(t.history)"), 3)
        XCTAssertEqual(try text(s, "t.history.columns"), "[\"epoch_no\", \"train_loss\", \"train_dice\", \"val_loss\", \"val_dice\", \"learning_rate\"]")
    }

    func testStepsProgressAndPlot() throws {
        let s = session()
        var status = ""
        s.status = { status += $0 }
        try run(s, small + """
            t = small_trainer(nil)
            first = t.step()
            second = t.step()
            record = t.epoch()
            curves = t.plot()
            """)
        XCTAssertEqual(try text(s, "type(first)"), "float")
        XCTAssertEqual(try text(s, "record[\"epoch_no\"]"), "1")
        XCTAssertEqual(try text(s, "t.batch_no"), "0")
        XCTAssertEqual(try text(s, "type(curves)"), "picture")
        XCTAssertTrue(status.contains("epoch 1"), status)
        XCTAssertTrue(status.contains("3/3"), status)
        XCTAssertTrue(status.contains("it/s"), status)
        XCTAssertTrue(status.contains("ETA 0:00"), status)
        XCTAssertTrue(status.contains("loss 0."), status)
        XCTAssertTrue(printed.contains("epoch 1: train_loss"), printed)
        XCTAssertFalse(printed.contains("it/s"), "the bar never goes into recorded output")
        XCTAssertThrowsError(try run(s, "t.fit = 3"))
    }

    /// Resident memory after the first epoch grows less than 10% over ten more.
    func testMemoryStaysFlatAcrossEpochs() throws {
        let s = session()
        try run(s, small + """
            t = small_trainer(out + "/memory")
            t.fit(epochs: 1)
            """)
        let after1 = MemoryBindings.statusMB("VmRSS")
        try run(s, "t.fit(epochs: 11)")
        let after11 = MemoryBindings.statusMB("VmRSS")
        XCTAssertLessThan(after11, after1 * 1.1, "resident memory \(after1) MB after one epoch, \(after11) MB after eleven")
        // The data cache keeps to its limit while training reads every subject each epoch.
        try run(s, """
            train_data = parts[0]
            before_limit = train_data.cached_mb
            train_data.cache_limit = 0.01
            t.fit(epochs: 12)
            """)
        XCTAssertGreaterThan(try number(s, "before_limit"), 0.01)
        XCTAssertLessThanOrEqual(try number(s, "train_data.cached_mb"), 0.01 + 32 * 32 * 8 / 1_048_576, "at most the limit, or the one subject just read")
    }

    func testCrossValidateSummarisesEachFold() throws {
        let s = session()
        try run(s, small + """
            make = fn() => unet(dimension: 2, n_channels: 1, n_classes: 2, base_filters: 4)
            summary = cross_validate(make, ds, testing: -4, validation: 3, epochs: 1, batch_size: 2, patch_size: [16, 16],
                                     metrics: ["dice"], output: out + "/cv")
            """)
        XCTAssertEqual(try text(s, "summary.columns"), "[\"fold\", \"train\", \"scored_on\", \"subjects\", \"epochs\", \"loss\", \"dice\"]")
        XCTAssertEqual(try text(s, "summary.rows[0][0] + summary.rows[3][0] + summary.rows[4][0]"), "0.0meanstd")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("cv/testing_0/2/logs_training.csv").path))
    }
}
