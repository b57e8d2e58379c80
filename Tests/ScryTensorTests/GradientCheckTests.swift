import XCTest
@testable import ScryTensor

/// Numerical gradient checks for every differentiable op: the analytic gradient of
/// L = Σ f(x) ⊙ w (w fixed and random, so every output element matters) is compared with
/// central differences (L(x + h) − L(x − h)) / 2h, h = 1e-3, L summed in Double. In float32
/// that quotient carries noise near 1e-4, so values agree when
/// |numeric − analytic| ≤ 2e-3 + 1e-2 · |numeric|. Inputs keep clear of kinks (0 for abs and
/// relu, ties for max) so that the derivative exists where it is checked.
final class GradientCheckTests: XCTestCase {
    func check(_ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line,
               _ f: ([Tensor]) throws -> Tensor) throws {
        try checkGradients(inputs, file: file, line: line, f)
    }

    /// Values in ±[0.2, 1]: no element near zero.
    func nonzero(_ shape: [Int], seed: UInt64 = 3) throws -> Tensor {
        let magnitude = try sample(shape, seed: seed, low: 0.2, high: 1)
        let signs = try sample(shape, seed: seed + 100).sign()
        return try magnitude * signs
    }

    func positive(_ shape: [Int], seed: UInt64 = 4) throws -> Tensor {
        try sample(shape, seed: seed, low: 0.3, high: 2)
    }

    func testUnaryOps() throws {
        let x = try nonzero([3, 4]), p = try positive([3, 4])
        try check([x]) { try $0[0].neg() }
        try check([x]) { try $0[0].abs() }
        try check([x]) { try $0[0].exp() }
        try check([p]) { try $0[0].log() }
        try check([p]) { try $0[0].sqrt() }
        try check([p]) { try $0[0].rsqrt() }
        try check([x]) { try $0[0].sin() }
        try check([x]) { try $0[0].cos() }
        try check([x]) { try $0[0].tanh() }
        try check([x]) { try $0[0].sigmoid() }
        try check([x]) { try $0[0].relu() }
        try check([p]) { try $0[0].pow(2.5) }
        try check([x]) { try $0[0].pow(3) }
        try check([x]) { try $0[0].clamp(min: -0.5, max: 0.6) }
        try check([x]) { try $0[0].clamp(min: 0.1) }
    }

    func testBinaryOpsWithBroadcasting() throws {
        let a = try nonzero([2, 3, 4]), b = try nonzero([3, 1], seed: 5), c = try nonzero([4], seed: 6)
        try check([a, b]) { try $0[0] + $0[1] }
        try check([c, a]) { try $0[0] - $0[1] }
        try check([a, b]) { try $0[0] * $0[1] }
        try check([a, b]) { try $0[0] / $0[1] }
        try check([a, c]) { try $0[0] / $0[1] }
        try check([try positive([2, 3]), try nonzero([3], seed: 8)]) { try $0[0].pow($0[1]) }
        // Offsets of ±0.3 keep the two operands apart, away from the tie.
        let shift = try nonzero([3, 4], seed: 9).sign() * 0.3
        let x = try nonzero([3, 4]), y = try x + shift
        try check([x, y]) { try $0[0].maximum($0[1]) }
        try check([x, y]) { try $0[0].minimum($0[1]) }
        let mask = try x.gt(0)
        try check([x, try nonzero([4], seed: 10)]) { try Tensor.where(mask, $0[0], $0[1]) }
        try check([x]) { try $0[0] * 3 - 2 / ($0[0] + 5) }
    }

    func testReductions() throws {
        let x = try nonzero([2, 3, 4])
        for axes: [Int]? in [nil, [0], [1], [2], [0, 2], [-1, -2]] {
            try check([x]) { try $0[0].sum(axes: axes) }
            try check([x]) { try $0[0].mean(axes: axes, keepDims: true) }
            try check([x]) { try $0[0].max(axes: axes) }
            try check([x]) { try $0[0].min(axes: axes, keepDims: true) }
            try check([x]) { try $0[0].variance(axes: axes) }
            try check([x]) { try $0[0].std(axes: axes, correction: 0) }
            try check([x]) { try $0[0].norm(axes: axes) }
        }
        try check([x]) { try $0[0].norm(p: 1, axes: [1]) }
        try check([x]) { try $0[0].norm(p: 3, axes: [2]) }
        try check([x]) { try $0[0].norm(p: .infinity) }
    }

    func testMatmul() throws {
        try check([try nonzero([3, 4]), try nonzero([4, 2], seed: 5)]) { try $0[0].matmul($0[1]) }
        try check([try nonzero([4]), try nonzero([4], seed: 5)]) { try $0[0].matmul($0[1]) }
        try check([try nonzero([4]), try nonzero([2, 4, 3], seed: 5)]) { try $0[0].matmul($0[1]) }
        try check([try nonzero([2, 3, 4]), try nonzero([4], seed: 5)]) { try $0[0].matmul($0[1]) }
        try check([try nonzero([2, 1, 3, 4]), try nonzero([3, 4, 2], seed: 5)]) { try $0[0].matmul($0[1]) }
        // Transposed operands reach BLAS as transposes.
        try check([try nonzero([4, 3]), try nonzero([2, 4], seed: 5)]) { try $0[0].transpose().matmul($0[1].transpose()) }
    }

    func testShapeOps() throws {
        let x = try nonzero([2, 3, 4])
        try check([x]) { try $0[0].reshape([4, -1]) }
        try check([x]) { try $0[0].flatten(start: 1) }
        try check([try nonzero([2, 1, 3])]) { try $0[0].squeeze() }
        try check([x]) { try $0[0].unsqueeze(-1) }
        try check([x]) { try $0[0].permute([2, 0, 1]) }
        try check([x]) { try $0[0].transpose(0, 2) }
        try check([x]) { try $0[0].index([.at(1), .slice(start: nil, stop: nil, step: -1), .slice(start: 1, stop: nil, step: 2)]) }
        try check([x]) { try $0[0].index([.ellipsis, .at(-1)]) }
        try check([x]) { try $0[0].indexSelect(axis: 2, indices: Tensor([3, 0, 3])) }
        try check([x, try nonzero([2, 1, 4], seed: 5)]) { try Tensor.concat([$0[0], $0[1]], axis: 1) }
        try check([x, try nonzero([2, 3, 4], seed: 5)]) { try Tensor.stack([$0[0], $0[1]], axis: 1) }
        try check([x]) { try $0[0].split(sizes: [1, 3], axis: 2)[1] }
        try check([x]) { try $0[0].split(parts: 2, axis: 0)[0] }
        try check([x]) { try $0[0].pad([(1, 0), (0, 2)], value: 3) }
        try check([x]) { try $0[0].repeat([2, 1, 2]) }
        try check([x]) { try $0[0].repeat([2, 1, 1, 1]) }
        try check([x]) { try $0[0].flip([0, 2]) }
        try check([try nonzero([3, 1])]) { try $0[0].expand([2, 3, 4]) }
        try check([x]) { try $0[0].transpose().contiguous() }
    }

    func testComposedExpression() throws {
        // A small network-like expression: softmax-cross-entropy over a matmul.
        let w = try nonzero([4, 3]), input = try nonzero([5, 4], seed: 5)
        try check([w, input]) { v in
            let logits = try v[1].matmul(v[0])
            let shifted = try logits - logits.max(axes: [1], keepDims: true).detach()
            let logSoftmax = try shifted - shifted.exp().sum(axes: [1], keepDims: true).log()
            return try logSoftmax.index([.all, .at(0)]).mean()
        }
    }
}
