import Foundation

/// An element-wise float function; a value type so that parameters (an exponent, bounds)
/// travel with it while the loop still specialises.
/// Kernels are written branch-free (selects, no libm calls on the hot path) so that their
/// loops vectorise.
protocol UnaryOp {
    func apply(_ x: Float) -> Float
}

struct NegOp: UnaryOp { @inline(__always) func apply(_ x: Float) -> Float { -x } }
struct AbsOp: UnaryOp { @inline(__always) func apply(_ x: Float) -> Float { Swift.abs(x) } }
struct SignOp: UnaryOp { @inline(__always) func apply(_ x: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) } }
struct ExpOp: UnaryOp { @inline(__always) func apply(_ x: Float) -> Float { fastExp(x) } }
struct LogOp: UnaryOp { @inline(__always) func apply(_ x: Float) -> Float { logf(x) } }
struct SqrtOp: UnaryOp { @inline(__always) func apply(_ x: Float) -> Float { vectorizableSqrt(x) } }
struct RsqrtOp: UnaryOp { @inline(__always) func apply(_ x: Float) -> Float { 1 / vectorizableSqrt(x) } }

/// √x, NaN below zero. A plain `squareRoot()` keeps a libm call for negative inputs (for
/// errno), which stops loops from vectorising; a non-negative argument needs none.
@inline(__always)
func vectorizableSqrt(_ x: Float) -> Float {
    let root = (x >= 0 ? x : 0).squareRoot()
    return x >= 0 ? root : .nan
}
struct SinOp: UnaryOp { @inline(__always) func apply(_ x: Float) -> Float { sinf(x) } }
struct CosOp: UnaryOp { @inline(__always) func apply(_ x: Float) -> Float { cosf(x) } }
struct TanhOp: UnaryOp {
    /// A rational approximation x·P(x²)/Q(x²) on [−7.9, 7.9] (beyond, tanh is ±1 in float32),
    /// within 4e-7 of tanh: one division and no exponential, so its loop vectorises cheaply.
    @inline(__always) func apply(_ x: Float) -> Float {
        let c = Swift.min(Swift.max(x, -7.905_311), 7.905_311)
        let c2 = c * c
        var p: Float = -2.760_768_5e-16
        p = p * c2 + 2.000_187_9e-13
        p = p * c2 - 8.604_671_5e-11
        p = p * c2 + 5.122_297_1e-8
        p = p * c2 + 1.485_722_4e-5
        p = p * c2 + 6.372_619_3e-4
        p = p * c2 + 4.893_524_6e-3
        var q: Float = 1.198_258_4e-6
        q = q * c2 + 1.185_347_1e-4
        q = q * c2 + 2.268_434_6e-3
        q = q * c2 + 4.893_525_2e-3
        // Near zero tanh(x) = x to float precision (and the ratio would lose the sign of −0).
        return Swift.abs(x) < 0.0004 ? x : c * p / q
    }
}
struct SigmoidOp: UnaryOp { @inline(__always) func apply(_ x: Float) -> Float { 1 / (1 + fastExp(-x)) } }
struct ReluOp: UnaryOp { @inline(__always) func apply(_ x: Float) -> Float { x > 0 ? x : (x.isNaN ? x : 0) } }
struct PowScalarOp: UnaryOp {
    let exponent: Float
    @inline(__always) func apply(_ x: Float) -> Float {
        exponent == 2 ? x * x : (exponent == 1 ? x : powf(x, exponent))
    }
}
struct ClampOp: UnaryOp {
    let low: Float, high: Float
    @inline(__always) func apply(_ x: Float) -> Float { Swift.min(Swift.max(x, low), high) }
}

/// e^x for float32, within 1e-6 relative: x = n·ln2 + r with |r| ≤ ln2/2, e^r from a
/// degree-7 polynomial, 2^n assembled in the exponent bits. Branch-free, unlike libm's expf,
/// so loops over it vectorise.
@inline(__always)
func fastExp(_ x: Float) -> Float {
    let clamped = Swift.min(Swift.max(x, -87.3), 88.7)
    // Adding 1.5·2^23 rounds to the nearest integer and leaves it in the low mantissa bits.
    // n stops at 127 (2^n stays finite); the polynomial covers the larger remainder there.
    let shifter: Float = 0x1.8p23
    let biased = Swift.min(clamped, 88.0) * 1.442_695_04 + shifter
    let exponent = Int32(bitPattern: biased.bitPattern) &- Int32(bitPattern: shifter.bitPattern)
    let n = Float(exponent)
    let r = clamped - n * 0.693_145_75 - n * 1.428_606_8e-6
    var p: Float = 1.0 / 5040
    p = p * r + 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    let result = p * Float(bitPattern: UInt32(bitPattern: (exponent &+ 127) &<< 23))
    return x < -87.3 ? 0 : (x > 88.7 ? .infinity : (x != x ? x : result))
}

