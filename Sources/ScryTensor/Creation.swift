import Foundation

/// Values that can build a tensor from (possibly nested) Swift arrays: numbers, bools, and
/// arrays of them.
public protocol TensorLiteral {
    /// Appends this value's elements in row-major order and returns its shape.
    func flatten(into values: inout [Double], dtype: inout DType) throws -> [Int]
}

extension Float: TensorLiteral {
    public func flatten(into values: inout [Double], dtype: inout DType) -> [Int] {
        values.append(Double(self)); dtype = .float32; return []
    }
}
extension Double: TensorLiteral {
    public func flatten(into values: inout [Double], dtype: inout DType) -> [Int] {
        values.append(self); dtype = .float32; return []
    }
}
extension Int: TensorLiteral {
    public func flatten(into values: inout [Double], dtype: inout DType) -> [Int] {
        values.append(Double(self)); if dtype == .bool { dtype = .int64 }; return []
    }
}
extension Bool: TensorLiteral {
    public func flatten(into values: inout [Double], dtype: inout DType) -> [Int] {
        values.append(self ? 1 : 0); return []
    }
}
extension Array: TensorLiteral where Element: TensorLiteral {
    public func flatten(into values: inout [Double], dtype: inout DType) throws -> [Int] {
        var inner: [Int]?
        for element in self {
            let shape = try element.flatten(into: &values, dtype: &dtype)
            if let inner, inner != shape {
                throw TensorError.shapeMismatch(op: "tensor", "ragged nested array: rows of shapes \(shapeString(inner)) and \(shapeString(shape))")
            }
            inner = shape
        }
        return [count] + (inner ?? [])
    }
}

extension Tensor {
    /// A tensor from nested arrays, e.g. `Tensor([[1, 2], [3, 4]])`. Floats give float32,
    /// integers int64, bools bool, unless `dtype` says otherwise.
    public init<L: TensorLiteral>(_ literal: L, dtype: DType? = nil) throws {
        var values: [Double] = []
        var inferred = DType.bool
        let shape = try literal.flatten(into: &values, dtype: &inferred)
        try self.init(flat: values, shape: shape, dtype: dtype ?? (values.isEmpty ? .float32 : inferred))
    }

    /// A tensor of `shape` from row-major `values`, whose count must match.
    public init(flat values: [Double], shape: [Int], dtype: DType = .float32) throws {
        try Tensor.checkShape(shape, op: "tensor")
        guard values.count == shape.reduce(1, *) else {
            throw TensorError.shapeMismatch(op: "tensor", "\(values.count) values do not fill shape \(shapeString(shape))")
        }
        self = try Tensor(uninitialized: shape, dtype: dtype)
        switch dtype {
        case .float32: for (i, v) in values.enumerated() { floatPointer[i] = Float(v) }
        case .int64: for (i, v) in values.enumerated() { int64Pointer[i] = DType.saturatingInt64(v) }
        case .bool: for (i, v) in values.enumerated() { boolPointer[i] = v != 0 ? 1 : 0 }
        }
    }

