import XCTest
@testable import ScryTensor

/// Convolution: values against a direct (loop) reference, gradients against central
/// differences (the tolerance of GradientCheckTests), and its errors.
final class ConvolutionTests: XCTestCase {
    /// The textbook definition, one output element at a time, for 1 to 3 spatial axes.
    func directConv(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: [Int], pad: [Int], dilation: [Int], groups: Int) throws -> [Double] {
        let d = x.rank - 2
        let xs = x.scalars(), ws = w.scalars()
        let (n, cin, cout) = (x.shape[0], x.shape[1], w.shape[0])
        let S = Array(x.shape[2...]), K = Array(w.shape[2...])
        var O: [Int] = []
        for a in 0..<d {
            let reach: Int = dilation[a] * (K[a] - 1) + 1
            let padded: Int = S[a] + 2 * pad[a]
            O.append((padded - reach) / stride[a] + 1)
        }
        func index(_ coords: [Int], _ dims: [Int]) -> Int { zip(coords, dims).reduce(0) { $0 * $1.1 + $1.0 } }
        var out: [Double] = []
        let outPositions = O.reduce(1, *), kernelPositions = K.reduce(1, *)
        func unflatten(_ i: Int, _ dims: [Int]) -> [Int] {
            var r = i
            return dims.reversed().map { let v = r % $0; r /= $0; return v }.reversed()
        }
        for b0 in 0..<n {
            for co in 0..<cout {
                let group = co / (cout / groups), perGroup = cin / groups
                for p in 0..<outPositions {
                    let o = unflatten(p, O)
                    var total = b.map { $0.scalars()[co] } ?? 0
                    for ci in 0..<perGroup {
                        for q in 0..<kernelPositions {
                            let k = unflatten(q, K)
                            var i: [Int] = []
                            for a in 0..<d {
                                let position: Int = o[a] * stride[a] - pad[a] + k[a] * dilation[a]
                                i.append(position)
                            }
                            guard (0..<d).allSatisfy({ i[$0] >= 0 && i[$0] < S[$0] }) else { continue }
                            let xv = xs[index([b0, group * perGroup + ci] + i, x.shape)]
                            let wv = ws[index([co, ci] + k, w.shape)]
                            total += xv * wv
                        }
                    }
                    out.append(total)
                }
            }
        }
        return out
    }

    func testValuesMatchTheDirectDefinition() throws {
        let cases: [(x: [Int], w: [Int], stride: [Int], pad: [Int], dilation: [Int], groups: Int)] = [
            ([2, 3, 9], [4, 3, 3], [1], [1], [1], 1),
            ([1, 4, 11], [4, 2, 3], [2], [2], [2], 2),
            ([2, 2, 7, 6], [3, 2, 3, 3], [1, 1], [1, 1], [1, 1], 1),
            ([1, 4, 9, 8], [6, 2, 3, 2], [2, 3], [1, 0], [2, 1], 2),
            ([1, 3, 6, 7], [3, 1, 3, 3], [1, 1], [1, 1], [1, 1], 3),
            ([1, 2, 5, 6, 4], [3, 2, 3, 3, 3], [1, 2, 1], [1, 1, 1], [1, 1, 1], 1),
            ([1, 2, 7, 5, 6], [2, 1, 2, 3, 2], [2, 1, 2], [0, 1, 1], [2, 1, 1], 2),
        ]
        for (i, c) in cases.enumerated() {
            let x = try sample(c.x, seed: UInt64(i + 1)), w = try sample(c.w, seed: UInt64(i + 50))
            let b = try sample([c.w[0]], seed: UInt64(i + 90))
            let y = try Tensor.conv(x, weight: w, bias: b, stride: c.stride, padding: .explicit(c.pad), dilation: c.dilation, groups: c.groups)
            assertClose(y.scalars(), try directConv(x, w, b, stride: c.stride, pad: c.pad, dilation: c.dilation, groups: c.groups), "case \(i)")
        }
    }

    func testSamePaddingKeepsTheSize() throws {
        let x = try sample([1, 2, 8, 7])
        for (kernel, dilation) in [([3, 3], [1, 1]), ([4, 2], [1, 2]), ([5, 1], [2, 1])] {
            let w = try sample([3, 2] + kernel, seed: 9)
            let y = try Tensor.conv(x, weight: w, padding: .same, dilation: dilation)
            XCTAssertEqual(y.shape, [1, 3, 8, 7])
        }
    }

