import Foundation
import XCTest
@testable import ScryTensor

/// Outputs and gradients of the network kernels against PyTorch's on the same inputs
/// (Fixtures/torch_reference.json, written by make_torch_reference.py): the output, and the
/// gradient of every input for the same upstream gradient, within the project's tolerance.
final class TorchReferenceTests: XCTestCase {
    struct Fixture: Decodable { let cases: [Case] }
    struct Case: Decodable {
        let op: String
        let args: [String: ReferenceOpsTests.Arg]
        let inputs: [Values]
        let seed: Values
        let output: Values
        let grads: [Values]
    }
    struct Values: Decodable {
        let shape: [Int]
        let data: [Double]
        func tensor() throws -> Tensor { try Tensor(flat: data, shape: shape) }
    }

    func testKernelsMatchPyTorch() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/torch_reference.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        var ops = Set<String>()
        for (number, item) in fixture.cases.enumerated() {
            let leaves = try item.inputs.map { try $0.tensor().requiringGrad() }
            let output = try run(item, leaves)
            let label = "case \(number) (\(item.op))"
            assertClose(output, try item.output.tensor(), label + " output")
            try output.backward(item.seed.tensor())
            for (i, (leaf, expected)) in zip(leaves, item.grads).enumerated() {
                guard let grad = leaf.grad else { XCTFail("\(label): input \(i) got no gradient"); continue }
                assertClose(grad, try expected.tensor(), label + " gradient of input \(i)")
            }
            ops.insert(item.op)
        }
        XCTAssertEqual(ops.count, 14, "every kernel has PyTorch cases")
    }

    private func run(_ item: Case, _ x: [Tensor]) throws -> Tensor {
        let a = item.args
        func ints(_ key: String) -> [Int]? { a[key]?.ints }
        func flag(_ key: String) -> Bool { if case .flag(let f)? = a[key] { return f }; return false }
        switch item.op {
        case "conv":
            if flag("depthwise") {
                return try Tensor.conv(x[0], weight: Tensor.full([3, 1, 3, 3], 0.5), padding: .same, groups: 3)
            }
            return try Tensor.conv(x[0], weight: x[1], bias: x.count > 2 ? x[2] : nil, stride: ints("stride")!,
                                   padding: .explicit(ints("padding")!), dilation: ints("dilation")!, groups: a["groups"]!.int!)
        case "conv_transpose":
            return try Tensor.convTranspose(x[0], weight: x[1], bias: x.count > 2 ? x[2] : nil, stride: ints("stride")!,
                                            padding: ints("padding")!, outputPadding: ints("output_padding")!, groups: a["groups"]!.int!)
        case "max_pool": return try Tensor.maxPool(x[0], kernel: ints("kernel")!, stride: ints("stride"), padding: ints("padding")!).values
        case "avg_pool":
            return try Tensor.avgPool(x[0], kernel: ints("kernel")!, stride: ints("stride"), padding: ints("padding")!,
                                      countIncludePad: flag("count_include_pad"))
        case "adaptive_avg_pool": return try Tensor.adaptiveAvgPool(x[0], size: ints("size")!)
        case "upsample":
            return try Tensor.upsample(x[0], size: ints("size")!, mode: a["mode"]?.string == "nearest" ? .nearest : .linear,
                                       alignCorners: flag("align_corners"))
        case "batch_norm":
            return try Tensor.batchNorm(x[0], runningMean: nil, runningVar: nil, weight: x[1], bias: x[2], training: true).output
        case "instance_norm": return try Tensor.instanceNorm(x[0], weight: x.count > 1 ? x[1] : nil, bias: x.count > 2 ? x[2] : nil)
        case "group_norm": return try Tensor.groupNorm(x[0], groups: a["groups"]!.int!, weight: x[1], bias: x[2])
        case "layer_norm": return try Tensor.layerNorm(x[0], normalizedAxes: a["axes"]!.int!, weight: x[1], bias: x[2])
        case "leaky_relu": return try x[0].leakyRelu(slope: 0.01)
        case "gelu": return try x[0].gelu()
        case "softmax": return try x[0].softmax(axis: a["axis"]!.int!)
        case "log_softmax": return try x[0].logSoftmax(axis: a["axis"]!.int!)
        default:
            XCTFail("unknown op \(item.op)")
            return x[0]
        }
    }
}
