import XCTest
@testable import ScryTensor

final class TransposedConvolutionTests: XCTestCase {
    /// The defining property: <conv_transpose(x), y> = <x, conv(y)> for the same weight.
    func testIsTheAdjointOfConvolution() throws {
        let cases: [(x: [Int], w: [Int], stride: [Int], pad: [Int], outPad: [Int], dilation: [Int], groups: Int)] = [
            ([2, 4, 5], [4, 3, 3], [2], [1], [1], [1], 1),
            ([1, 4, 3, 4], [4, 2, 2, 2], [2], [0], [0], [1], 1),
            ([1, 4, 4, 3], [4, 1, 3, 3], [2, 1], [1, 0], [1, 0], [1, 2], 2),
            ([1, 2, 2, 3, 2], [2, 3, 2, 2, 2], [2], [0], [0], [1], 1),
        ]
        for (i, c) in cases.enumerated() {
            let x = try sample(c.x, seed: UInt64(i + 1)), w = try sample(c.w, seed: UInt64(i + 20))
            let y = try Tensor.convTranspose(x, weight: w, stride: c.stride, padding: c.pad, outputPadding: c.outPad,
                                             dilation: c.dilation, groups: c.groups)
            let probe = try sample(y.shape, seed: UInt64(i + 40))
            let back = try Tensor.conv(probe, weight: w, stride: c.stride, padding: .explicit(c.pad), dilation: c.dilation, groups: c.groups)
            XCTAssertEqual(back.shape, x.shape, "case \(i)")
            let left = try (y * probe).sum().item(), right = try (x * back).sum().item()
            XCTAssertEqual(left, right, accuracy: 1e-4 * Swift.max(1, Swift.abs(left)), "case \(i)")
        }
    }

    func testOutputSizesAndBias() throws {
        let x = try Tensor.ones([1, 1, 2, 2]), w = try Tensor.ones([1, 1, 2, 2])
        let y = try Tensor.convTranspose(x, weight: w, bias: Tensor([0.5]), stride: [2])
        XCTAssertEqual(y.shape, [1, 1, 4, 4])
        XCTAssertEqual(y.scalars(), [Double](repeating: 1.5, count: 16))
        XCTAssertEqual(try Tensor.convTranspose(Tensor.ones([1, 2, 8, 8, 8]), weight: Tensor.ones([2, 4, 2, 2, 2]), stride: [2]).shape, [1, 4, 16, 16, 16])
        XCTAssertEqual(try Tensor.convTranspose(Tensor.ones([1, 1, 3]), weight: Tensor.ones([1, 1, 3]), stride: [2], padding: [1], outputPadding: [1]).shape, [1, 1, 6])
    }

    func testGradients() throws {
        try checkGradients([try sample([1, 2, 3, 3], seed: 1), try sample([2, 3, 2, 2], seed: 2), try sample([3], seed: 3)]) {
            try Tensor.convTranspose($0[0], weight: $0[1], bias: $0[2], stride: [2])
        }
        try checkGradients([try sample([1, 4, 3, 2], seed: 4), try sample([4, 1, 3, 2], seed: 5)]) {
            try Tensor.convTranspose($0[0], weight: $0[1], stride: [2, 1], padding: [1, 0], outputPadding: [1, 0], groups: 2)
        }
        try checkGradients([try sample([1, 1, 2, 2, 2], seed: 6), try sample([1, 2, 2, 2, 2], seed: 7)]) {
            try Tensor.convTranspose($0[0], weight: $0[1], stride: [2])
        }
    }

    func testErrors() throws {
        let x = try Tensor.zeros([1, 2, 4, 4])
        assertTensorError("conv_transpose", "expects 3 input channels") { try Tensor.convTranspose(x, weight: Tensor.zeros([3, 1, 2, 2])) }
        assertTensorError("conv_transpose", "output padding") { try Tensor.convTranspose(x, weight: Tensor.zeros([2, 1, 2, 2]), outputPadding: [1]) }
        assertTensorError("conv_transpose", "bias [4]") { try Tensor.convTranspose(x, weight: Tensor.zeros([2, 1, 2, 2]), bias: Tensor.zeros([4])) }
    }
}