    /// A float32 tensor of `shape` from row-major `values`.
    public init(_ values: [Float], shape: [Int]) throws {
        try Tensor.checkShape(shape, op: "tensor")
        guard values.count == shape.reduce(1, *) else {
            throw TensorError.shapeMismatch(op: "tensor", "\(values.count) values do not fill shape \(shapeString(shape))")
        }
        self = try Tensor(uninitialized: shape, dtype: .float32)
        values.withUnsafeBufferPointer { floatPointer.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A float32 tensor whose every element `fill` writes (file readers decode straight into
    /// the tensor's storage, without an intermediate array).
    public init(shape: [Int], filling fill: (UnsafeMutableBufferPointer<Float>) throws -> Void) throws {
        try Tensor.checkShape(shape, op: "tensor")
        self = try Tensor(uninitialized: shape, dtype: .float32)
        try fill(UnsafeMutableBufferPointer(start: floatPointer, count: count))
    }

    /// A rank-0 float32 tensor.
    public init(scalar value: Float) {
        // A 4-byte allocation cannot fail in practice; `try!` keeps scalar creation non-throwing.
        self = try! Tensor(uninitialized: [], dtype: .float32)
        floatPointer[0] = value
    }

    /// A rank-0 int64 tensor.
    public init(scalar value: Int64) {
        self = try! Tensor(uninitialized: [], dtype: .int64)
        int64Pointer[0] = value
    }

    /// A rank-0 bool tensor.
    public init(scalar value: Bool) {
        self = try! Tensor(uninitialized: [], dtype: .bool)
        boolPointer[0] = value ? 1 : 0
    }

    /// Writes `value(i)` into element i of a fresh contiguous tensor.
    func fill(_ value: (Int) -> Double) {
        let n = count
        switch dtype {
        case .float32: for i in 0..<n { floatPointer[i] = Float(value(i)) }
        case .int64: for i in 0..<n { int64Pointer[i] = DType.saturatingInt64(value(i)) }
        case .bool: for i in 0..<n { boolPointer[i] = value(i) != 0 ? 1 : 0 }
        }
    }

    /// A tensor of `shape` with every element `value`.
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32) throws -> Tensor {
        let result = try Tensor(uninitialized: shape, dtype: dtype)
        let n = result.count
        switch dtype {
        case .float32: result.floatPointer.initialize(repeating: Float(value), count: n)
        case .int64: result.int64Pointer.initialize(repeating: DType.saturatingInt64(value), count: n)
        case .bool: result.boolPointer.initialize(repeating: value != 0 ? 1 : 0, count: n)
        }
        return result
    }

    public static func zeros(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
        try full(shape, 0, dtype: dtype)
    }

    public static func ones(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
        try full(shape, 1, dtype: dtype)
    }

    /// Values from `start` up to (not including) `end` by `step`, as `range` does; int64 when
    /// all three are integral, float32 otherwise (or as `dtype` says).
    public static func arange(_ start: Double, _ end: Double, step: Double = 1, dtype: DType? = nil) throws -> Tensor {
        guard step != 0, step.isFinite, start.isFinite, end.isFinite else {
            throw TensorError.invalidArgument(op: "arange", "step must be finite and non-zero, and bounds finite")
        }
        let steps = ((end - start) / step).rounded(.up)
        guard steps <= Double(1 << 40) else {
            throw TensorError.invalidArgument(op: "arange", "\(steps) elements is too many")
        }
        let count = steps > 0 ? Int(steps) : 0
        let integral = [start, end, step].allSatisfy { $0 == $0.rounded() }
        let result = try Tensor(uninitialized: [count], dtype: dtype ?? (integral ? .int64 : .float32))
        result.fill { start + Double($0) * step }
        return result
    }

    /// `count` evenly spaced float32 values from `start` to `end` inclusive.
    public static func linspace(_ start: Double, _ end: Double, count: Int) throws -> Tensor {
        guard count >= 0 else { throw TensorError.invalidArgument(op: "linspace", "count must be non-negative, got \(count)") }
        let step = count > 1 ? (end - start) / Double(count - 1) : 0
        let result = try Tensor(uninitialized: [count], dtype: .float32)
        result.fill { $0 == count - 1 && count > 1 ? end : start + Double($0) * step }
        return result
    }

    /// The `n`×`m` identity matrix (m defaults to n).
    public static func eye(_ n: Int, _ m: Int? = nil, dtype: DType = .float32) throws -> Tensor {
        let columns = m ?? n
        var result = try zeros([n, columns], dtype: dtype)
        for i in 0..<Swift.min(n, columns) { try result.setElement(1, at: [i, i]) }
        return result
    }

    /// Uniform values in [0, 1).
    public static func rand(_ shape: [Int]) throws -> Tensor {
        let result = try Tensor(uninitialized: shape, dtype: .float32)
        let p = result.floatPointer, n = result.count
        Random.draw { g in for i in 0..<n { p[i] = g.nextUniform() } }
        return result
    }

    /// Standard normal values.
    public static func randn(_ shape: [Int]) throws -> Tensor {
        let result = try Tensor(uninitialized: shape, dtype: .float32)
        let p = result.floatPointer, n = result.count
        Random.draw { g in for i in 0..<n { p[i] = g.nextNormal() } }
        return result
    }

    /// Uniform int64 values in `low..<high`.
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int]) throws -> Tensor {
        guard high > low else {
            throw TensorError.invalidArgument(op: "randint", "high (\(high)) must be greater than low (\(low))")
        }
        let result = try Tensor(uninitialized: shape, dtype: .int64)
        let p = result.int64Pointer, n = result.count
        Random.draw { g in for i in 0..<n { p[i] = g.nextInt(in: Int64(low)..<Int64(high)) } }
        return result
    }
}
