import XCTest
@testable import ScryTensor

final class AutogradTests: XCTestCase {
    func testGradientsAccumulateUntilZeroed() throws {
        let x = try Tensor([1.0, 2.0, 3.0]).requiringGrad()
        try (x * x).sum().backward()
        XCTAssertEqual(x.grad?.scalars(), [2, 4, 6])
        try (x * x).sum().backward()
        XCTAssertEqual(x.grad?.scalars(), [4, 8, 12])
        x.zeroGrad()
        XCTAssertNil(x.grad)
        try x.sum().backward()
        XCTAssertEqual(x.grad?.scalars(), [1, 1, 1])
    }

    func testReusedInputsAddTheirGradients() throws {
        let x = try Tensor([2.0]).requiringGrad()
        let y = try x * x * x + x  // 3x² + 1 = 13
        try y.sum().backward()
        XCTAssertEqual(x.grad?.scalars(), [13])
    }

    func testSeedGradientForNonScalarOutputs() throws {
        let x = try Tensor([[1.0, 2.0], [3.0, 4.0]]).requiringGrad()
        let y = try x * 2
        try y.backward(Tensor([[1.0, 0.0], [0.5, 2.0]]))
        XCTAssertEqual(x.grad?.scalars(), [2, 0, 1, 4])
        assertTensorError("explicit gradient", "[2, 2]") { try y.backward() }
        assertTensorError("does not match") { try y.backward(Tensor([1.0])) }
    }

    func testBackwardWithoutGradIsAnError() throws {
        let x = try Tensor([1.0, 2.0])
        assertTensorError("does not require grad") { try x.sum().backward() }
        assertTensorError("only float32") { try Tensor([1, 2]).requiringGrad() }
    }

    func testNoGradScopeAndDetach() throws {
        let x = try Tensor([1.0, 2.0]).requiringGrad()
        let inside = try withNoGrad { try x * 3 }
        XCTAssertFalse(inside.requiresGrad)
        XCTAssertTrue(try (x * 3).requiresGrad)
        let cut = try (x * 3).detach()
        XCTAssertFalse(cut.requiresGrad)
        let y = try (x * x.detach()).sum()  // d/dx = x, not 2x
        try y.backward()
        XCTAssertEqual(x.grad?.scalars(), [1, 2])
    }

    func testLeavesAndRetainedIntermediates() throws {
        let x = try Tensor([3.0]).requiringGrad()
        XCTAssertTrue(x.isLeaf)
        let y = try x * 2
        XCTAssertFalse(y.isLeaf)
        y.retainGrad()
        try (y * y).sum().backward()
        XCTAssertEqual(y.grad?.scalars(), [12])
        XCTAssertEqual(x.grad?.scalars(), [24])
    }

    func testDeepGraphsDoNotOverflowTheStack() throws {
        let x = try Tensor([1.0]).requiringGrad()
        var y = x
        for _ in 0..<20_000 { y = try y + 0.001 }
        try y.sum().backward()
        XCTAssertEqual(x.grad?.scalars(), [1])
    }

    func testIntegerResultsCarryNoGradient() throws {
        let x = try Tensor([0.5, -1.0]).requiringGrad()
        XCTAssertFalse(try x.gt(0).requiresGrad)
        XCTAssertFalse(try x.argmax().requiresGrad)
        XCTAssertFalse(try x.to(.int64).requiresGrad)
    }

    func testWritingCutsAnIntermediateFromTheGraph() throws {
        let x = try Tensor([1.0, 2.0]).requiringGrad()
        var y = try x * 2
        try y.setElement(5, at: [0])
        XCTAssertFalse(y.requiresGrad)
    }

    func testGradientsWithRespectToChosenTensorsOnly() throws {
        let w = try Tensor([0.5, -1.0, 2.0, 0.25], shape: [2, 2]).requiringGrad()
        let x = try Tensor([1.0, 2.0], shape: [1, 2])
        let hidden = try x.matmul(w).tanh()
        let out = try (hidden * hidden).sum() + w.sum()
        let direct = try out.gradients(withRespectTo: [hidden, x])
        XCTAssertNil(w.grad, "no leaf accumulates")
        XCTAssertEqual(direct[1].scalars(), [0, 0], "a tensor the output does not depend on through the graph gets zeros")
        hidden.retainGrad()
        try out.backward()
        XCTAssertEqual(direct[0].scalars(), hidden.grad!.scalars())
        XCTAssertThrowsError(try hidden.gradients(withRespectTo: [w])) { XCTAssertTrue("\($0)".contains("explicit gradient")) }
    }
}
