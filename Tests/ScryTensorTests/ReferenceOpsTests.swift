import Foundation
import XCTest
@testable import ScryTensor

/// Checks every op's values against NumPy's, stored by Fixtures/make_reference_ops.py.
final class ReferenceOpsTests: XCTestCase {
    struct Fixture: Decodable {
        let cases: [Case]
    }
    struct Case: Decodable {
        let op: String
        let args: [String: Arg]
        let inputs: [Value]
        let output: Value
    }
    struct Value: Decodable {
        let shape: [Int]
        let dtype: String
        let data: [Double]
        func tensor() throws -> Tensor { try Tensor(flat: data, shape: shape, dtype: DType(rawValue: dtype)!) }
    }
    /// A JSON argument: number, bool, list or null.
    indirect enum Arg: Decodable {
        case number(Double), flag(Bool), list([Arg]), string(String), null
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .flag(b) }
            else if let d = try? c.decode(Double.self) { self = .number(d) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else { self = .list(try c.decode([Arg].self)) }
        }
        var int: Int? { if case .number(let d) = self { return Int(d) }; return nil }
        var double: Double? { if case .number(let d) = self { return d }; return nil }
        var ints: [Int]? { if case .list(let l) = self { return l.compactMap(\.int) }; return nil }
        var list: [Arg] { if case .list(let l) = self { return l }; return [] }
        var string: String? { if case .string(let s) = self { return s }; return nil }
    }

    func testEveryOpMatchesNumPy() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/reference_ops.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        var covered = Set<String>()
        for (number, item) in fixture.cases.enumerated() {
            let inputs = try item.inputs.map { try $0.tensor() }
            let result = try run(item, inputs)
            let expected = try item.output.tensor()
            XCTAssertEqual(result.dtype, expected.dtype, "case \(number) \(item.op) dtype")
            assertClose(result, expected, "case \(number) (\(item.op) \(item.args.keys.sorted()))")
            covered.insert(item.op)
        }
        XCTAssertGreaterThanOrEqual(covered.count, 45)
    }

    private func run(_ item: Case, _ x: [Tensor]) throws -> Tensor {
        let a = item.args
        let axes = a["axes"]?.ints
        let keep = { if case .flag(let k) = a["keepDims"] { return k }; return false }()
        switch item.op {
        case "neg": return try x[0].neg()
        case "abs": return try x[0].abs()
        case "exp": return try x[0].exp()
        case "log": return try x[0].log()
        case "sqrt": return try x[0].sqrt()
        case "rsqrt": return try x[0].rsqrt()
        case "sin": return try x[0].sin()
        case "cos": return try x[0].cos()
        case "tanh": return try x[0].tanh()
        case "sigmoid": return try x[0].sigmoid()
        case "relu": return try x[0].relu()
        case "pow_scalar": return try x[0].pow(a["exponent"]!.double!)
        case "clamp": return try x[0].clamp(min: a["min"]?.double, max: a["max"]?.double)
        case "add": return try x[0] + x[1]
        case "sub": return try x[0] - x[1]
        case "mul": return try x[0] * x[1]
        case "div": return try x[0] / x[1]
        case "pow": return try x[0].pow(x[1])
        case "maximum": return try x[0].maximum(x[1])
        case "minimum": return try x[0].minimum(x[1])
        case "eq": return try x[0].eq(x[1])
        case "ne": return try x[0].ne(x[1])
        case "lt": return try x[0].lt(x[1])
        case "le": return try x[0].le(x[1])
        case "gt": return try x[0].gt(x[1])
        case "ge": return try x[0].ge(x[1])
        case "where": return try Tensor.where(x[0], x[1], x[2])
        case "sum": return try x[0].sum(axes: axes, keepDims: keep)
        case "mean": return try x[0].mean(axes: axes, keepDims: keep)
        case "max": return try x[0].max(axes: axes, keepDims: keep)
        case "min": return try x[0].min(axes: axes, keepDims: keep)
        case "var": return try x[0].variance(axes: axes, correction: a["correction"]!.int!, keepDims: keep)
        case "std": return try x[0].std(axes: axes, correction: a["correction"]!.int!, keepDims: keep)
        case "norm": return try x[0].norm(p: a["p"]!.double!, axes: axes, keepDims: keep)
        case "argmax": return try x[0].argmax(axis: a["axis"]?.int)
        case "argmin": return try x[0].argmin(axis: a["axis"]?.int)
        case "matmul": return try x[0].matmul(x[1])
        case "matmul_tt": return try x[0].transpose().matmul(x[1].transpose())
        case "reshape": return try x[0].reshape(a["shape"]!.ints!)
        case "flatten": return try x[0].flatten(start: a["start"]!.int!, end: a["end"]!.int!)
        case "squeeze": return try x[0].squeeze(axes: axes)
        case "unsqueeze": return try x[0].unsqueeze(a["axis"]!.int!)
        case "permute": return try x[0].permute(a["order"]!.ints!)
        case "transpose": return try x[0].transpose(a["a"]!.int!, a["b"]!.int!)
        case "index": return try x[0].index(a["index"]!.list.map(index))
        case "index_select": return try x[0].indexSelect(axis: a["axis"]!.int!, indices: x[1])
        case "concat": return try Tensor.concat(x, axis: a["axis"]!.int!)
        case "stack": return try Tensor.stack(x, axis: a["axis"]!.int!)
        case "split": return try x[0].split(sizes: a["sizes"]!.ints!, axis: a["axis"]!.int!)[a["part"]!.int!]
        case "pad":
            let widths = a["widths"]!.list.map { ($0.ints![0], $0.ints![1]) }
            return try x[0].pad(widths.map { (before: $0.0, after: $0.1) }, value: a["value"]!.double!)
        case "repeat": return try x[0].repeat(a["counts"]!.ints!)
        case "flip": return try x[0].flip(a["axes"]!.ints!)
        case "expand": return try x[0].expand(a["shape"]!.ints!)
        default:
            XCTFail("unknown op \(item.op)")
            return x[0]
        }
    }

    private func index(_ arg: Arg) -> TensorIndex {
        let parts = arg.list
        switch parts[0].string {
        case "at": return .at(parts[1].int!)
        case "newaxis": return .newAxis
        case "ellipsis": return .ellipsis
        default: return .slice(start: parts[1].int, stop: parts[2].int, step: parts[3].int)
        }
    }
}
