import Foundation
import ScryNN
import ScryTensor

// The networks of ../shared/bench/WORKLOADS.md, built from Scry's Swift layers.

/// conv 3×3 padding 1 → instance norm (affine) → leaky ReLU 0.01, twice.
func unetBlock(_ dims: Int, _ cin: Int, _ cout: Int) throws -> Sequential {
    Sequential([
        try Conv(dimensions: dims, inChannels: cin, outChannels: cout, kernel: [3], padding: .explicit([1])),
        try InstanceNorm(dimensions: dims, features: cout, affine: true), Activation(.leakyRelu(slope: 0.01)),
        try Conv(dimensions: dims, inChannels: cout, outChannels: cout, kernel: [3], padding: .explicit([1])),
        try InstanceNorm(dimensions: dims, features: cout, affine: true), Activation(.leakyRelu(slope: 0.01)),
    ])
}

final class BenchUNet: Module {
    let down: [Sequential], up: [ConvTranspose], dec: [Sequential], head: Conv, pool: Pool

    init(dims: Int, inChannels: Int, classes: Int, widths: [Int]) throws {
        var c = inChannels
        var down: [Sequential] = [], up: [ConvTranspose] = [], dec: [Sequential] = []
        for w in widths { down.append(try unetBlock(dims, c, w)); c = w }
        for w in widths.dropLast().reversed() {
            up.append(try ConvTranspose(dimensions: dims, inChannels: c, outChannels: w, kernel: [2], stride: [2]))
            dec.append(try unetBlock(dims, 2 * w, w)); c = w
        }
        self.down = down; self.up = up; self.dec = dec
        head = try Conv(dimensions: dims, inChannels: c, outChannels: classes, kernel: [1])
        pool = Pool(.max, dimensions: dims, kernel: [2])
        super.init("UNet")
        register(child: "down", Sequential(down, typeName: "ModuleList"))
        register(child: "up", Sequential(up, typeName: "ModuleList"))
        register(child: "dec", Sequential(dec, typeName: "ModuleList"))
        register(child: "head", head)
    }

    override func forward(_ x: Tensor) throws -> Tensor {
        var y = x, skips: [Tensor] = []
        for (i, block) in down.enumerated() {
            y = try block(y)
            if i < down.count - 1 { skips.append(y); y = try pool(y) }
        }
        for (u, d) in zip(up, dec) { y = try d(Tensor.concat([u(y), skips.removeLast()], axis: 1)) }
        return try head(y).softmax(axis: 1)
    }
}

final class BenchVGG11: Module {
    init(inChannels: Int, classes: Int) throws {
        var layers: [Module] = [], c = inChannels
        for v in [32, 0, 64, 0, 128, 128, 0, 256, 256, 0, 256, 256, 0] {
            if v == 0 { layers.append(Pool(.max, dimensions: 2, kernel: [2])); continue }
            layers += [try Conv(dimensions: 2, inChannels: c, outChannels: v, kernel: [3], padding: .explicit([1])),
                       try BatchNorm(dimensions: 2, features: v), Activation(.relu)]
            c = v
        }
        super.init("VGG11")
        register(child: "features", Sequential(layers))
        register(child: "head", try Linear(inFeatures: c, outFeatures: classes))
    }

    override func forward(_ x: Tensor) throws -> Tensor {
        try child("head")!(child("features")!(x).mean(axes: [2, 3]))
    }
}

/// 1 − mean over (batch, class) of (2·Σ p·y + 1e−5) / (Σ p + Σ y + 1e−5).
func benchDiceLoss(_ p: Tensor, _ onehot: Tensor) throws -> Tensor {
    let axes = Array(2..<p.rank)
    let intersection = try (p * onehot).sum(axes: axes)
    let denominator = try p.sum(axes: axes) + onehot.sum(axes: axes)
    return try 1 - ((2 * intersection + 1e-5) / (denominator + 1e-5)).mean()
}

/// The five network workloads. Each runs alone in its own process (this program again, with
/// `SCRY_BENCH_ONLY=name`), so that its peak memory is its own, and beside PyTorch's run of the
/// same workload alone (`torch_reference.py --only name`) when PyTorch is installed.
func benchNetworks() throws {
    let environment = ProcessInfo.processInfo.environment
    if let only = environment["SCRY_BENCH_ONLY"] {
        try runNetworkWorkload(only)
        return
    }
    let usePeer = environment["SCRY_BENCH_PEER"] != "0"
    for (name, _, _) in networkWorkloads {
        var child = environment
        child["SCRY_BENCH_ONLY"] = name
        guard let ours = runJSONLines(CommandLine.arguments[0], ["networks"], environment: child)[name] else {
            throw BenchFailure("workload \(name) produced no result")
        }
        let peer = usePeer ? runPeer(benchPath("../../shared/bench/torch_reference.py"), arguments: ["--threads", String(Threads.count), "--only", name])[name] : nil
        var fields = comparing(ours, with: peer, missing: "pytorch not available")
        if let peerMemory = peer?["max_rss_mb"] as? Double, let memory = ours["max_rss_mb"] as? Double {
            fields["peer_max_rss_mb"] = peerMemory
            fields["memory_ratio"] = rounded(peerMemory / memory)
        }
        emit(fields)
    }
}

