import Foundation
import ScryNN
import ScryTensor
import XCTest

/// The module system: dotted names, state, modes, freezing, hooks, backward overrides and
/// summaries, on a small conv → batch norm → ReLU → pool → linear network.
final class ModuleTests: XCTestCase {
    final class Net: Module {
        init() throws {
            super.init("Net")
            register(child: "features", Sequential([
                try Conv(dimensions: 2, inChannels: 1, outChannels: 3, kernel: [3], padding: .explicit([1])),
                try BatchNorm(dimensions: 2, features: 3), Activation(.relu), Pool(.max, dimensions: 2, kernel: [2]),
            ]))
            register(child: "head", try Linear(inFeatures: 3, outFeatures: 2))
        }

        override func forward(_ x: Tensor) throws -> Tensor {
            try child("head")!(child("features")!(x).mean(axes: [2, 3]))
        }
    }

    override func setUp() { Random.seed(11) }

    func testNamesCountsAndState() throws {
        let net = try Net()
        XCTAssertEqual(net.namedModules().map(\.path), ["", "features", "features.0", "features.1", "features.2", "features.3", "head"])
        XCTAssertEqual(net.namedParameters().map(\.name),
                       ["features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias", "head.weight", "head.bias"])
        XCTAssertEqual(net.namedBuffers().map(\.name), ["features.1.running_mean", "features.1.running_var", "features.1.num_batches_tracked"])
        XCTAssertEqual(net.parameterCount, 3 * 9 + 3 + 3 + 3 + 6 + 2)
        XCTAssertTrue(net.module(at: "features.2") is Activation)
        XCTAssertNil(net.module(at: "features.9"))

        // State dicts move between models of the same shape exactly.
        let other = try Net()
        try other.loadStateDict(Dictionary(uniqueKeysWithValues: net.stateDict().map { ($0.name, $0.tensor) }))
        for ((name, a), (_, b)) in zip(net.stateDict(), other.stateDict()) {
            XCTAssertEqual(a.scalars(), b.scalars(), name)
        }
        XCTAssertTrue(other.parameter("weight") == nil && other.module(at: "head")!.parameter("weight")!.requiresGrad)
    }

    func testLoadsPyTorchWeightsWrittenBySafetensorsAndWritesThemBack() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let net = try Net()
        try net.loadStateDict(try Safetensors.read(fixtures.appendingPathComponent("torch_net.safetensors").path).tensors)
        net.setTraining(false)
        let io = try Safetensors.read(fixtures.appendingPathComponent("torch_net_io.safetensors").path).tensors
        assertWithinTolerance(try net(io["x"]!).scalars(), io["y"]!.scalars(), "PyTorch's eval output")
        XCTAssertEqual(try net.module(at: "features.1")!.buffer("num_batches_tracked")!.item(), 1)