    func testGradients() throws {
        try checkGradients([try sample([2, 2, 7], seed: 1), try sample([3, 2, 3], seed: 2), try sample([3], seed: 3)]) {
            try Tensor.conv($0[0], weight: $0[1], bias: $0[2], stride: [2], padding: .explicit([1]))
        }
        try checkGradients([try sample([1, 4, 6, 5], seed: 4), try sample([4, 2, 3, 2], seed: 5)]) {
            try Tensor.conv($0[0], weight: $0[1], stride: [1, 2], padding: .explicit([1, 0]), dilation: [2, 1], groups: 2)
        }
        try checkGradients([try sample([1, 3, 5, 5], seed: 6), try sample([3, 1, 3, 3], seed: 7)]) {
            try Tensor.conv($0[0], weight: $0[1], padding: .same, groups: 3)
        }
        // Same-shape stride-1 convolutions take the shifted-copy path for im2col and col2im.
        try checkGradients([try sample([2, 2, 3, 4, 3], seed: 11), try sample([2, 2, 3, 3, 3], seed: 12)]) {
            try Tensor.conv($0[0], weight: $0[1], padding: .explicit([1]))
        }
        try checkGradients([try sample([1, 2, 4, 6], seed: 13), try sample([2, 2, 3, 5], seed: 14)]) {
            try Tensor.conv($0[0], weight: $0[1], padding: .explicit([1, 2]))
        }
        try checkGradients([try sample([1, 2, 4, 4, 3], seed: 8), try sample([2, 2, 2, 3, 2], seed: 9), try sample([2], seed: 10)]) {
            try Tensor.conv($0[0], weight: $0[1], bias: $0[2], stride: [1, 2, 1], padding: .explicit([1, 1, 0]))
        }
    }

    /// Large outputs are unfolded a few lines at a time and small ones several samples at a
    /// time: every way of chunking gives the same values and gradients as one whole GEMM.
    func testColumnChunksAgree() throws {
        let cases: [(x: [Int], w: [Int], stride: [Int], pad: [Int], dilation: [Int], groups: Int)] = [
            ([3, 4, 9, 8], [6, 2, 3, 3], [1, 1], [1, 1], [1, 1], 2),
            ([2, 2, 7, 9], [3, 2, 3, 2], [2, 3], [1, 2], [2, 1], 1),
            ([2, 2, 5, 6, 4], [3, 2, 3, 3, 3], [1, 2, 1], [1, 1, 1], [1, 1, 2], 1),
            ([2, 2, 4, 5, 6], [3, 2, 3, 3, 3], [1, 1, 1], [1, 1, 1], [1, 1, 1], 1),
            ([2, 3, 6, 7], [2, 3, 3, 5], [1, 1], [1, 2], [1, 1], 1),
        ]
        for (i, c) in cases.enumerated() {
            let x = try sample(c.x, seed: UInt64(i + 1)), w = try sample(c.w, seed: UInt64(i + 50))
            let direct = try directConv(x, w, nil, stride: c.stride, pad: c.pad, dilation: c.dilation, groups: c.groups)
            let g = try ConvGeometry(input: c.x, weight: c.w, stride: c.stride, padding: .explicit(c.pad), dilation: c.dilation, groups: c.groups)
            let dy = try sample(g.outputShape, seed: UInt64(i + 70))
            func run(_ budget: Int) throws -> [[Double]] {
                let y = try Tensor.zeros(g.outputShape), dx = try Tensor.zeros(c.x), dw = try Tensor.zeros(c.w)
                try withExtendedLifetime((x, w, dy)) {
                    try g.convolveColumns(x.floatPointer, w.floatPointer, y.floatPointer, budget: budget)
                    try g.backpropagateColumns(dy.floatPointer, weight: w.floatPointer, input: x.floatPointer, inputGradient: dx.floatPointer,
                                               weightGradient: dw.floatPointer, budget: budget)
                }
                return [y.scalars(), dx.scalars(), dw.scalars()]
            }
            let whole = try run(1 << 30)
            assertClose(whole[0], direct, "case \(i) against the definition")
            for budget in [1, 2 * g.columnRows * g.output[2] + 1, g.columnRows * g.outputVolume * 2] {
                for (part, expected) in zip(try run(budget), whole) { assertClose(part, expected, "case \(i) budget \(budget)") }
            }
        }
    }

