import Foundation
import XCTest
import ScryLang
@testable import ScryRuntime
import ScryTensor

/// The model zoo (stdlib/models) against GaNDLF: for each case in Fixtures, the Scry network's
/// output on GaNDLF's weights and input, its parameter count at GaNDLF's default width, and
/// five Adam steps on a phantom batch.
final class ModelZooTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    struct Case {
        let name: String, task: String, scry: String, defaultScry: String
        let inputShape: [Int], defaultParameters: Int, tolerance: Double
        /// Train with batch norm's running statistics (frozen), for networks whose loss over five
        /// steps is chaotic with batch statistics of four samples (the deepest ResNets at width 4).
        let trainFrozenNorm: Bool
        let output: Tensor
    }

    nonisolated(unsafe) static let cases: [Case] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? []
        return files.filter { $0.hasSuffix(".safetensors") }.sorted().map { file in
            let (tensors, metadata) = try! Safetensors.read(fixtures.appendingPathComponent(file).path)
            let spec = try! JSONSerialization.jsonObject(with: Data(metadata["case"]!.utf8)) as! [String: Any]
            let defaults = spec["default"] as! [String: Any]
            return Case(name: spec["name"] as! String, task: spec["task"] as! String, scry: spec["scry"] as! String,
                        defaultScry: defaults["scry"] as! String, inputShape: spec["input_shape"] as! [Int],
                        defaultParameters: Int(metadata["parameters_default"]!)!,
                        tolerance: (spec["tolerance"] as? Double) ?? 1e-4, trainFrozenNorm: spec["train_frozen_norm"] as? Bool ?? false,
                        output: tensors["output"]!)
        }
    }()

    /// A fresh session whose output is dropped.
    private func session() -> Interpreter {
        let interpreter = Session.makeInterpreter()
        interpreter.write = { _ in }
        return interpreter
    }

    private func run(_ interpreter: Interpreter, _ source: String, _ name: String) -> Bool {
        do {
            _ = try interpreter.execute(source, name: name)
            return true
        } catch {
            XCTFail("\(name): \(error)")
            return false
        }
    }

    private func module(_ interpreter: Interpreter, _ name: String) -> ModuleObject? {
        if case .host(let object as ModuleObject)? = interpreter.globals[name] { return object }
        XCTFail("\(name) is not a module")
        return nil
    }

    func testEveryArchitectureMatchesGaNDLFsOutputOnItsWeights() throws {
        XCTAssertFalse(Self.cases.isEmpty)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scry-zoo-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for zooCase in Self.cases {
            let interpreter = session()
            guard run(interpreter, "m = \(zooCase.scry)\nm.eval()", zooCase.name), let m = module(interpreter, "m") else { continue }
            var weights: [String: Tensor] = [:]
            for (name, tensor) in m.module.stateDict() { weights[name] = try ZooWeights.tensor(name, like: tensor) }
            let weightsPath = folder.appendingPathComponent(zooCase.name + ".safetensors").path
            try Safetensors.write(weights, metadata: ["format": "pt"], to: weightsPath)
            let input = try ZooWeights.input(zooCase.inputShape)
            interpreter.globals["x"] = TensorBindings.wrap(input)
            guard run(interpreter, "load_weights(m, \"\(weightsPath)\")\ny = m(x)", zooCase.name),
                  case .host(let result as TensorObject)? = interpreter.globals["y"] else { continue }
            let y = result.tensor
            XCTAssertEqual(y.shape, zooCase.output.shape, "\(zooCase.name): output shape")
            guard y.shape == zooCase.output.shape else { continue }
            let scale = Double(try zooCase.output.abs().max().item())
            let difference = Double(try (y - zooCase.output).abs().max().item())
            XCTAssertLessThanOrEqual(difference, zooCase.tolerance * (1 + scale), "\(zooCase.name): output differs from GaNDLF's (max |Δ| \(difference), max |y| \(scale))")
        }
    }

    func testEveryArchitectureHasGaNDLFsParameterCountAtDefaultWidth() {
        for zooCase in Self.cases {
            let interpreter = session()
            guard run(interpreter, "n = \(zooCase.defaultScry).parameter_count", zooCase.name) else { continue }
            XCTAssertEqual(interpreter.globals["n"].flatMap { if case .int(let n) = $0 { n } else { nil } }, zooCase.defaultParameters,
                           "\(zooCase.name): \(zooCase.defaultScry)")
        }
    }

    /// Five Adam steps on one fixed phantom batch lower the loss: every architecture trains.
    /// Dropout is switched off (its layers put in eval mode) so that the losses compared come
    /// from the same function; normalisation keeps using batch statistics unless the case says.
    func testEveryArchitectureTrainsOnAPhantomBatch() {
        for zooCase in Self.cases {
            let interpreter = session()
            let spatial = Array(zooCase.inputShape.dropFirst(2)), channels = zooCase.inputShape[1]
            let crop = spatial.map { ":\($0)" }.joined(separator: ", ")
            let source = """
            seed(0)
            m = \(zooCase.scry)
            m.train()
            frozen = \(zooCase.trainFrozenNorm ? "[\"Dropout\", \"BatchNorm\"]" : "[\"Dropout\"]")
            for name in m.layers {
                for kind in frozen {
                    if m.layer(name).type.startswith(kind) { m.layer(name).eval() }
                }
            }
            k = m.n_classes
            task = "\(zooCase.task)"
            ds = phantom(dimension: \(spatial.count), n: 4, size: max(8, \(spatial.max() ?? 8)), classes: max(k, 2), task: task, seed: 0)
            for b in loader(ds, batch_size: 4, seed: 0) { batch = b; break }
            image = batch.image[:, :, \(crop)]
            x = concat([image] * \(channels), axis: 1)
            l = loss("cel")
            if task == "segmentation" {
                target = minimum(batch.label[:, 0, \(crop)], tensor(k - 1)).to("int64")
            } else if task == "regression" {
                target = batch.value.reshape([-1, 1]) / 100
                l = loss("mse")
            } else {
                target = minimum(batch.value, tensor(k - 1.0)).to("int64")
            }
            opt = optimizer("adam", m, lr: 3e-4)
            losses = []
            for step in 0..<6 {
                value = l(m(x), target)
                losses.append(value.item())
                if step < 5 {
                    opt.zero_grad()
                    value.backward()
                    opt.step()
                }
            }
            """
            guard run(interpreter, source, zooCase.name),
                  case .list(let list)? = interpreter.globals["losses"] else { continue }
            let losses = list.items.compactMap { if case .float(let v) = $0 { v } else { nil } }
            XCTAssertEqual(losses.count, 6, zooCase.name)
            XCTAssertTrue(losses.allSatisfy(\.isFinite), "\(zooCase.name): losses \(losses)")
            XCTAssertLessThan(losses.last ?? .infinity, losses.first ?? 0, "\(zooCase.name): losses \(losses)")
        }
    }

    /// Every architecture builds and runs in 2D with each normalisation Scry offers (GaNDLF has
    /// no group norm), and its final layer gives probabilities when asked for softmax.
    func testEveryArchitectureRunsWithEachNormTypeAndFinalLayer() throws {
        for zooCase in Self.cases where zooCase.name.hasSuffix("_2d") {
            for norm in ["group", "none", "instance"] {
                let interpreter = session()
                var call = zooCase.scry.replacingOccurrences(of: #"(, )?norm_type: "[a-z]+"(, )?"#, with: "$1", options: .regularExpression)
                call = call.replacingOccurrences(of: #"final_layer: "none""#, with: "final_layer: \"softmax\", norm_type: \"\(norm)\"")
                let input = try ZooWeights.input(zooCase.inputShape)
                interpreter.globals["x"] = TensorBindings.wrap(input)
                let name = "\(zooCase.name) with \(norm) norm"
                guard run(interpreter, "m = \(call)\nm.eval()\ny = m(x)\nsums = y.sum(axis: 1)", name),
                      case .host(let y as TensorObject)? = interpreter.globals["y"],
                      case .host(let sums as TensorObject)? = interpreter.globals["sums"] else { continue }
                XCTAssertEqual(y.tensor.shape, zooCase.output.shape, name)
                let k = y.tensor.shape[1]
                if k > 1 { XCTAssertLessThan(Double(try (sums.tensor - 1).abs().max().item()), 1e-4, "\(name): softmax over \(k) classes") }
            }
        }
    }

    /// Patch sizes are checked against each model's multiple, or its one size for a network built
    /// for one; bad settings get errors naming the setting.
    func testPatchSizesAndSettingsAreChecked() {
        let interpreter = session()
        var lines: [String] = []
        interpreter.write = { lines.append($0) }
        let checked = run(interpreter, """
            fn message(f) {
                try { f() } catch e { return e.message }
                return "no error"
            }
            t = unetr(dimension: 2, patch_size: [32, 32], inner_patch_size: 8, embed_dim: 16, num_heads: 4)
            print(message(fn() => check_patch_size(t, [64, 64])))
            print(check_patch_size(t, [32, 32, 1]), check_patch_size(unet(), [64, 32, 1]), check_patch_size(densenet121(), [96, 64]))
            print(message(fn() => check_patch_size(unet(dimension: 3), [64, 64, 1])))
            print(message(fn() => check_patch_size(vgg11(), [100, 30])))
            print(message(fn() => unet(class_list: 3)))
            print(message(fn() => resnet18(dimension: 2.0)))
            print(unet(class_list: "[0,1||2,4]").n_classes, unet(num_channels: 4).n_channels)
            """, "patch sizes")
        XCTAssertTrue(checked)
        XCTAssertEqual(lines.joined().split(separator: "\n").map(String.init), [
            "patch size [64, 64] does not suit unetr: it runs only on the size it was built for, [32, 32]",
            "true true true",
            "patch size [64, 64, 1] does not suit unet: each side must be a multiple of 16 (nearest: [64, 64, 16])",
            "patch size [100, 30] does not suit vgg11: each side must be a multiple of 32 (nearest: [96, 32] or [128, 32])",
            "unet(): class_list must be a list of classes or a string such as \"[0,1||2]\", got 3",
            "resnet18(): dimension must be the int 2 or 3, got 2.0",
            "3 4",
        ])
    }

    /// Every name model_names() lists has a fixture in each dimension it supports.
    func testEveryListedArchitectureHasFixturesInBothDimensions() {
        let interpreter = session()
        guard run(interpreter, "names = model_names()", "model_names"), case .list(let list)? = interpreter.globals["names"] else { return }
        let names = Set(Self.cases.map(\.name))
        for case .string(let name) in list.items {
            let dimensions = name == "brain_age" ? ["2d"] : ["2d", "3d"]
            for d in dimensions { XCTAssertTrue(names.contains("\(name)_\(d)"), "no fixture for \(name) in \(d)") }
        }
        XCTAssertEqual(list.items.count, 38)
    }
}