/// The workloads: name, GFLOP per run (WORKLOADS.md), and a builder returning the timed body.
let networkWorkloads: [(name: String, gflop: Double, make: @Sendable () throws -> () throws -> Void)] = [
    ("unet2d_train_step", 27.6, { try segmentationStep(dims: 2, batch: 8, size: 128, widths: [16, 32, 64, 128]) }),
    ("unet3d_train_step", 37.1, { try segmentationStep(dims: 3, batch: 2, size: 64, widths: [8, 16, 32]) }),
    ("vgg11_train_step", 14.7, classificationStep),
    ("vgg11_infer_batch", 19.8, classificationInference),
    ("gradcam_vgg11_224", 3.8, gradcamRun),
]

/// Times one workload in this process and prints its line with the peak resident memory.
func runNetworkWorkload(_ name: String) throws {
    guard let workload = networkWorkloads.first(where: { $0.name == name }) else {
        throw BenchFailure("no workload \(name); known: \(networkWorkloads.map(\.name).joined(separator: ", "))")
    }
    Random.seed(0)
    let seconds = try medianSeconds(try workload.make())
    emit(["workload": name, "seconds": rounded(seconds), "threads": Threads.count, "gflops": rounded(workload.gflop / seconds),
          "max_rss_mb": rounded(peakResidentMB())])
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// This process's peak resident memory (VmHWM): getrusage's maxrss would also count the
/// parent's peak, which Linux carries across the exec that started this process.
func peakResidentMB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kilobytes / 1024
}


func segmentationStep(dims: Int, batch: Int, size: Int, widths: [Int]) throws -> () throws -> Void {
    let model = try BenchUNet(dims: dims, inChannels: 1, classes: 2, widths: widths)
    let optimizer = try Optimizer(.adam, learningRate: 1e-3)
    let spatial = [Int](repeating: size, count: dims)
    let x = try Tensor.randn([batch, 1] + spatial)
    let labels = try Tensor.rand([batch] + spatial).gt(0.5).to(.int64)
    let onehot = try Tensor.oneHot(labels, classes: 2, axis: 1)
    return {
        model.zeroGrad()
        try benchDiceLoss(model(x), onehot).backward()
        try optimizer.step(model)
    }
}

func classificationStep() throws -> () throws -> Void {
    let model = try BenchVGG11(inChannels: 3, classes: 4)
    let optimizer = try Optimizer(.sgd, learningRate: 1e-2, momentum: 0.9)
    let x = try Tensor.randn([16, 3, 64, 64]), y = try Tensor.randint(0, 4, [16])
    return {
        model.zeroGrad()
        try Losses.crossEntropy(model(x), y).backward()
        try optimizer.step(model)
    }
}

func classificationInference() throws -> () throws -> Void {
    let model = try BenchVGG11(inChannels: 3, classes: 4)
    model.setTraining(false)
    let x = try Tensor.randn([64, 3, 64, 64])
    return { _ = try withNoGrad { try model(x) } }
}

func gradcamRun() throws -> () throws -> Void {
    let model = try BenchVGG11(inChannels: 3, classes: 4)
    model.setTraining(false)
    let x = try Tensor.randn([1, 3, 224, 224])
    let target = model.module(at: "features.27")!  // the last ReLU before the final pool
    return {
        var activation: Tensor?
        let handle = target.addForwardHook { _, output in activation = output }
        let out = try model(x)
        handle.remove()
        let a = activation!
        let top = Int(try out.index([.at(0)]).argmax().item())
        // The score's gradient with respect to the activation alone (torch.autograd.grad).
        let gradient = try out.index([.at(0), .at(top)]).gradients(withRespectTo: [a])[0]
        try withNoGrad {
            let weights = try gradient.mean(axes: [2, 3], keepDims: true)
            var cam = try (weights * a.detach()).sum(axes: [1], keepDims: true).relu()
            cam = try cam - cam.min()
            cam = try cam / (cam.max() + 1e-7)
            _ = try Tensor.upsample(cam, size: [224, 224], mode: .linear)
        }
    }
}
