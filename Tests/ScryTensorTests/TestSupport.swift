import XCTest
@testable import ScryTensor

/// The project-wide tolerance: values agree when max|a − b| ≤ 1e-4 · max|ref| + 1e-6.
func assertClose(_ actual: Tensor, _ expected: Tensor, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, "shape \(message)", file: file, line: line)
    guard actual.shape == expected.shape else { return }
    assertClose(actual.scalars(), expected.scalars(), message, file: file, line: line)
}

func assertClose(_ actual: [Double], _ expected: [Double], _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "count \(message)", file: file, line: line)
    let scale = expected.map { Swift.abs($0) }.filter { $0.isFinite }.max() ?? 0
    let tolerance = 1e-4 * scale + 1e-6
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        if e.isNaN { XCTAssertTrue(a.isNaN, "element \(i): \(a) vs nan \(message)", file: file, line: line); continue }
        if e.isInfinite { XCTAssertEqual(a, e, "element \(i) \(message)", file: file, line: line); continue }
        if Swift.abs(a - e) > tolerance {
            XCTFail("element \(i): \(a) vs \(e) (tolerance \(tolerance)) \(message)", file: file, line: line)
            return
        }
    }
}

/// Asserts that `body` throws a TensorError whose message contains each of `fragments`.
func assertTensorError(_ fragments: String..., file: StaticString = #filePath, line: UInt = #line,
                       _ body: () throws -> Any) {
    do {
        _ = try body()
        XCTFail("expected an error mentioning \(fragments)", file: file, line: line)
    } catch let error as TensorError {
        for fragment in fragments {
            XCTAssertTrue(error.description.contains(fragment), "'\(error.description)' lacks '\(fragment)'", file: file, line: line)
        }
    } catch {
        XCTFail("unexpected error type: \(error)", file: file, line: line)
    }
}

/// A deterministic float tensor with values in [low, high).
func sample(_ shape: [Int], seed: UInt64 = 1, low: Double = -1, high: Double = 1) throws -> Tensor {
    var generator = RandomGenerator(seed: seed)
    let values = (0..<shape.reduce(1, *)).map { _ in low + (high - low) * Double(generator.nextUniform()) }
    return try Tensor(flat: values, shape: shape)
}

/// Central-difference gradient check (see GradientCheckTests for the rule and tolerance).
func checkGradients(_ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line,
                    _ f: ([Tensor]) throws -> Tensor) throws {
    let leaves = try inputs.map { try $0.requiringGrad() }
    let output = try f(leaves)
    let weights = try sample(output.shape, seed: 99, low: 0.5, high: 1.5)
    try (output * weights).sum().backward()
    let w = weights.scalars()
    func loss(_ values: [Tensor]) throws -> Double {
        let out = try withNoGrad { try f(values) }.scalars()
        return zip(out, w).reduce(0) { $0 + $1.0 * $1.1 }
    }
    let h = 1e-3
    for (k, input) in inputs.enumerated() {
        guard let analytic = leaves[k].grad else {
            XCTFail("input \(k) received no gradient", file: file, line: line); continue
        }
        XCTAssertEqual(analytic.shape, input.shape, "gradient shape of input \(k)", file: file, line: line)
        let grad = analytic.scalars()
        let flat = input.scalars()
        for j in 0..<flat.count {
            var plus = flat, minus = flat
            plus[j] += h; minus[j] -= h
            var upper = inputs, lower = inputs
            upper[k] = try Tensor(flat: plus, shape: input.shape)
            lower[k] = try Tensor(flat: minus, shape: input.shape)
            let numeric = (try loss(upper) - loss(lower)) / (2 * h)
            if Swift.abs(numeric - grad[j]) > 2e-3 + 1e-2 * Swift.abs(numeric) {
                XCTFail("input \(k) element \(j): analytic \(grad[j]) vs numeric \(numeric)", file: file, line: line)
                return
            }
        }
    }
}
