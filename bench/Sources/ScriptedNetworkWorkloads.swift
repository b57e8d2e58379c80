import Foundation
import ScryLang
import ScryNN
import ScryRuntime
import ScryTensor

/// The UNet and VGG11-half written in Scry (bench/scry/networks.scry, with `module(…)`) against
/// the same networks built in Swift, on the same inputs in one process, and Grad-CAM by the
/// library's `gradcam` against the same steps written in Swift. Runs alternate between
/// the two so that this machine's drift falls on both alike; the line gives both medians and
/// their ratio (the goal: the Scry network within 3% of the Swift one).
func benchScriptedNetworks() throws {
    try Session.runOnLargeStack { () -> Result<Void, Error> in
        Result {
            let interpreter = Session.makeInterpreter()
            let source = try String(contentsOfFile: benchPath("scry/networks.scry"), encoding: .utf8)
            try interpreter.execute(source, name: "networks.scry")
            Random.seed(0)
            let image = try Tensor.randn([8, 1, 128, 128])
            let onehot = try Tensor.oneHot(try Tensor.rand([8, 128, 128]).gt(0.5).to(.int64), classes: 2, axis: 1)
            let swiftUNet = try BenchUNet(dims: 2, inChannels: 1, classes: 2, widths: [16, 32, 64, 128])
            let adam = try Optimizer(.adam, learningRate: 1e-3)
            try compare("unet2d_train_step", interpreter, globals: ["x": image, "onehot": onehot],
                        scry: "bench_segmentation_step(bench_unet(2, 2, [16, 32, 64, 128]), x, onehot)") {
                swiftUNet.zeroGrad()
                try benchDiceLoss(swiftUNet(image), onehot).backward()
                try adam.step(swiftUNet)
            }
            let batch = try Tensor.randn([16, 3, 64, 64]), classes = try Tensor.randint(0, 4, [16])
            let swiftVGG = try BenchVGG11(inChannels: 3, classes: 4)
            let sgd = try Optimizer(.sgd, learningRate: 1e-2, momentum: 0.9)
            try compare("vgg11_train_step", interpreter, globals: ["x": batch, "y": classes],
                        scry: "bench_classification_step(bench_vgg11(3, 4), x, y)") {
                swiftVGG.zeroGrad()
                try Losses.crossEntropy(swiftVGG(batch), classes).backward()
                try sgd.step(swiftVGG)
            }
            // Grad-CAM: stdlib/saliency.scry's gradcam on the Scry network against the Swift steps.
            let picture = try Tensor.randn([1, 3, 224, 224])
            let swiftGradCAM = try gradcamRun()
            try compare("gradcam_vgg11_224", interpreter, globals: ["picture": picture],
                        scry: "bench_gradcam_step(bench_vgg11(3, 4), picture)", swift: swiftGradCAM)
        }
    }.get()
}

/// Times a Swift step and the step function a Scry expression returns, alternating.
private func compare(_ workload: String, _ interpreter: Interpreter, globals: [String: Tensor], scry: String,
                     swift: () throws -> Void) throws {
    for (name, tensor) in globals { interpreter.globals[name] = .tensor(tensor) }
    guard let step = try interpreter.execute(scry, name: workload) else { throw BenchFailure("\(scry) gave no step function") }
    let scripted = { _ = try interpreter.call(step, Arguments([])) }
    for _ in 0..<2 { try swift(); try scripted() }
    var swiftTimes: [Double] = [], scryTimes: [Double] = []
    // More runs than the other workloads' 5: the difference sought is a few percent.
    for _ in 0..<15 {
        swiftTimes.append(try seconds(swift))
        scryTimes.append(try seconds(scripted))
    }
    let swiftMedian = swiftTimes.sorted()[7], scryMedian = scryTimes.sorted()[7]
    emit(["workload": workload + "_scry", "seconds": rounded(scryMedian), "swift_seconds": rounded(swiftMedian),
          "ratio_to_swift": rounded(scryMedian / swiftMedian), "goal": "ratio_to_swift ≤ 1.03",
          "what": "the network written in Scry with module(…) beside the same one built in Swift, alternating runs"])
}

private func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
