import XCTest
@testable import ScryTensor

/// Every refusal is a thrown error naming the shapes, axis or index at fault: never a trap.
final class ErrorTests: XCTestCase {
    func testShapeMismatchesNameBothShapes() throws {
        let a = try Tensor.zeros([2, 3]), b = try Tensor.zeros([4])
        assertTensorError("add", "[2, 3]", "[4]") { try a + b }
        assertTensorError("mul", "[2, 3]", "[4]") { try a * b }
        assertTensorError("eq", "[2, 3]", "[4]") { try a.eq(b) }
        assertTensorError("where", "[2, 3]", "[4]") { try Tensor.where(a.gt(0), a, b) }
        assertTensorError("matmul", "[2, 3]", "[4]") { try a.matmul(b) }
        assertTensorError("matmul", "[2, 3]", "[2, 3]") { try a.matmul(a) }
        assertTensorError("matmul", "[2, 2, 3]", "[3, 3, 1]") { try Tensor.zeros([2, 2, 3]).matmul(Tensor.zeros([3, 3, 1])) }
        assertTensorError("matmul", "rank") { try Tensor(scalar: Float(1)).matmul(a) }
        assertTensorError("reshape", "[2, 3]", "[4, 2]") { try a.reshape([4, 2]) }
        assertTensorError("reshape", "[2, 3]", "[4, -1]") { try a.reshape([4, -1]) }
        assertTensorError("reshape", "-1") { try a.reshape([-1, -1]) }
        assertTensorError("concat", "[2, 3]", "[2, 4]") { try Tensor.concat([a, Tensor.zeros([2, 4])], axis: 0) }
        assertTensorError("stack", "[2, 3]", "[3, 2]") { try Tensor.stack([a, Tensor.zeros([3, 2])]) }
        assertTensorError("expand", "[2, 3]", "[3, 3]") { try a.expand([3, 3]) }
        assertTensorError("tensor", "ragged") { try Tensor([[1, 2], [3]]) }
        assertTensorError("tensor", "5 values", "[2, 3]") { try Tensor(flat: [1, 2, 3, 4, 5], shape: [2, 3]) }
        assertTensorError("split", "do not add up") { try a.split(sizes: [1, 1], axis: 1) }
    }

    func testBadAxesAreNamed() throws {
        let a = try Tensor.zeros([2, 3])
        assertTensorError("sum", "axis 2", "rank 2") { try a.sum(axes: [2]) }
        assertTensorError("mean", "axis -3") { try a.mean(axes: [-3]) }
        assertTensorError("max", "axis 5") { try a.max(axes: [5]) }
        assertTensorError("argmax", "axis 2") { try a.argmax(axis: 2) }
        assertTensorError("var", "axis 9") { try a.variance(axes: [9]) }
        assertTensorError("sum", "repeated axis") { try a.sum(axes: [0, -2]) }
        assertTensorError("permute", "repeats") { try a.permute([0, 0]) }
        assertTensorError("permute", "must list all") { try a.permute([0]) }
        assertTensorError("transpose", "axis 3") { try a.transpose(0, 3) }
        assertTensorError("squeeze", "axis 1 has size 3") { try a.squeeze(axes: [1]) }
        assertTensorError("unsqueeze", "axis 4") { try a.unsqueeze(4) }
        assertTensorError("flatten", "axis 2") { try a.flatten(start: 2) }
        assertTensorError("concat", "axis 2") { try Tensor.concat([a, a], axis: 2) }
        assertTensorError("flip", "axis 2") { try a.flip([2]) }
        assertTensorError("index_select", "axis 2") { try a.indexSelect(axis: 2, indices: Tensor([0])) }
        assertTensorError("max", "size 0") { try Tensor.zeros([0, 3]).max(axes: [0]) }
    }

    func testOutOfRangeIndicesAreNamed() throws {
        let a = try Tensor.zeros([2, 3])
        assertTensorError("index", "index 2", "axis 0", "size 2") { try a.index([.at(2)]) }
        assertTensorError("index", "index -4", "axis 1", "size 3") { try a.index([.all, .at(-4)]) }
        assertTensorError("index", "3 indices", "rank 2") { try a.index([.at(0), .at(0), .at(0)]) }
        assertTensorError("index", "step cannot be zero") { try a.index([.slice(start: nil, stop: nil, step: 0)]) }
        assertTensorError("index", "ellipsis") { try a.index([.ellipsis, .ellipsis]) }
        assertTensorError("element", "index 3", "axis 1") { try a.element(at: [0, 3]) }
        assertTensorError("element", "1 indices", "rank 2") { try a.element(at: [0]) }
        assertTensorError("index_select", "index 5", "size 3") { try a.indexSelect(axis: 1, indices: Tensor([0, 5])) }
        assertTensorError("index_select", "int64") { try a.indexSelect(axis: 1, indices: Tensor([0.0])) }
        assertTensorError("item", "[2, 3]") { try a.item() }
        var b = a
        assertTensorError("setElement", "index 7") { try b.setElement(1, at: [0, 7]) }
    }

