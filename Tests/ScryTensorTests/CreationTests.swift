import XCTest
@testable import ScryTensor

final class CreationTests: XCTestCase {
    func testConstantsAndRanges() throws {
        XCTAssertEqual(try Tensor.zeros([2, 3]).scalars(), [Double](repeating: 0, count: 6))
        XCTAssertEqual(try Tensor.ones([2], dtype: .int64).scalars(), [1, 1])
        XCTAssertEqual(try Tensor.full([2, 2], 7.5).scalars(), [7.5, 7.5, 7.5, 7.5])
        let range = try Tensor.arange(0, 5)
        XCTAssertEqual(range.dtype, .int64)
        XCTAssertEqual(range.scalars(), [0, 1, 2, 3, 4])
        let fractional = try Tensor.arange(1, 2, step: 0.25)
        XCTAssertEqual(fractional.dtype, .float32)
        XCTAssertEqual(fractional.scalars(), [1, 1.25, 1.5, 1.75])
        XCTAssertEqual(try Tensor.arange(5, 0, step: -2).scalars(), [5, 3, 1])
        XCTAssertEqual(try Tensor.linspace(0, 1, count: 5).scalars(), [0, 0.25, 0.5, 0.75, 1])
        XCTAssertEqual(try Tensor.eye(2, 3).scalars(), [1, 0, 0, 0, 1, 0])
        XCTAssertEqual(try Tensor.eye(3).shape, [3, 3])
    }

    func testFromSwiftArrays() throws {
        let nested = try Tensor([[1, 2, 3], [4, 5, 6]])
        XCTAssertEqual(nested.shape, [2, 3])
        XCTAssertEqual(nested.dtype, .int64)
        let floats = try Tensor([[0.5], [1.5]])
        XCTAssertEqual(floats.dtype, .float32)
        XCTAssertEqual(floats.shape, [2, 1])
        XCTAssertEqual(try Tensor([true, false]).dtype, .bool)
        XCTAssertEqual(try Tensor([1, 2], dtype: .float32).dtype, .float32)
        let flat = try Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [3, 2])
        XCTAssertEqual(try flat.element(at: [2, 1]), 6)
        XCTAssertEqual(try Tensor(flat: [1, 2, 3, 4, 5, 6], shape: [2, 3]).element(at: [1, -1]), 6)
        let scalar = Tensor(scalar: Float(3))
        XCTAssertEqual(scalar.rank, 0)
        XCTAssertEqual(try scalar.item(), 3)
    }

    func testSeedMakesRandomTensorsRepeat() throws {
        Random.seed(42)
        let a = try Tensor.randn([100]), b = try Tensor.rand([10]), c = try Tensor.randint(0, 10, [20])
        Random.seed(42)
        XCTAssertEqual(try Tensor.randn([100]).scalars(), a.scalars())
        XCTAssertEqual(try Tensor.rand([10]).scalars(), b.scalars())
        XCTAssertEqual(try Tensor.randint(0, 10, [20]).scalars(), c.scalars())
        Random.seed(43)
        XCTAssertNotEqual(try Tensor.randn([100]).scalars(), a.scalars())
    }

    func testGeneratorStateRestoresExactly() throws {
        Random.seed(7)
        _ = try Tensor.randn([3])  // leaves a spare normal pending
        let saved = Random.state
        let expected = try Tensor.randn([5]).scalars()
        let restored = try XCTUnwrap(RandomGenerator(state: saved.state))
        Random.state = restored
        XCTAssertEqual(try Tensor.randn([5]).scalars(), expected)
        XCTAssertNil(RandomGenerator(state: [1, 2]))
    }

    func testRandomDistributions() throws {
        Random.seed(1)
        let normal = try Tensor.randn([200_000])
        XCTAssertEqual(try normal.mean().item(), 0, accuracy: 0.01)
        XCTAssertEqual(try normal.std().item(), 1, accuracy: 0.01)
        let uniform = try Tensor.rand([200_000])
        XCTAssertEqual(try uniform.mean().item(), 0.5, accuracy: 0.005)
        XCTAssertGreaterThanOrEqual(try uniform.min().item(), 0)
        XCTAssertLessThan(try uniform.max().item(), 1)
        let ints = try Tensor.randint(-3, 3, [10_000])
        XCTAssertEqual(try ints.min().item(), -3)
        XCTAssertEqual(try ints.max().item(), 2)
    }

    func testConversions() throws {
        let x = try Tensor([[-1.7, 0, 2.9]])
        XCTAssertEqual(try x.to(.int64).scalars(), [-1, 0, 2])
        XCTAssertEqual(try x.to(.bool).scalars(), [1, 0, 1])
        XCTAssertEqual(try x.to(.bool).to(.float32).scalars(), [1, 0, 1])
        XCTAssertEqual(try x.floats(), [-1.7, 0, 2.9])
        // Values outside int64 saturate and NaN gives 0: conversion never traps.
        XCTAssertEqual(try Tensor([Double.nan, 1e30, -1e30]).to(.int64).scalars(), [0, 0x1p63, -0x1p63])
        XCTAssertEqual(try Tensor.full([1], .infinity, dtype: .int64).scalars(), [0x1p63])
        var i = try Tensor([1, 2])
        try i.setElement(.nan, at: [0])
        XCTAssertEqual(i.scalars(), [0, 2])
    }

    func testIntegerArithmeticStaysInteger() throws {
        let i = try Tensor([1, 2, 3])
        XCTAssertEqual(try (i + 1).dtype, .int64)
        XCTAssertEqual(try (i * i).scalars(), [1, 4, 9])
        XCTAssertEqual(try (i / 2).dtype, .float32)
        XCTAssertEqual(try (i + 0.5).dtype, .float32)
        XCTAssertEqual(try i.neg().scalars(), [-1, -2, -3])
        XCTAssertEqual(try Tensor([-2, 5]).abs().scalars(), [2, 5])
        XCTAssertEqual(try i.clamp(min: 1.5, max: 2.5).scalars(), [2, 2, 2])
        XCTAssertEqual(try i.sum().dtype, .int64)
        XCTAssertEqual(try i.max().scalars(), [3])
    }
}