    /// 2D 3×3 stride-1 convolutions with 16 or more channels each way take Winograd's path,
    /// forward and for the input's gradient: it agrees with the definition and with im2col for
    /// every padding it takes, odd and even sizes, several samples, and tiles chunked at any
    /// boundary (inside a row, across samples).
    func testWinogradAgreesWithColumns() throws {
        let cases: [(x: [Int], channels: Int, pad: Int)] = [
            ([2, 16, 7, 9], 16, 1), ([1, 17, 6, 6], 20, 0), ([3, 16, 5, 8], 18, 2), ([1, 24, 10, 3], 16, 1),
            // Rows of 20 tiles and more: eight tiles at a time in the SIMD paths, with a remainder.
            ([1, 16, 5, 45], 16, 0), ([2, 16, 4, 41], 17, 2), ([1, 16, 3, 40], 16, 1),
        ]
        for (i, c) in cases.enumerated() {
            let w = [c.channels, c.x[1], 3, 3]
            let g = try ConvGeometry(input: c.x, weight: w, stride: [1], padding: .explicit([c.pad]), dilation: [1], groups: 1)
            let x = try sample(c.x, seed: UInt64(i + 1)), weight = try sample(w, seed: UInt64(i + 50))
            let bias = try sample([c.channels], seed: UInt64(i + 90)), dy = try sample(g.outputShape, seed: UInt64(i + 70))
            let reference = try Tensor.zeros(g.outputShape), referenceDx = try Tensor.zeros(c.x)
            try withExtendedLifetime((x, weight, bias, dy)) {
                try g.convolveColumns(x.floatPointer, weight.floatPointer, reference.floatPointer, bias: bias.floatPointer)
                try g.backpropagateColumns(dy.floatPointer, weight: weight.floatPointer, input: nil, inputGradient: referenceDx.floatPointer,
                                           weightGradient: nil)
            }
            assertClose(reference.scalars(), try directConv(x, weight, bias, stride: [1, 1], pad: [c.pad, c.pad], dilation: [1, 1], groups: 1))
            let backward = try g.inputGradientGeometry()
            XCTAssertEqual(backward.outputShape, c.x)
            let tiles = c.x[0] * ((g.output[1] + 1) / 2) * ((g.output[2] + 1) / 2)
            for chunkTiles in [1, 5, tiles - 1, tiles] {
                let y = try Tensor.zeros(g.outputShape), dx = try Tensor.zeros(c.x)
                try withExtendedLifetime((x, weight, bias, dy)) {
                    try g.winogradConvolve(x.floatPointer, weight.floatPointer, y.floatPointer, bias: bias.floatPointer,
                                           budget: chunkTiles * 16 * (g.inChannels + g.outChannels))
                    try backward.winogradConvolve(dy.floatPointer, weight.floatPointer, dx.floatPointer, flipped: true,
                                                  budget: chunkTiles * 16 * (backward.inChannels + backward.outChannels))
                }
                assertClose(y.scalars(), reference.scalars(), "case \(i), \(chunkTiles) tiles per chunk")
                assertClose(dx.scalars(), referenceDx.scalars(), "case \(i) input gradient, \(chunkTiles) tiles per chunk")
            }
        }
        // Tensor.conv takes the path where it pays (enough channels and tiles), and its gradients
        // are im2col's (gradient-checked above).
        let small = try ConvGeometry(input: [1, 16, 8, 8], weight: [16, 16, 3, 3], stride: [1], padding: .same, dilation: [1], groups: 1)
        XCTAssertFalse(small.winogradApplies, "16 tiles")
        let g = try ConvGeometry(input: [1, 16, 20, 19], weight: [17, 16, 3, 3], stride: [1], padding: .same, dilation: [1], groups: 1)
        XCTAssertTrue(g.winogradApplies)
        let x = try sample([1, 16, 20, 19], seed: 21).requiringGrad(), w = try sample([17, 16, 3, 3], seed: 22).requiringGrad()
        let dy = try sample(g.outputShape, seed: 23)
        try (Tensor.conv(x, weight: w, padding: .same) * dy).sum().backward()
        let dx = try Tensor.zeros(x.shape), dw = try Tensor.zeros(w.shape)
        try withExtendedLifetime((x, w, dy)) {
            try g.backpropagateColumns(dy.floatPointer, weight: w.floatPointer, input: x.floatPointer, inputGradient: dx.floatPointer,
                                       weightGradient: dw.floatPointer)
        }
        assertClose(try XCTUnwrap(x.grad).scalars(), dx.scalars(), "input gradient")
        assertClose(try XCTUnwrap(w.grad).scalars(), dw.scalars(), "weight gradient")
    }

    func testErrorsNameTheShapes() throws {
        let x = try Tensor.zeros([1, 4, 8, 8])
        assertTensorError("conv", "expects 6 input channels", "[1, 4, 8, 8]") { try Tensor.conv(x, weight: Tensor.zeros([2, 3, 3, 3]), groups: 2) }
        assertTensorError("conv", "groups (3) must divide") { try Tensor.conv(x, weight: Tensor.zeros([3, 4, 3, 3]), groups: 3) }
        assertTensorError("conv", "does not fit") { try Tensor.conv(x, weight: Tensor.zeros([2, 4, 9, 9])) }
        assertTensorError("conv", "\"same\" needs stride 1") { try Tensor.conv(x, weight: Tensor.zeros([2, 4, 3, 3]), stride: [2], padding: .same) }
        assertTensorError("conv", "stride") { try Tensor.conv(x, weight: Tensor.zeros([2, 4, 3, 3]), stride: [1, 2, 3]) }
        assertTensorError("conv", "bias [3]") { try Tensor.conv(x, weight: Tensor.zeros([2, 4, 3, 3]), bias: Tensor.zeros([3])) }
        assertTensorError("conv", "1 to 3 spatial axes") { try Tensor.conv(Tensor.zeros([4, 8]), weight: Tensor.zeros([2, 4])) }
    }
}
