import XCTest
@testable import ScryTensor

final class PoolingTests: XCTestCase {
    func testMaxPoolValuesIndicesAndPadding() throws {
        let x = try Tensor([[[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 9.0, 1.0], [0.0, 2.0, 8.0, 7.0]]]])  // [1, 1, 3, 4]
        let (values, indices) = try Tensor.maxPool(x, kernel: [2])
        XCTAssertEqual(values.shape, [1, 1, 1, 2])
        XCTAssertEqual(values.scalars(), [5, 9])
        XCTAssertEqual(indices.scalars(), [1, 6])
        let padded = try Tensor.maxPool(x, kernel: [3], stride: [2], padding: [1]).values
        XCTAssertEqual(padded.shape, [1, 1, 2, 2])
        XCTAssertEqual(padded.scalars(), [5, 9, 4, 9])
        let oneD = try Tensor.maxPool(Tensor([[[1.0, -2.0, 3.0, 0.5, -1.0]]]), kernel: [2], stride: [1]).values
        XCTAssertEqual(oneD.scalars(), [1, 3, 3, 0.5])
    }

    /// The 2×2 (2×2×2) stride-2 fast path picks the same winners as the general window loop:
    /// the first of equal maxima, a NaN over any number, odd sizes' last row and column dropped.
    func testHalvingMaxPoolMatchesTheGeneralWindows() throws {
        for shape in [[2, 3, 5, 7], [1, 2, 5, 4, 7]] {
            var values = try sample(shape, seed: 21).scalars().map { ($0 * 3).rounded() }  // many ties
            values[5] = .nan; values[17] = .nan; values[18] = .nan
            let x = try Tensor(flat: values, shape: shape)
            let fast = try Tensor.maxPool(x, kernel: [2])
            let g = try PoolGeometry(shape, kernel: [2], stride: nil, padding: [0], op: "max_pool")
            var expectedValues: [Double] = [], expectedIndices: [Double] = []
            for plane in 0..<g.planes {
                g.forEachWindow { _, window in
                    var best = window[0]
                    for p in window.dropFirst() where values[plane * g.inputVolume + p] > values[plane * g.inputVolume + best] || values[plane * g.inputVolume + p].isNaN { best = p }
                    expectedValues.append(values[plane * g.inputVolume + best]); expectedIndices.append(Double(best))
                }
            }
            XCTAssertEqual(fast.indices.scalars(), expectedIndices, "\(shape)")
            XCTAssertEqual(fast.values.scalars().map { $0.isNaN ? -999 : $0 }, expectedValues.map { $0.isNaN ? -999 : $0 }, "\(shape)")
        }
    }

    func testAvgPoolWithAndWithoutPadding() throws {
        let x = try Tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
        XCTAssertEqual(try Tensor.avgPool(x, kernel: [2]).scalars(), [2.5])
        XCTAssertEqual(try Tensor.avgPool(x, kernel: [2], stride: [1], padding: [1]).scalars(), [0.25, 0.75, 0.5, 1.0, 2.5, 1.5, 0.75, 1.75, 1.0])
        XCTAssertEqual(try Tensor.avgPool(x, kernel: [2], stride: [1], padding: [1], countIncludePad: false).scalars(),
                       [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4])
    }

    func testAdaptiveAveragePoolingBins() throws {
        let x = try Tensor.arange(0, 10, dtype: .float32).reshape([1, 1, 10])
        // Bins of 10 into 3: [0, 4), [3, 7), [6, 10).
        XCTAssertEqual(try Tensor.adaptiveAvgPool(x, size: [3]).scalars(), [1.5, 4.5, 7.5])
        let volume = try sample([2, 3, 5, 6, 7])
        let pooled = try Tensor.adaptiveAvgPool(volume, size: [1])
        assertClose(pooled, try volume.mean(axes: [2, 3, 4], keepDims: true))
    }

    /// Distinct values 0.03 apart in a fixed shuffled order: no two within the check's step,
    /// so every window has a clear maximum.
    func distinct(_ shape: [Int], seed: UInt64) throws -> Tensor {
        var generator = RandomGenerator(seed: seed)
        var values = (0..<shape.reduce(1, *)).map { Double($0) * 0.03 }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, Int(generator.nextInt(in: 0..<Int64(i + 1))))
        }
        return try Tensor(flat: values, shape: shape)
    }

    func testGradients() throws {
        try checkGradients([try distinct([1, 2, 5, 6], seed: 3)]) { try Tensor.maxPool($0[0], kernel: [2, 3], stride: [2, 2], padding: [1, 1]).values }
        try checkGradients([try distinct([2, 1, 4, 4, 4], seed: 4)]) { try Tensor.maxPool($0[0], kernel: [2]).values }
        try checkGradients([try sample([1, 2, 5, 6], seed: 5)]) { try Tensor.avgPool($0[0], kernel: [3], stride: [2], padding: [1]) }
        try checkGradients([try sample([1, 2, 7], seed: 6)]) { try Tensor.avgPool($0[0], kernel: [2], padding: [1], countIncludePad: false) }
        try checkGradients([try sample([1, 2, 5, 7], seed: 7)]) { try Tensor.adaptiveAvgPool($0[0], size: [2, 3]) }
    }

    func testErrors() throws {
        let x = try Tensor.zeros([1, 1, 4, 4])
        assertTensorError("max_pool", "does not fit") { try Tensor.maxPool(x, kernel: [5]) }
        assertTensorError("avg_pool", "at most half the kernel") { try Tensor.avgPool(x, kernel: [2], padding: [2]) }
        assertTensorError("max_pool", "must be positive") { try Tensor.maxPool(x, kernel: [0]) }
        assertTensorError("max_pool", "1 to 3 spatial axes") { try Tensor.maxPool(Tensor.zeros([4]), kernel: [2]) }
        assertTensorError("adaptive_avg_pool", "positive output sizes") { try Tensor.adaptiveAvgPool(x, size: [0]) }
    }
}
