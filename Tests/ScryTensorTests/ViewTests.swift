import XCTest
@testable import ScryTensor

/// Value semantics with shared storage: views do not copy, writes do not leak.
final class ViewTests: XCTestCase {
    func testViewsShareStorage() throws {
        let x = try Tensor.arange(0, 24, dtype: .float32).reshape([2, 3, 4])
        XCTAssertTrue(try x.reshape([6, 4]).storage === x.storage)
        XCTAssertTrue(try x.permute([2, 0, 1]).storage === x.storage)
        XCTAssertTrue(try x.index([.at(1), .slice(start: 0, stop: nil, step: 2)]).storage === x.storage)
        XCTAssertTrue(try x.flip([1]).storage === x.storage)
        XCTAssertTrue(try x.index([.all, .at(0)]).expand([5, 2, 4]).storage === x.storage)
        XCTAssertFalse(try x.transpose().isContiguous)
        XCTAssertTrue(try x.transpose().contiguous().isContiguous)
    }

    func testCopyOnWrite() throws {
        let x = try Tensor([[1.0, 2.0], [3.0, 4.0]])
        var y = x
        try y.setElement(9, at: [0, 0])
        XCTAssertEqual(x.scalars(), [1, 2, 3, 4])
        XCTAssertEqual(y.scalars(), [9, 2, 3, 4])
        var t = try x.transpose()
        try t.setElement(7, at: [0, 1])
        XCTAssertEqual(t.scalars(), [1, 7, 2, 4])
        XCTAssertEqual(x.scalars(), [1, 2, 3, 4])
    }

    func testAssignIntoRegion() throws {
        var x = try Tensor.zeros([3, 4])
        let original = x
        try x.assign(Tensor([1.0, 2.0]), at: [.slice(start: 1, stop: nil, step: nil), .slice(start: 0, stop: 4, step: 2)])
        XCTAssertEqual(x.scalars(), [0, 0, 0, 0, 1, 0, 2, 0, 1, 0, 2, 0])
        XCTAssertEqual(original.scalars(), [Double](repeating: 0, count: 12))
        assertTensorError("expand", "[3]", "[4]") { try x.assign(Tensor([1.0, 2.0, 3.0]), at: [.at(0)]) }
    }

    func testOpsAcceptStridedViews() throws {
        let x = try Tensor.arange(0, 12, dtype: .float32).reshape([3, 4])
        let t = try x.transpose()  // [4, 3], strides [1, 4]
        XCTAssertEqual(try (t + 0).scalars(), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
        XCTAssertEqual(try t.sum(axes: [1]).scalars(), [12, 15, 18, 21])
        XCTAssertEqual(try x.flip([1]).index([.at(0)]).scalars(), [3, 2, 1, 0])
        let stepped = try x.index([.all, .slice(start: nil, stop: nil, step: 2)])
        XCTAssertEqual(try stepped.matmul(Tensor([[1.0], [1.0]])).scalars(), [2, 10, 18])
        // Matmul with a transposed, a sliced and a broadcast operand, checked against copies.
        let a = try sample([5, 3]), b = try sample([4, 5], seed: 2)
        assertClose(try a.transpose().matmul(b.transpose()),
                    try a.transpose().contiguous().matmul(b.transpose().contiguous()))
    }

    func testLargeReductionsAreAccurate() throws {
        let n = 1 << 22
        let x = try Tensor.full([n], 0.1)
        XCTAssertEqual(try x.sum().item(), Double(Float(0.1)) * Double(n), accuracy: 1e-5 * Double(n) * 0.1)
        let ones = try Tensor.ones([n], dtype: .int64)
        XCTAssertEqual(try ones.sum().item(), Double(n))
        let big = try Tensor.full([1 << 25], 1, dtype: .bool)
        XCTAssertEqual(try big.sum().item(), Double(1 << 25))
    }

    func testResultsDoNotDependOnThreadCount() throws {
        let x = try sample([300, 700], seed: 5)
        let before = Threads.count
        defer { Threads.set(before) }
        Threads.set(1)
        let one = (try (x.exp() * x).sum(axes: [0]).scalars(), try x.max(axes: [1]).scalars())
        Threads.set(2)
        XCTAssertEqual(Threads.count, 2)
        let two = (try (x.exp() * x).sum(axes: [0]).scalars(), try x.max(axes: [1]).scalars())
        XCTAssertEqual(one.0, two.0)
        XCTAssertEqual(one.1, two.1)
    }

    func testLongRunsSplitAmongThreadsFindTheExtremes() throws {
        var x = try Tensor.arange(0, Double(1 << 18), dtype: .float32).reshape([1, 1 << 18])
        try x.setElement(1e9, at: [0, 200_001])
        try x.setElement(-5, at: [0, 3])
        XCTAssertEqual(try x.max().item(), 1e9)
        XCTAssertEqual(try x.min(axes: [1]).scalars(), [-5])
        try x.setElement(.nan, at: [0, 150_000])
        XCTAssertTrue(try x.max().item().isNaN)
    }

    func testNaNPropagates() throws {
        let x = try Tensor([1.0, .nan, 3.0])
        XCTAssertTrue(try x.max().item().isNaN)
        XCTAssertTrue(try x.min().item().isNaN)
        XCTAssertEqual(try x.argmax().item(), 1)
        XCTAssertTrue(try x.maximum(Tensor([2.0, 2.0, 2.0])).scalars()[1].isNaN)
    }
}
