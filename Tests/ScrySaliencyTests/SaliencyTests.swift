import Foundation
import XCTest
import ScryLang
@testable import ScryNN
@testable import ScryRuntime
import ScryTensor

/// The saliency methods of stdlib/saliency.scry against pytorch-grad-cam 1.5 and PyTorch: each
/// method's raw map on the small networks of Fixtures/nets.scry (a classifier and a segmenter,
/// written as module(…), in 2D and 3D; weights and maps from Fixtures/make_saliency_reference.py)
/// for default and explicit targets, masks and layers; the shape and range of the maps returned;
/// a batch against its samples one at a time; the model left as it was (modes, hooks, backward
/// rules), errors included; and every method on zoo models with the default layer.
final class SaliencyTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let methods = ["gradcam", "gradcampp", "xgradcam", "layercam", "scorecam", "guided_backprop", "guided_gradcam",
                          "saliency", "integrated_gradients", "occlusion"]
    /// The methods that take `layer:`.
    static let layered: Set<String> = ["gradcam", "gradcampp", "xgradcam", "layercam", "scorecam", "guided_gradcam"]
    /// The methods whose map is made at a layer, then resized to the input and normalised again.
    static let cams: Set<String> = ["gradcam", "gradcampp", "xgradcam", "layercam", "scorecam"]

    /// One set of arguments the fixtures were computed with (the metadata entry "cases").
    struct Case {
        let net: String, name: String, target: Int?, layer: String?, usesMask: Bool
    }

    struct Reference {
        let x: Tensor, mask: Tensor, maps: [String: Tensor], cases: [Case]
    }

    static func reference(_ dimension: Int) throws -> Reference {
        let path = fixtures.appendingPathComponent("maps_\(dimension)d.safetensors").path
        let (tensors, metadata) = try Safetensors.read(path)
        let list = try JSONSerialization.jsonObject(with: Data(metadata["cases"]!.utf8)) as! [[String: Any]]
        let cases = list.map { entry in
            Case(net: entry["net"] as! String, name: entry["case"] as! String, target: entry["target"] as? Int,
                 layer: entry["layer"] as? String, usesMask: entry["mask"] is String)
        }
        return Reference(x: tensors["x"]!, mask: tensors["mask"]!, maps: tensors, cases: cases)
    }

    /// A fresh session, output dropped, with the fixture networks defined.
    private func session() throws -> Interpreter {
        let interpreter = Session.makeInterpreter()
        interpreter.write = { _ in }
        let nets = try String(contentsOf: Self.fixtures.appendingPathComponent("nets.scry"), encoding: .utf8)
        _ = try interpreter.execute(nets, name: "nets.scry")
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

    private func tensor(_ interpreter: Interpreter, _ name: String, _ label: String) -> Tensor? {
        if case .host(let object as TensorObject)? = interpreter.globals[name] { return object.tensor }
        XCTFail("\(label): \(name) is not a tensor")
        return nil
    }

    private func module(_ interpreter: Interpreter, _ name: String) -> Module? {
        if case .host(let object as ModuleObject)? = interpreter.globals[name] { return object.module }
        XCTFail("\(name) is not a module")
        return nil
    }

    /// The fixture network `net` of one dimension with its weights, as the global `net`.
    private func loadNet(_ interpreter: Interpreter, _ net: String, _ dimension: Int) -> Bool {
        let weights = Self.fixtures.appendingPathComponent("\(net)_\(dimension)d.safetensors").path
        return run(interpreter, "net = saliency_test_\(net)(\(dimension))\nload_weights(net, \"\(weights)\")", "\(net) \(dimension)D")
    }

    /// `gradcam(net, x, target: 1, layer: "features.3", raw: true)`: a method's call on a case.
    static func call(_ method: String, _ c: Case, input: String = "x", raw: Bool) -> String {
        var arguments = ["net", input]
        if let target = c.target { arguments.append("target: \(target)") }
        if let layer = c.layer, layered.contains(method) { arguments.append("layer: \"\(layer)\"") }
        if c.usesMask { arguments.append("mask: mask") }
        if raw { arguments.append("raw: true") }
        return "\(method)(\(arguments.joined(separator: ", ")))"
    }

    // MARK: Agreement with the references

    func testMapsAgreeWithPytorchGradCamAndPyTorchIn2D() throws { try compare(dimension: 2) }

    func testMapsAgreeWithPyTorchIn3D() throws { try compare(dimension: 3) }

    /// Every method and case of one dimension: the raw map has the reference's shape, each
    /// sample's correlates with it at 0.999 or more and peaks at the same place; the map returned
    /// is the raw one normalised (and resized), and equals the reference's where there is one.
    private func compare(dimension: Int) throws {
        let reference = try Self.reference(dimension)
        XCTAssertEqual(reference.cases.count, 4, "\(dimension)D: two cases for each network")
        for net in ["classifier", "segmenter"] {
            let interpreter = try session()
            interpreter.globals["x"] = TensorBindings.wrap(reference.x)
            interpreter.globals["mask"] = TensorBindings.wrap(reference.mask)
            guard loadNet(interpreter, net, dimension) else { continue }
            for c in reference.cases where c.net == net {
                for method in Self.methods {
                    let key = "\(net)/\(c.name)/\(method)", label = "\(dimension)D \(key)"
                    guard let expected = reference.maps[key + "/raw"] else {
                        XCTFail("\(label): no reference map")
                        continue
                    }
                    let source = "raw = \(Self.call(method, c, raw: true))\nreturned = \(Self.call(method, c, raw: false))"
                    guard run(interpreter, source, label), let raw = tensor(interpreter, "raw", label),
                          let returned = tensor(interpreter, "returned", label) else { continue }
                    XCTAssertEqual(raw.shape, expected.shape, "\(label): raw map shape")
                    guard raw.shape == expected.shape else { continue }
                    checkAgreement(raw, expected, label)
                    checkReturned(returned, raw: raw, input: reference.x, cam: Self.cams.contains(method), label)
                    if let expectedFinal = reference.maps[key + "/final"] {
                        XCTAssertEqual(returned.shape, expectedFinal.shape, "\(label): returned map shape")
                        guard returned.shape == expectedFinal.shape else { continue }
                        let difference = zip(returned.scalars(), expectedFinal.scalars()).map { abs($0 - $1) }.max() ?? 0
                        XCTAssertLessThanOrEqual(difference, 1e-3, "\(label): final map differs from the reference's (max |Δ| \(difference))")
                    }
                }
            }
        }
    }

    /// Per sample: a Pearson correlation of at least 0.999 with the reference, and the same
    /// argmax, or, where the reference is flat at its maximum (occlusion's averaged windows give
    /// plateaus), a location on that plateau.
    private func checkAgreement(_ actual: Tensor, _ expected: Tensor, _ label: String) {
        let n = expected.shape[0]
        let a = actual.scalars(), e = expected.scalars()
        let size = e.count / n
        for s in 0..<n {
            let x = Array(a[s * size..<(s + 1) * size]), y = Array(e[s * size..<(s + 1) * size])
            let r = Self.pearson(x, y)
            XCTAssertGreaterThanOrEqual(r, 0.999, "\(label), sample \(s): Pearson correlation with the reference")
            let i = Self.argmax(x), j = Self.argmax(y)
            let range = y[j] - (y.min() ?? 0)
            XCTAssertTrue(i == j || y[j] - y[i] <= 1e-5 * range,
                          "\(label), sample \(s): argmax at \(i), the reference's at \(j) (reference there \(y[i]) vs \(y[j]))")
        }
    }

    /// A returned map: [N, …input spatial], in [0, 1]; for the input-resolution methods the raw map
    /// min-max normalised, for the CAM methods a map whose minimum is 0 and maximum 1 (or all 0
    /// where the raw map is).
    private func checkReturned(_ returned: Tensor, raw: Tensor, input: Tensor, cam: Bool, _ label: String) {
        XCTAssertEqual(returned.shape, [input.shape[0]] + Array(input.shape.dropFirst(2)), "\(label): returned map shape")
        let values = returned.scalars()
        XCTAssertTrue(values.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 }, "\(label): returned map outside [0, 1]")
        let n = returned.shape[0], size = values.count / n, rawValues = raw.scalars(), rawSize = rawValues.count / n
        for s in 0..<n {
            let sample = Array(values[s * size..<(s + 1) * size]), source = Array(rawValues[s * rawSize..<(s + 1) * rawSize])
            let low = source.min() ?? 0, high = source.max() ?? 0
            if cam {
                XCTAssertEqual(sample.min() ?? -1, 0, accuracy: 1e-6, "\(label), sample \(s): returned minimum")
                XCTAssertEqual(sample.max() ?? -1, high > low ? 1 : 0, accuracy: 1e-5, "\(label), sample \(s): returned maximum")
            } else {
                XCTAssertEqual(raw.shape, returned.shape, "\(label): an input-resolution method's raw map")
                let difference = zip(sample, source).map { abs($0 - ($1 - low) / (high - low + 1e-7)) }.max() ?? 0
                XCTAssertLessThanOrEqual(difference, 1e-5, "\(label), sample \(s): returned map is not the normalised raw map")
            }
        }
    }

    static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
        var ab = 0.0, aa = 0.0, bb = 0.0
        for (x, y) in zip(a, b) {
            ab += (x - ma) * (y - mb)
            aa += (x - ma) * (x - ma)
            bb += (y - mb) * (y - mb)
        }
        return ab / (aa * bb).squareRoot()
    }

    static func argmax(_ values: [Double]) -> Int {
        values.indices.max { values[$0] < values[$1] || (values[$0] == values[$1] && $0 > $1) } ?? 0
    }

    // MARK: Batches, the model's state, errors

    /// A batch gives each sample's map as that sample alone does (default targets chosen per sample).
    func testABatchGivesEachSamplesMap() throws {
        let reference = try Self.reference(2)
        for net in ["classifier", "segmenter"] {
            let interpreter = try session()
            interpreter.globals["x"] = TensorBindings.wrap(reference.x)
            guard loadNet(interpreter, net, 2) else { continue }
            for method in Self.methods {
                let c = Case(net: net, name: "default", target: nil, layer: nil, usesMask: false)
                let label = "\(net) \(method)"
                let source = """
                    batch = \(Self.call(method, c, raw: true))
                    one = \(Self.call(method, c, input: "x[0:1]", raw: true))
                    two = \(Self.call(method, c, input: "x[1:2]", raw: true))
                    apart = concat([one, two], axis: 0)
                    """
                guard run(interpreter, source, label), let batch = tensor(interpreter, "batch", label),
                      let apart = tensor(interpreter, "apart", label) else { continue }
                XCTAssertEqual(batch.shape, apart.shape, label)
                guard batch.shape == apart.shape else { continue }
                let scale = batch.scalars().map { abs($0) }.max() ?? 0
                let difference = zip(batch.scalars(), apart.scalars()).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThanOrEqual(difference, 1e-4 * scale + 1e-7, "\(label): batch vs one sample at a time (max |Δ| \(difference))")
            }
        }
    }

    /// Each method leaves every layer's mode, the user's hooks and the backward rules as they were,
    /// also when it fails half-way (an unknown layer, a target out of range after the ReLU
    /// layers' rules were replaced); errors keep their names.
    func testTheModelIsLeftAsItWas() throws {
        let reference = try Self.reference(2)
        let interpreter = try session()
        interpreter.globals["x"] = TensorBindings.wrap(reference.x)
        guard loadNet(interpreter, "classifier", 2) else { return }
        var lines: [String] = []
        interpreter.write = { lines.append($0) }
        let calls = Self.methods.map { "\($0)(net, x)" }.joined(separator: "\n")
        let source = """
            net.train()
            net.layer("features.1").eval()
            seen = []
            handle = net.hook("features.3", forward: fn(a) { seen.append(a.shape) })
            mine = net.override_backward("ReLU", fn(i, o, g) => g)
            \(calls)
            fn failure(f) {
                try { f() } catch e { return e.name }
                return "no error"
            }
            print(failure(fn() => gradcam(net, x, layer: "features.9")), failure(fn() => gradcam(net, x, layer: "head")))
            print(failure(fn() => guided_backprop(net, x, target: 7)), failure(fn() => guided_gradcam(net, x, target: 7)))
            print(failure(fn() => scorecam(net, x, mask: ones([32, 24]))), failure(fn() => occlusion(net, x, window: [2, 2, 2])))
            before = len(seen)
            net(x)
            print(len(seen) - before)
            """
        guard run(interpreter, source, "state"), let net = module(interpreter, "net") else { return }
        XCTAssertEqual(lines.joined().split(separator: "\n").map(String.init),
                       ["IndexError ShapeError", "IndexError IndexError", "ValueError TypeError", "1"])
        for (path, layer) in net.namedModules() {
            XCTAssertEqual(layer.isTraining, path != "features.1", "\(path): mode")
            XCTAssertEqual(layer.backwardOverrides.count, layer.typeName == "ReLU" ? 1 : 0,
                           "\(path): the user's own ReLU rule stays, and no other is left behind")
            XCTAssertEqual(layer.forwardHooks.count, path == "features.3" ? 1 : 0, "\(path): forward hooks")
            XCTAssertTrue(layer.backwardHooks.isEmpty, "\(path): backward hooks")
        }
    }

    // MARK: The zoo

    /// Every method runs on zoo models, 2D and 3D, classification and segmentation, with the
    /// default layer: maps [N, …spatial] in [0, 1], the model's mode kept. (3D occlusion uses
    /// 8-voxel windows: the default 2-voxel ones take thousands of forward passes.)
    func testEveryMethodRunsOnZooModelsWithTheDefaultLayer() {
        let models: [(name: String, scry: String, shape: [Int])] = [
            ("vgg11 2D", "vgg11(dimension: 2, n_classes: 3)", [2, 1, 32, 32]),
            ("resnet18 3D", "resnet18(dimension: 3, n_classes: 3, num_init_features: 4)", [2, 1, 32, 32, 32]),
            ("unet 2D", "unet(dimension: 2, n_classes: 2, base_filters: 4)", [2, 1, 32, 32]),
            ("unet 3D", "unet(dimension: 3, n_classes: 2, base_filters: 4)", [1, 1, 16, 16, 16]),
        ]
        for model in models {
            let interpreter = Session.makeInterpreter()
            interpreter.write = { _ in }
            guard run(interpreter, "seed(0)\nnet = \(model.scry)\nx = randn(\(model.shape))", model.name) else { continue }
            for method in Self.methods {
                let label = "\(model.name) \(method)"
                let extra = method == "occlusion" && model.shape.count == 5 ? ", window: 8" : ""
                guard run(interpreter, "heat = \(method)(net, x\(extra))\ntraining = net.training", label),
                      let map = tensor(interpreter, "heat", label) else { continue }
                XCTAssertEqual(map.shape, [model.shape[0]] + Array(model.shape.dropFirst(2)), "\(label): map shape")
                XCTAssertTrue(map.scalars().allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 }, "\(label): map outside [0, 1]")
                if case .bool(let training)? = interpreter.globals["training"] {
                    XCTAssertTrue(training, "\(label): the model was in training mode and should be again")
                } else {
                    XCTFail("\(label): net.training is not a bool")
                }
            }
        }
    }
}