extension Tensor {
    /// Applies `op` to every element of a float32 tensor of any layout.
    func unaryKernel<Op: UnaryOp>(_ op: Op) throws -> Tensor {
        let source = try to(.float32)
        let result = try Tensor(uninitialized: shape, dtype: .float32)
        let loop = StridedLoop(shape: shape, strides: [source.strides, result.strides], offsets: [source.offset, 0])
        let px = source.storage.base.assumingMemoryBound(to: Float.self), pr = result.floatPointer
        let n = loop.inner, sx = loop.innerStrides[0]
        loop.run { offsets in
            let x = px + offsets[0], r = pr + offsets[1]
            if sx == 1 {
                for i in 0..<n { r[i] = op.apply(x[i]) }
            } else {
                for i in 0..<n { r[i] = op.apply(x[i * sx]) }
            }
        }
        return result
    }

    /// A differentiable float unary op; `derivative(x, y)` gives dy/dx as a tensor.
    func unary<Op: UnaryOp>(_ name: String, _ op: Op,
                            derivative: @escaping (_ x: Tensor, _ y: Tensor) throws -> Tensor) throws -> Tensor {
        let out = try unaryKernel(op)
        let (x, y) = (self.detach(), out.detach())
        return recordOp(name, out, [self]) { g in [try g * derivative(x, y)] }
    }

    public func neg() throws -> Tensor {
        if dtype != .float32 { return try Tensor(scalar: Int64(0)).sub(self) }
        let out = try unaryKernel(NegOp())
        return recordOp("neg", out, [self]) { g in [try g.neg()] }
    }

    public func abs() throws -> Tensor {
        if dtype != .float32 { return try maximum(neg()) }
        return try unary("abs", AbsOp()) { x, _ in try x.sign() }
    }

    /// −1, 0 or 1 by the sign of each element (no gradient).
    public func sign() throws -> Tensor { try unaryKernel(SignOp()) }

    public func exp() throws -> Tensor { try unary("exp", ExpOp()) { _, y in y } }
    public func log() throws -> Tensor { try unary("log", LogOp()) { x, _ in try 1 / x } }
    public func sqrt() throws -> Tensor { try unary("sqrt", SqrtOp()) { _, y in try 0.5 / y } }
    public func rsqrt() throws -> Tensor { try unary("rsqrt", RsqrtOp()) { _, y in try y * y * y * -0.5 } }
    public func sin() throws -> Tensor { try unary("sin", SinOp()) { x, _ in try x.cos() } }
    public func cos() throws -> Tensor { try unary("cos", CosOp()) { x, _ in try x.sin().neg() } }
    public func tanh() throws -> Tensor { try unary("tanh", TanhOp()) { _, y in try 1 - y * y } }
    public func sigmoid() throws -> Tensor { try unary("sigmoid", SigmoidOp()) { _, y in try y * (1 - y) } }
    public func relu() throws -> Tensor {
        let out = try unaryKernel(ReluOp())
        let x = detach()
        return recordOp("relu", out, [self]) { g in [try Tensor.rectifierGradient(g, x, slope: 0)] }
    }

    /// Each element raised to a fixed power.
    public func pow(_ exponent: Double) throws -> Tensor {
        try unary("pow", PowScalarOp(exponent: Float(exponent))) { x, _ in
            try x.pow(exponent - 1) * exponent
        }
    }

    /// Each element limited to `[low, high]` (either bound may be nil); the gradient passes
    /// where the input lies within the bounds.
    public func clamp(min low: Double? = nil, max high: Double? = nil) throws -> Tensor {
        if let low, let high, low > high {
            throw TensorError.invalidArgument(op: "clamp", "min (\(low)) is greater than max (\(high))")
        }
        if low?.isNaN == true || high?.isNaN == true {
            throw TensorError.invalidArgument(op: "clamp", "bounds must not be NaN")
        }
        let op = ClampOp(low: Float(low ?? -.infinity), high: Float(high ?? .infinity))
        if dtype != .float32 {
            var result = self
            if let low { result = try result.maximum(Tensor(scalar: DType.saturatingInt64(low.rounded(.up)))) }
            if let high { result = try result.minimum(Tensor(scalar: DType.saturatingInt64(high.rounded(.down)))) }
            return result
        }
        return try unary("clamp", op) { x, _ in
            try (x.ge(Double(op.low)).to(.float32) * x.le(Double(op.high)).to(.float32))
        }
    }
}
