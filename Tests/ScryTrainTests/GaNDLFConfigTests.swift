import Foundation
import XCTest
import ScryData
import ScryLang
@testable import ScryRuntime
import ScryTensor

/// GaNDLF configurations: GaNDLF's own sample configurations load; values are checked with
/// errors naming file, line, column, key, value and what is allowed; GaNDLF's syntax (class
/// unions, 2D patch sizes, metrics with options) is read as GaNDLF reads it; a configuration
/// trains fold by fold in GaNDLF's layout and infers with post-processing and attention maps.
final class GaNDLFConfigTests: XCTestCase {
    nonisolated(unsafe) static let zoo = try! GaNDLFConfig.zooArchitectures(Session.makeInterpreter())
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/gandlf-samples")
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try makeTemporaryFolder("scry-gandlf")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func write(_ name: String, _ text: String) throws -> String { try writeFile(name, text, in: folder) }

    private func field(_ config: Value, _ path: String) -> Value? {
        var current: Value? = config
        for part in path.split(separator: ".") {
            guard case .dict(let dict)? = current else { return nil }
            current = dict[.string(String(part))]
        }
        return current
    }

    static let minimal = """
        model:
          dimension: 2
          architecture: unet
          final_layer: softmax
          base_filters: 4
          norm_type: batch
          class_list: [0, 1]
        modality: rad
        loss_function: dc
        metrics: [dice]
        patch_size: [32, 32, 1]
        nested_training: {testing: 1, validation: -3}

        """