    func testInvalidArguments() throws {
        assertTensorError("rank 6", "maximum of 5") { try Tensor.zeros([1, 1, 1, 1, 1, 1]) }
        assertTensorError("negative dimension -2") { try Tensor.zeros([3, -2]) }
        assertTensorError("too large") { try Tensor.zeros([1 << 40, 1 << 40]) }
        assertTensorError("cannot allocate") { try Tensor.zeros([1 << 59]) }
        assertTensorError("arange", "step") { try Tensor.arange(0, 1, step: 0) }
        assertTensorError("arange", "too many") { try Tensor.arange(0, 1e30) }
        assertTensorError("linspace", "count") { try Tensor.linspace(0, 1, count: -1) }
        assertTensorError("randint", "high") { try Tensor.randint(5, 5, [2]) }
        assertTensorError("clamp", "min") { try Tensor.zeros([2]).clamp(min: 1, max: 0) }
        assertTensorError("pad", "non-negative") { try Tensor.zeros([2]).pad([(-1, 0)]) }
        assertTensorError("pad", "3 padding pairs") { try Tensor.zeros([2]).pad([(0, 0), (0, 0), (0, 0)]) }
        assertTensorError("repeat", "counts") { try Tensor.zeros([2, 2]).repeat([2]) }
        assertTensorError("norm", "p must be positive") { try Tensor.zeros([2]).norm(p: 0) }
        assertTensorError("concat", "at least one") { try Tensor.concat([]) }
        assertTensorError("split", "parts must be between 1") { try Tensor.zeros([2]).split(parts: 0) }
    }
}

/// Inputs found by review that once overflowed sizes, trapped or lost precision.
final class HardenedInputTests: XCTestCase {
    func testSizeOverflowsAreErrors() throws {
        assertTensorError("pad", "too large") { try Tensor.zeros([1000]).pad([(before: Int.max, after: Int.max - 998)]) }
        assertTensorError("repeat") { try Tensor([1.0]).expand([1 << 62]).repeat([4]) }
        assertTensorError("cannot allocate") { try Tensor([1.0]).repeat([1 << 40]) }
        assertTensorError("split", "do not add up") { try Tensor.zeros([5]).split(sizes: [Int.max, Int.max, 7]) }
        assertTensorError("split", "between 1 and the axis size") { try Tensor.zeros([5]).split(parts: 1 << 40) }
        assertTensorError("arange", "too many") { try Tensor.arange(0, 1e13) }
        XCTAssertEqual(try Tensor.arange(1e308, -1e308).count, 0)
        assertTensorError("index_select", "index 9223372036854775807") { try Tensor.zeros([2]).indexSelect(axis: 0, indices: Tensor(scalar: Int64.max)) }
        assertTensorError("clamp", "NaN") { try Tensor([1, 2]).clamp(min: .nan) }
    }

    func testRepeatByDoublingMatchesTiling() throws {
        let x = try Tensor([[1, 2]])
        XCTAssertEqual(try x.repeat([3, 5]).shape, [3, 10])
        XCTAssertEqual(try x.repeat([1, 3]).scalars(), [1, 2, 1, 2, 1, 2])
        XCTAssertEqual(try x.repeat([2, 0]).shape, [2, 0])
    }

    func testIntegersStayExact() throws {
        XCTAssertEqual(try Tensor([16_777_217]).max().scalars(), [16_777_217])
        XCTAssertEqual(try Tensor([16_777_216, 16_777_217]).argmax().item(), 1)
        XCTAssertEqual(try Tensor([[3, 9], [7, 1]]).min(axes: [1]).scalars(), [3, 1])
        XCTAssertEqual(try Tensor([true, false]).max().dtype, .bool)
        XCTAssertEqual(try Tensor([1, 2]).clamp(max: 1e19).scalars(), [1, 2])
        XCTAssertEqual(Tensor(scalar: Int64.max).valuesDescription(), "9223372036854775807")
        XCTAssertEqual(try Tensor.where(Tensor([true, false]), Tensor([true, true]), Tensor([false, false])).dtype, .bool)
        XCTAssertEqual(try Tensor([Double]()).dtype, .float32)
        XCTAssertEqual(try Tensor([1.0, 2.0, 3.0]).index([.slice(start: nil, stop: nil, step: Int.max)]).shape, [1])
    }
}