        let path = NSTemporaryDirectory() + "scry-module-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Safetensors.write(Dictionary(uniqueKeysWithValues: net.stateDict().map { ($0.name, $0.tensor) }), to: path)
        let copy = try Net()
        try copy.loadStateDict(try Safetensors.read(path).tensors)
        copy.setTraining(false)
        XCTAssertEqual(try copy(io["x"]!).scalars(), try net(io["x"]!).scalars())
    }

    func testLoadingReportsEveryMismatchAtOnce() throws {
        let net = try Net()
        var state = Dictionary(uniqueKeysWithValues: net.stateDict().map { ($0.name, $0.tensor) })
        state["head.weight"] = try Tensor.zeros([5, 3])
        state.removeValue(forKey: "head.bias")
        state["extra.weight"] = try Tensor.zeros([1])
        let before = net.module(at: "features.0")!.parameter("weight")!.scalars()
        XCTAssertThrowsError(try net.loadStateDict(state)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("3 mismatches"), message)
            XCTAssertTrue(message.contains("\"head.weight\" has shape [5, 3] in the file but [2, 3] in the model"), message)
            XCTAssertTrue(message.contains("missing \"head.bias\" [2]"), message)
            XCTAssertTrue(message.contains("unexpected \"extra.weight\" [1]"), message)
        }
        XCTAssertEqual(net.module(at: "features.0")!.parameter("weight")!.scalars(), before, "nothing changes on a failed load")
        state.removeValue(forKey: "extra.weight"); state["head.weight"] = nil
        XCTAssertNoThrow(try net.loadStateDict(state, strict: false))
    }

    func testModesMoveBatchNormStatisticsOnlyInTraining() throws {
        let net = try Net(), x = try Tensor.randn([4, 1, 6, 6]) * 2 + 1
        let norm = net.module(at: "features.1")!
        _ = try net(x)
        let mean = norm.buffer("running_mean")!.scalars()
        XCTAssertNotEqual(mean, [0, 0, 0])
        XCTAssertEqual(try norm.buffer("num_batches_tracked")!.item(), 1)
        net.setTraining(false)
        XCTAssertFalse(norm.isTraining)
        let first = try net(x).scalars()
        XCTAssertEqual(norm.buffer("running_mean")!.scalars(), mean)
        XCTAssertEqual(try net(x).scalars(), first, "eval mode is deterministic")
    }

    func testFreezingStopsGradientsAndTraining() throws {
        let net = try Net()
        net.module(at: "features")!.setFrozen(true)
        try net(try Tensor.randn([2, 1, 4, 4])).sum().backward()
        XCTAssertEqual(Set(net.gradients().keys), ["head.weight", "head.bias"])
        let optimizer = try Optimizer(.sgd, learningRate: 0.1)
        let frozen = net.module(at: "features.0")!.parameter("weight")!.scalars()
        let head = net.module(at: "head")!.parameter("weight")!.scalars()
        try optimizer.step(net)
        XCTAssertEqual(net.module(at: "features.0")!.parameter("weight")!.scalars(), frozen)
        XCTAssertNotEqual(net.module(at: "head")!.parameter("weight")!.scalars(), head)
        net.setFrozen(false)
        XCTAssertEqual(net.namedParameters().filter { $0.tensor.requiresGrad }.count, 6)
    }

    func testOptimizerStepKeepsParameterIdentityAndGradients() throws {
        let net = try Net()
        try net(try Tensor.randn([2, 1, 4, 4])).sum().backward()
        let gradient = net.gradients()["head.bias"]!.scalars()
        let before = net.module(at: "head")!.parameter("bias")!.scalars()
        try Optimizer(.sgd, learningRate: 0.5).step(net)
        let after = net.module(at: "head")!.parameter("bias")!
        XCTAssertEqual(after.scalars(), zip(before, gradient).map { Double(Float($0) - Float(0.5) * Float($1)) })
        XCTAssertEqual(after.grad?.scalars(), gradient, "the gradient stays until zero_grad, as in PyTorch")
        net.zeroGrad()
        XCTAssertTrue(net.gradients().isEmpty)
    }

    func testHooksSeeActivationsAndTheGradientIntoTheLayer() throws {
        let net = try Net(), x = try Tensor.randn([2, 1, 4, 4])
        var activation: Tensor?, gradient: Tensor?
        let relu = net.module(at: "features.2")!
        let forward = relu.addForwardHook { _, output in activation = output }
        let backward = relu.addBackwardHook { _, g in gradient = g }
        let seed = try Tensor.randn([2, 2])
        try net(x).backward(seed)
        XCTAssertEqual(activation?.shape, [2, 3, 4, 4])
        // The gradient into ReLU's output, rebuilt by hand: pool's backward of head's.
        let head = net.module(at: "head")!.parameter("weight")!
        let pooledGradient = try seed.matmul(head.detach())  // [2, 3], spread over the 2×2 pooled map
        XCTAssertEqual(gradient?.shape, [2, 3, 4, 4])
        let expected = try { () throws -> [Double] in
            let a = try activation!.detach().requiringGrad()
            try Tensor.maxPool(a, kernel: [2]).values.backward(try (pooledGradient / 4).reshape([2, 3, 1, 1]).expand([2, 3, 2, 2]))
            return a.grad!.scalars()
        }()
        assertWithinTolerance(gradient!.scalars(), expected, "hooked gradient")
        forward.remove(); backward.remove()
        activation = nil
        _ = try net(x)
        XCTAssertNil(activation, "a removed hook no longer runs")
    }

    func testBackwardOverrideReplacesTheRule() throws {
        // Guided backpropagation's ReLU rule: pass only positive gradients where the input was positive.
        let relu = Activation(.relu)
        relu.backwardOverrides.append { input, _, g in try g.relu() * input.gt(0).to(.float32) }
        let x = try Tensor([-1.0, 2.0, 3.0, -4.0], shape: [4]).requiringGrad()
        let y = try relu(x)
        XCTAssertEqual(y.scalars(), [0, 2, 3, 0])
        try y.backward(try Tensor([5.0, -6.0, 7.0, 8.0], shape: [4]))
        XCTAssertEqual(x.grad?.scalars(), [0, 0, 7, 0])
    }

    func testALaterRuleWinsAndRemovingItBringsBackTheEarlierOne() throws {
        let relu = Activation(.relu)
        relu.backwardOverrides.append { _, _, g in try g * 2 }
        relu.backwardOverrides.append { _, _, g in try g * 3 }
        func gradient() throws -> [Double]? {
            let x = try Tensor([1.0], shape: [1]).requiringGrad()
            try relu(x).backward(try Tensor([1.0], shape: [1]))
            return x.grad?.scalars()
        }
        XCTAssertEqual(try gradient(), [3])
        relu.backwardOverrides.removeLast()
        XCTAssertEqual(try gradient(), [2], "the first rule is back")
        relu.backwardOverrides.removeLast()
        XCTAssertEqual(try gradient(), [1], "and then the layer's own")
    }

    func testSummaryListsCallsWithShapesAndTotals() throws {
        let net = try Net()
        let summary = try ModuleSummary(net, inputShape: [1, 1, 8, 8])
        XCTAssertEqual(summary.rows.map(\.path), ["", "features", "features.0", "features.1", "features.2", "features.3", "head"])
        XCTAssertEqual(summary.rows.map(\.depth), [0, 1, 2, 2, 2, 2, 1])
        XCTAssertEqual(summary.rows[2].outputShape, [1, 3, 8, 8])
        XCTAssertEqual(summary.rows[5].outputShape, [1, 3, 4, 4])
        XCTAssertEqual(summary.rows.last?.outputShape, [1, 2])
        XCTAssertEqual(summary.rows.map(\.parameters), [nil, nil, 30, 6, 0, 0, 8])
        XCTAssertEqual(summary.totalParameters, 44)
        XCTAssertEqual(summary.trainableParameters, 44)
        XCTAssertEqual(summary.parameterBytes, 44 * 4 + 3 * 4 * 2 + 8)
        XCTAssertTrue(net.isTraining, "the summary restores the mode")
        XCTAssertEqual(try net.module(at: "features.1")!.buffer("num_batches_tracked")!.item(), 0, "and leaves the statistics alone")
    }

    func testLayerGradientsInSeveralConfigurations() throws {
        let layers: [(Module, [Int])] = [
            (try Conv(dimensions: 2, inChannels: 4, outChannels: 4, kernel: [3], stride: [2], padding: .explicit([1]), groups: 2), [1, 4, 5, 5]),
            (try Conv(dimensions: 1, inChannels: 3, outChannels: 3, kernel: [3], padding: .same, groups: 3), [2, 3, 6]),
            (try Conv(dimensions: 3, inChannels: 2, outChannels: 2, kernel: [3], padding: .explicit([2]), dilation: [2], groups: 2), [1, 2, 3, 4, 3]),
            (try ConvTranspose(dimensions: 3, inChannels: 2, outChannels: 2, kernel: [3], stride: [2], padding: [1], outputPadding: [1]), [1, 2, 2, 2, 3]),
            (try BatchNorm(dimensions: 3, features: 2), [2, 2, 2, 3, 2]),
            (try InstanceNorm(dimensions: 3, features: 2, affine: true), [1, 2, 3, 2, 3]),
            (try GroupNorm(groups: 2, channels: 4), [2, 4, 3, 3]),
            (try PReLU(parameters: 3), [2, 3, 4]),
            (Pool(.average(countIncludePad: false), dimensions: 3, kernel: [2], padding: [1]), [1, 1, 3, 4, 3]),
            (AdaptiveAvgPool(dimensions: 3, size: [2, 1, 2]), [1, 2, 3, 2, 5]),
            (Upsample(scale: [2], mode: .linear, alignCorners: false), [1, 1, 2, 3, 2]),
            (GlobalPool(max: false), [2, 3, 2, 3]),
        ]
        for (layer, shape) in layers {
            let parameters = layer.namedParameters().map(\.tensor)
            let draw = try Tensor.randn(shape)
            let x = try draw.sign() * (draw.abs() + 0.1)  // away from ReLU-like kinks
            try checkModuleGradients(layer, [x] + parameters)
        }
    }

    func testTwoDimensionalLayersAcceptOneSliceVolumes() throws {
        // A 2D image stored as [N, C, x, y, 1] runs through 2D layers and keeps its axis.
        let model = Sequential([
            try Conv(dimensions: 2, inChannels: 1, outChannels: 2, kernel: [3], padding: .explicit([1])),
            Pool(.max, dimensions: 2, kernel: [2]), Upsample(scale: [2], mode: .linear, dimensions: 2),
            try ConvTranspose(dimensions: 2, inChannels: 2, outChannels: 1, kernel: [1]), AdaptiveAvgPool(dimensions: 2, size: [4, 4]),
        ])
        let flat = try Tensor.randn([2, 1, 8, 8])
        let planar = try model(flat), volume = try model(flat.unsqueeze(4))
        XCTAssertEqual(volume.shape, [2, 1, 4, 4, 1])
        XCTAssertEqual(try volume.squeeze(axes: [4]).scalars(), planar.scalars())
        XCTAssertEqual(try Conv(dimensions: 3, inChannels: 1, outChannels: 1, kernel: [1])(try Tensor.randn([1, 1, 4, 4, 1])).shape, [1, 1, 4, 4, 1],
                       "3D layers take one-slice volumes as volumes")
    }

    /// Central differences against backward, for the input and every parameter of a layer.
    private func checkModuleGradients(_ layer: Module, _ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line) throws {
        let x = try inputs[0].requiringGrad()
        let seed = try Tensor.randn(try layer(x).shape)
        layer.zeroGrad()
        try (try layer(x) * seed).sum().backward()
        let analytic = [x.grad!] + layer.namedParameters().map { $0.tensor.grad! }
        let h = 1e-2
        for (k, tensor) in ([x] + layer.namedParameters().map(\.tensor)).enumerated() {
            var values = tensor.scalars()
            for i in values.indices {
                func loss(_ v: Double) throws -> Double {
                    values[i] = v
                    let replaced = try Tensor(flat: values, shape: tensor.shape)
                    let output: Tensor
                    if k == 0 {
                        output = try withNoGrad { try layer(replaced) }
                    } else {
                        let name = layer.ownParameters[k - 1].name
                        let saved = layer.parameter(name)!
                        try layer.assign(parameter: name, replaced)
                        output = try withNoGrad { try layer(x.detach()) }
                        try layer.assign(parameter: name, saved)
                    }
                    return try (output * seed).sum().item()
                }
                let original = values[i]
                let numeric = (try loss(original + h) - loss(original - h)) / (2 * h)
                values[i] = original
                let exact = analytic[k].scalars()[i]
                XCTAssertEqual(exact, numeric, accuracy: 2e-2 * Swift.max(1, Swift.abs(numeric)),
                               "\(layer.typeName) input \(k) element \(i)", file: file, line: line)
            }
        }
    }
}