    func testGaNDLFSampleConfigurationsLoad() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.samples.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 9)
        for file in files {
            let (config, warnings) = try GaNDLFConfig.read(Self.samples.appendingPathComponent(file).path, architectures: Self.zoo)
            XCTAssertNotNil(field(config, "model.architecture"), file)
            XCTAssertTrue(warnings.allSatisfy { $0.contains("does not apply here") || $0.contains("unknown keys") || $0.contains("not applied by Scry yet") },
                          "\(file): \(warnings)")
        }
        let (all, warnings) = try GaNDLFConfig.read(Self.samples.appendingPathComponent("config_all_options.yaml").path, architectures: Self.zoo)
        XCTAssertEqual(field(all, "patch_size")?.printed, "[144, 144, 64]")
        XCTAssertEqual(field(all, "nested_training.testing")?.printed, "5")
        XCTAssertTrue(warnings.contains { $0.hasSuffix("precision does not apply here: Scry trains in float32 on the CPU") }, "\(warnings)")
        XCTAssertEqual(warnings.filter { $0.contains("precision does not apply") }.count, 1, "each inapplicable key is reported once")
        let (histology, histologyWarnings) = try GaNDLFConfig.read(Self.samples.appendingPathComponent("config_segmentation_histology.yaml").path, architectures: Self.zoo)
        XCTAssertEqual(field(histology, "modality")?.printed, "path")
        XCTAssertFalse(histologyWarnings.contains { $0.contains("modality") }, "whole-slide inference is applied: \(histologyWarnings)")
        XCTAssertEqual(field(histology, "stride_size")?.printed, "[256, 256]")
        XCTAssertEqual(field(histology, "slide_level")?.printed, "2")
        XCTAssertEqual(field(histology, "mask_level")?.printed, "2", "mask_level defaults to slide_level")
        XCTAssertEqual(field(histology, "blending_alpha")?.printed, "0.5")
        let (brats, _) = try GaNDLFConfig.read(Self.samples.appendingPathComponent("config_segmentation_brats.yaml").path, architectures: Self.zoo)
        XCTAssertEqual(field(brats, "model.class_list")?.printed, "[\"1||2||4\", \"1||4\", 4]", "GaNDLF's class unions")
        // GaNDLF itself refuses clip_mode: null, which its getting-started samples write.
        let (started, _) = try GaNDLFConfig.read(Self.samples.appendingPathComponent("config_getting_started_segmentation_rad3d.yaml").path, architectures: Self.zoo)
        XCTAssertEqual(field(started, "clip_mode")?.printed, "norm")
    }

    func testInvalidValuesNameFileLineKeyValueAndWhatIsAllowed() throws {
        let cases: [(String, String, String)] = [
            ("norm_type: batch", "norm_type: layer", "bad.yaml:6:14: model.norm_type is layer; allowed: batch, instance, group, none"),
            ("loss_function: dc", "loss_function: dice_loss", "bad.yaml:9:16: loss_function is dice_loss; allowed: dc, dice,"),
            ("patch_size: [32, 32, 1]", "patch_size: [32, -4]", "bad.yaml:11:13: patch_size is [32, -4]; allowed: a positive integer or a list of 2 or 3"),
            ("nested_training: {testing: 1, validation: -3}", "nested_training: {testing: 0, validation: -3}",
             "bad.yaml:12:28: nested_training.testing is 0; allowed: a non-zero fold count"),
            ("architecture: unet", "architecture: unet9", "bad.yaml:3:17: model.architecture is unet9; allowed:"),
            ("modality: rad", "modality: histo\nstride_size: [0, 8]", "bad.yaml:9:14: stride_size is [0, 8]; allowed: a positive integer or a list of 2 or 3"),
            ("modality: rad", "modality: histo\nslide_level: -1", "bad.yaml:9:14: slide_level is -1; allowed: an integer of at least 0"),
            ("modality: rad", "modality: histo\nblending_alpha: 1.5", "bad.yaml:9:17: blending_alpha is 1.5; allowed: a number from 0 to 1"),
        ]
        for (good, bad, message) in cases {
            let path = try write("bad.yaml", Self.minimal.replacingOccurrences(of: "  " + good, with: "  " + bad)
                .replacingOccurrences(of: "\n" + good, with: "\n" + bad))
            XCTAssertThrowsError(try GaNDLFConfig.read(path, architectures: Self.zoo), bad) { error in
                let text = (error as? ScryError)?.message ?? "\(error)"
                XCTAssertTrue(text.hasPrefix(self.folder.path + "/" + message), "\(bad): \(text)")
            }
        }
        let broken = try write("broken.yaml", "model: [unet\nloss_function: dc\n")
        XCTAssertThrowsError(try GaNDLFConfig.read(broken, architectures: Self.zoo)) { error in
            XCTAssertTrue(((error as? ScryError)?.message ?? "").contains("broken.yaml: line 2"), "\(error)")
        }
        let missing = try write("missing.yaml", "model: {architecture: unet, final_layer: softmax, dimension: 2}\nloss_function: dc\n")
        XCTAssertThrowsError(try GaNDLFConfig.read(missing, architectures: Self.zoo)) { error in
            XCTAssertTrue(((error as? ScryError)?.message ?? "").hasSuffix("the required key patch_size is missing"), "\(error)")
        }
    }

    func testGaNDLFSyntaxIsReadAsGaNDLFReadsIt() throws {
        let text = Self.minimal
            .replacingOccurrences(of: "metrics: [dice]", with: "metrics:\n  dice:\n  f1: {average: macro}\n  hd95:")
            .replacingOccurrences(of: "patch_size: [32, 32, 1]", with: "patch_size: 64")
            .replacingOccurrences(of: "  dimension: 2\n", with: "  dimension:\n")
            .replacingOccurrences(of: "class_list: [0, 1]", with: "class_list: '[0,1||2]'")
            + "opt: sgd\nversion: {minimum: 9.9.9, maximum: 9.9.9}\ntypo_key: 1\nstrategy: ddp\n"
        let (config, warnings) = try GaNDLFConfig.read(try write("syntax.yaml", text), architectures: Self.zoo)
        XCTAssertEqual(field(config, "metrics")?.printed, "[\"dice\", \"f1_macro\", \"hd95\"]")
        XCTAssertEqual(field(config, "patch_size")?.printed, "[64, 64, 64]")
        XCTAssertEqual(field(config, "model.dimension")?.printed, "3", "found from the patch size")
        XCTAssertEqual(field(config, "model.class_list")?.printed, "[0, \"1||2\"]")
        XCTAssertEqual(field(config, "optimizer")?.printed, "sgd", "opt is read as optimizer")
        XCTAssertEqual(field(config, "version.minimum")?.printed, "9.9.9", "a version range is read, never enforced")
        XCTAssertEqual(field(config, "patience")?.printed, "100")
        XCTAssertEqual(field(config, "scheduler")?.printed, "triangle_modified")
        XCTAssertTrue(warnings.contains { $0.hasSuffix("unknown keys, ignored: typo_key") }, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.hasSuffix("strategy does not apply here: Scry runs on the CPU in one process") }, "\(warnings)")
        let enabled = try GaNDLFConfig.read(try write("medcam.yaml", Self.minimal + "medcam_enabled: true\n"), architectures: Self.zoo).config
        XCTAssertEqual(field(enabled, "medcam")?.printed, "{\"backend\": \"gcam\", \"layer\": \"auto\"}", "medcam_enabled alone asks for medcam's defaults")
        let padded = try GaNDLFConfig.read(try write("padded.yaml", Self.minimal + "enable_padding: true\n"), architectures: Self.zoo).config
        XCTAssertEqual(field(padded, "patch_sampler")?.printed, "{\"type\": \"uniform\", \"enable_padding\": true, \"padding_mode\": \"symmetric\", \"biased_sampling\": false}",
                       "the top-level enable_padding of GaNDLF's config_all_options pads, mirrored by default")
        XCTAssertThrowsError(try GaNDLFConfig.read(try write("mode.yaml", Self.minimal + "patch_sampler: {padding_mode: mirror}\n"), architectures: Self.zoo)) {
            XCTAssertTrue("\($0)".contains("patch_sampler.padding_mode is mirror; allowed: symmetric, reflect, edge, constant, wrap"), "\($0)")
        }
    }

    /// stain_normalization (and GaNDLF 0.1.0's stain_normalizer) needs a target and takes one of
    /// three extractors.
    func testStainNormalizationNeedsATargetAndAKnownExtractor() throws {
        let given = try write("stain.yaml", Self.minimal + "data_preprocessing:\n  stain_normalization: {target: t.png, extractor: Macenko}\n")
        XCTAssertEqual(field(try GaNDLFConfig.read(given, architectures: Self.zoo).config, "data_preprocessing.stain_normalization.extractor")?.printed, "macenko")
        let old = try write("old.yaml", Self.minimal + "data_preprocessing:\n  stain_normalizer: {target: t.png}\n")
        XCTAssertEqual(field(try GaNDLFConfig.read(old, architectures: Self.zoo).config, "data_preprocessing.stain_normalizer.extractor")?.printed, "ruifrok",
                       "GaNDLF 0.1.0's key, with the default extractor")
        let cases = [("{extractor: macenko}", "the required key data_preprocessing.stain_normalization.target is missing"),
                     ("{target: t.png, extractor: reinhard}", "data_preprocessing.stain_normalization.extractor is reinhard; allowed: ruifrok, macenko, vahadane")]
        for (options, message) in cases {
            let path = try write("bad.yaml", Self.minimal + "data_preprocessing:\n  stain_normalization: \(options)\n")
            XCTAssertThrowsError(try GaNDLFConfig.read(path, architectures: Self.zoo), options) { error in
                XCTAssertTrue(((error as? ScryError)?.message ?? "").contains(message), "\(error)")
            }
        }
    }

    /// A configuration end to end in a session: nested folds in GaNDLF's layout, then
    /// inference with post-processing and Grad-CAM attention maps, each with its input's geometry.
    func testConfigurationTrainsFoldByFoldAndInfers() throws {
        let interpreter = Session.makeInterpreter()
        var printed = ""
        interpreter.write = { printed += $0 }
        let config = try write("seg.yaml", Self.minimal
            .replacingOccurrences(of: "nested_training: {testing: 1, validation: -3}", with: "nested_training: {testing: 2, validation: 2}")
            + "num_epochs: 2\nbatch_size: 2\nlearning_rate: 0.003\ndata_preprocessing: {normalize: }\n"
            + "data_augmentation: {flip: {axis: [0, 1]}}\ndata_postprocessing: {fill_holes: , cca: }\nmedcam: {backend: gcam, layer: auto}\n")
        interpreter.globals["config"] = .string(config)
        interpreter.globals["out"] = .string(folder.path)
        _ = try interpreter.execute("""
            seed(1)
            csv = phantom(n: 8, size: 32, classes: 2, seed: 2).write(out + "/data")
            trainers = gandlf_train(config, csv, out + "/model")
            masks = gandlf_infer(config, csv, out + "/model", output: out + "/pred")
            t = trainer(config: config, data: csv)
            mask = load(out + "/pred/phantom_003_seg.nii.gz")
            attention = load(out + "/pred/attention_maps/gcam/phantom_003.nii.gz")
            source = dataset(csv)[3].image
            """, name: "gandlf")
        XCTAssertEqual(try interpreter.execute("len(trainers)", name: "n")?.printed, "4", "2 testing × 2 validation folds")
        let model = folder.appendingPathComponent("model")
        for fold in ["testing_0/0", "testing_0/1", "testing_1/0", "testing_1/1"] {
            for file in ["logs_training.csv", "logs_validation.csv", "logs_test.csv", "unet_best.safetensors", "unet_latest.safetensors"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: model.appendingPathComponent("\(fold)/\(file)").path), "\(fold)/\(file)")
            }
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: model.appendingPathComponent("config.yaml").path))
        XCTAssertEqual(try interpreter.execute("mask.shape == source.shape and mask.spacing == source.spacing and attention.shape == source.shape", name: "g")?.printed, "true")
        XCTAssertEqual(try interpreter.execute("type(t) + \" \" + t.task + \" \" + str(t.patch_size)", name: "t")?.printed, "trainer segmentation [32, 32]")
        XCTAssertTrue(printed.contains("predictions for 8 subjects"), printed)
    }

    /// Keys GaNDLF parses, each doing what it says: ignore_label_validation, save_at_every_epoch,
    /// save_output, track_memory_usage, print_summary, verbose; and a classification run from
    /// a CSV with ValueToPredict to predictions.csv.
    func testConfigurationOptionsTakeEffect() throws {
        let interpreter = Session.makeInterpreter()
        var printed = ""
        interpreter.write = { printed += $0 }
        let segmentation = try write("options.yaml", Self.minimal.replacingOccurrences(of: "  norm_type: batch\n", with: "  norm_type: batch\n  ignore_label_validation: 0\n  save_at_every_epoch: true\n")
            .replacingOccurrences(of: "nested_training: {testing: 1, validation: -3}", with: "nested_training: {testing: -3, validation: -2}")
            .replacingOccurrences(of: "metrics: [dice]", with: "metrics: [dice, dice_per_label]")
            + "num_epochs: 2\nbatch_size: 2\nsave_output: true\ntrack_memory_usage: true\nverbose: true\nsave_training: true\n"
            + "q_max_length: 5\nq_verbose: true\ndeterminism: true\nauto_lr_find: true\n"
            + "headers: {subjectIDHeader: 0, channelHeaders: [1], labelHeader: 2}\n"
            + "weighted_loss: true\nclip_grad: 0.5\nclip_mode: value\ndata_augmentation: {default_probability: 0.25, flip: {axis: [0]}}\n"
            + "patch_sampler: {type: label, enable_padding: true, biased_sampling: true}\n"
            + "inference_mechanism: {grid_aggregator_overlap: average, patch_overlap: 8}\n")
        let classification = try write("classify.yaml", """
            model: {dimension: 2, architecture: vgg11, final_layer: softmax, base_filters: 4, class_list: [0, 1], norm_type: batch}
            modality: rad
            loss_function: cel
            metrics: {accuracy: , f1: {average: macro}}
            patch_size: [32, 32, 1]
            num_epochs: 1
            batch_size: 4
            learning_rate: 0.0002
            nested_training: {testing: 1, validation: -4}
            auto_batch_size_find: true
            patch_sampler: {enable_padding: true, padding_mode: edge}

            """)
        interpreter.globals["segmentation"] = .string(segmentation)
        interpreter.globals["classification"] = .string(classification)
        interpreter.globals["out"] = .string(folder.path)
        _ = try interpreter.execute("""
            seed(1)
            csv = phantom(n: 6, size: 32, classes: 2, seed: 2).write(out + "/seg-data")
            t = gandlf_train(segmentation, csv, out + "/seg")[0]
            first = t.records[0]
            classes = phantom(n: 8, size: 32, classes: 2, task: "classification", seed: 3).write(out + "/cls-data")
            c = gandlf_train(classification, classes, out + "/cls")[0]
            table_of_predictions = gandlf_infer(classification, classes, out + "/cls", output: out + "/cls-pred")
            """, name: "options")
        XCTAssertEqual(try interpreter.execute("first[\"train_dice\"] == first[\"train_dice_1\"] and first[\"val_dice\"] == first[\"val_dice_1\"]", name: "i")?.printed,
                       "true", "ignore_label_validation: 0 leaves class 0 out of the means")
        let seg = folder.appendingPathComponent("seg")
        for file in ["unet_epoch_1.safetensors", "unet_epoch_2.safetensors", "memory_stats/memory_usage.csv", "output_validation/epoch_1"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: seg.appendingPathComponent(file).path), file)
        }
        let memory = try String(contentsOf: seg.appendingPathComponent("memory_stats/memory_usage.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(memory.first, "epoch_no,resident_mb,peak_mb")
        XCTAssertEqual(memory.count, 3)
        XCTAssertTrue(printed.contains("unet: "), "print_summary")
        XCTAssertTrue(printed.contains("training subjects: phantom_"), "verbose")
        XCTAssertEqual(try interpreter.execute("c.task + \" \" + str(c.metrics) + \" \" + str(c.overlap)", name: "c")?.printed,
                       "classification [\"accuracy\", \"f1_macro\"] [0.0, 0.0]")
        XCTAssertEqual(try interpreter.execute("t.overlap", name: "o")?.printed, "[0.25, 0.25]", "patch_overlap 8 of a 32-voxel patch")
        XCTAssertEqual(try interpreter.execute("len(t.loader)", name: "l")?.printed, "10", "2 training subjects × q_samples_per_volume 10 in batches of 2")
        let patches = seg.appendingPathComponent("training_patches/0")
        let subjects = try FileManager.default.contentsOfDirectory(atPath: patches.path)
        XCTAssertEqual(subjects.count, 2, "save_training")
        XCTAssertEqual(try interpreter.execute("t.loader", name: "sampler")?.printed.contains("patches [32, 32]"), true)
        XCTAssertEqual(try interpreter.execute("str(gandlf_transforms(read_config(segmentation), [32, 32], true))", name: "pad")?.printed.contains("pad([16, 16], symmetric)"), true,
                       "enable_padding pads training images by half a patch, mirrored as padding_mode's default says")
        XCTAssertEqual(try interpreter.execute("[t.padding, t.blend, t.queue_length, t.seed, c.blend, c.batch_size]", name: "keys")?.printed,
                       "[\"symmetric\", \"uniform\", 5, 42, \"crop\", 8]",
                       "enable_padding pads windows too; average and crop aggregation; q_max_length; determinism's seed; auto_batch_size_find")
        XCTAssertEqual(try interpreter.execute("[c.padding, \"pad([16, 16], edge)\" in str(c.preprocess)]", name: "cpad")?.printed, "[nil, true]",
                       "whole images (classification) are padded for validation and inference too, as in training")
        XCTAssertTrue(printed.contains("queue: epoch 1, 20 patches (10 per subject from 2 subjects) in 4 fills of at most 5"), "q_verbose")
        XCTAssertTrue(printed.contains("lr_find: learning rate"), "auto_lr_find")
        _ = try interpreter.execute("""
            probe = t.train[0]
            scores = t.model(probe.image.data.unsqueeze(0))
            target = one_hot(probe.label.data.unsqueeze(0), t.class_list)
            weighted = t.loss(scores, target).item() != loss("dc")(scores, target).item()
            cfg = read_config(classification)
            cold = dataset(classes)
            gandlf_trainer(cfg, cold)
            cfg["in_memory"] = true
            warm = dataset(classes)
            gandlf_trainer(cfg, warm)
            """, name: "keys")
        XCTAssertEqual(try interpreter.execute("[weighted, t.clip_grad, t.clip_mode, cold.cached_mb < warm.cached_mb]", name: "k")?.printed,
                       "[true, 0.5, \"value\", true]", "weighted_loss, clip_grad and clip_mode, in_memory (every image read up front)")
        XCTAssertEqual(try interpreter.execute("\"flip(axes: [0]) (p = 0.25)\" in str(gandlf_transforms(read_config(segmentation), [32, 32], true))", name: "p")?.printed,
                       "true", "data_augmentation's default_probability")
        XCTAssertThrowsError(try interpreter.execute("gandlf_dataset({\"headers\": {\"channelHeaders\": [9]}}, csv)", name: "headers")) {
            XCTAssertTrue("\($0)".contains("headers: column 9 does not exist"), "\($0)")
        }
        XCTAssertTrue(printed.contains("batch_size_find: batch size 8"), "auto_batch_size_find")
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: patches.appendingPathComponent(subjects[0]).path).contains { $0.hasPrefix("label_") })
        let regression = try write("regress.yaml", """
            model: {dimension: 2, architecture: vgg11, final_layer: none, base_filters: 4, norm_type: batch}
            modality: rad
            loss_function: mse
            metrics: [mse]
            patch_size: [32, 32, 1]
            num_epochs: 1
            batch_size: 4
            scaling_factor: 0.01
            nested_training: {testing: 1, validation: -4}

            """)
        interpreter.globals["regression"] = .string(regression)
        _ = try interpreter.execute("""
            values = phantom(n: 8, size: 32, classes: 2, task: "regression", seed: 4).write(out + "/reg-data")
            r = gandlf_train(regression, values, out + "/reg")[0]
            regressed = gandlf_infer(regression, values, out + "/reg", output: out + "/reg-pred")
            """, name: "regression")
        XCTAssertEqual(try interpreter.execute("r.task + \" \" + str(r.target_scale)", name: "r")?.printed, "regression 0.01")
        XCTAssertEqual(try interpreter.execute("r.evaluate(dataset(values))[\"prediction\"][:8] == regressed[\"prediction\"]", name: "e")?.printed, "true",
                       "t.evaluate predicts in the targets' units, as inference does")
        XCTAssertEqual(try interpreter.execute("regressed.columns", name: "rc")?.printed, "[\"subject_id\", \"prediction\"]")
        XCTAssertEqual(try interpreter.execute("table_of_predictions.columns", name: "p")?.printed, "[\"subject_id\", \"probability_0\", \"probability_1\", \"prediction\"]")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("cls-pred/predictions.csv").path))
    }

    /// GaNDLF's 2D NIfTI: images [x, y, 1] train with patch_size [x, y, 1] and are predicted
    /// whole by sliding windows, the masks keeping the input's shape and spacing.
    func testTwoDimensionalNIfTIWithAThirdAxisOfOne() throws {
        var rows = ["SubjectID,Channel_0,Label"]
        var random = RandomGenerator(seed: 3)
        for i in 0..<6 {
            var label = [Double](repeating: 0, count: 40 * 40), image = label
            let x = 6 + Int(random.next() % 20), y = 6 + Int(random.next() % 20)
            for a in x..<(x + 10) { for b in y..<(y + 10) { label[a * 40 + b] = 1 } }
            for k in image.indices { image[k] = 2 * label[k] + Double(random.next() % 100) / 300 }
            let spacing = [0.8, 0.8, 2.0]
            let imagePath = folder.appendingPathComponent("s\(i)_image.nii.gz").path, labelPath = folder.appendingPathComponent("s\(i)_label.nii.gz").path
            try NIfTI.write(MedicalImage(data: try Tensor(flat: image, shape: [1, 40, 40, 1]), spacing: spacing), to: imagePath)
            try NIfTI.write(MedicalImage(data: try Tensor(flat: label, shape: [1, 40, 40, 1]), spacing: spacing), to: labelPath)
            rows.append("s\(i),\(imagePath),\(labelPath)")
        }
        let csv = try write("data.csv", rows.joined(separator: "\n") + "\n")
        let config = try write("planar.yaml", Self.minimal.replacingOccurrences(of: "patch_size: [32, 32, 1]", with: "patch_size: [16, 16, 1]")
            + "num_epochs: 1\nbatch_size: 2\n")
        let interpreter = Session.makeInterpreter()
        interpreter.write = { _ in }
        interpreter.globals["config"] = .string(config)
        interpreter.globals["csv"] = .string(csv)
        interpreter.globals["out"] = .string(folder.path)
        _ = try interpreter.execute("""
            t = gandlf_train(config, csv, out + "/model")[0]
            gandlf_infer(config, csv, out + "/model", output: out + "/pred")
            mask = load(out + "/pred/s0_seg.nii.gz")
            """, name: "planar")
        XCTAssertEqual(try interpreter.execute("t.patch_size", name: "p")?.printed, "[16, 16, 1]")
        XCTAssertEqual(try interpreter.execute("[mask.shape, mask.spacing]", name: "m")?.printed, "[[40, 40, 1], [0.8, 0.8, 2.0]]")
    }

    /// memory_save_mode with a resize: the resized images are written once and trained from.
    func testMemorySaveModeTrainsFromResizedImagesOnDisk() throws {
        let interpreter = Session.makeInterpreter()
        interpreter.write = { _ in }
        let config = try write("resized.yaml", Self.minimal + "num_epochs: 1\nbatch_size: 2\nmemory_save_mode: true\ndata_preprocessing: {resize_image: [32, 32], normalize: }\n")
        interpreter.globals["config"] = .string(config)
        interpreter.globals["out"] = .string(folder.path)
        _ = try interpreter.execute("""
            csv = phantom(n: 6, size: 48, classes: 2, seed: 5).write(out + "/data")
            t = gandlf_train(config, csv, out + "/model")[0]
            resized = dataset(out + "/model/train_resized_images/data.csv")
            """, name: "memory_save_mode")
        XCTAssertEqual(try interpreter.execute("[len(resized), resized[0].image.shape, t.epoch_no]", name: "r")?.printed, "[6, [32, 32], 1]")
        // Only the resizing is written: the normalisation runs once, in training (z-scored files would have mean 0).
        let ratio = try interpreter.execute("resized[0].image.data.mean().item() / dataset(csv)[0].image.data.mean().item()", name: "m")
        guard case .float(let r)? = ratio else { return XCTFail("\(String(describing: ratio))") }
        XCTAssertEqual(r, 1, accuracy: 0.1)
        XCTAssertEqual(try interpreter.execute("[\"resize\" in str(t.preprocess), \"resize\" in str(gandlf_transforms(read_config(config), [32, 32], true, resizing: \"without\"))]", name: "s")?.printed,
                       "[true, false]", "validation still resizes (its images may come raw); training leaves it out")
    }
}
