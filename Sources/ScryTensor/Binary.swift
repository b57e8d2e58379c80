import Foundation

/// An element-wise function of two operands, written once per element type so that each
/// kernel specialises into a tight loop (no per-element closure calls).
protocol BinaryOp {
    associatedtype A
    associatedtype B
    associatedtype R
    static func apply(_ a: A, _ b: B) -> R
}

enum AddF: BinaryOp { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
enum SubF: BinaryOp { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum MulF: BinaryOp { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum DivF: BinaryOp { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }
enum PowF: BinaryOp { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { powf(a, b) } }
// NaN propagates through maximum and minimum, as in NumPy and PyTorch.
enum MaxF: BinaryOp { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a.isNaN || a > b ? a : b } }
enum MinF: BinaryOp { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a.isNaN || a < b ? a : b } }
enum AddI: BinaryOp { @inline(__always) static func apply(_ a: Int64, _ b: Int64) -> Int64 { a &+ b } }
enum SubI: BinaryOp { @inline(__always) static func apply(_ a: Int64, _ b: Int64) -> Int64 { a &- b } }
enum MulI: BinaryOp { @inline(__always) static func apply(_ a: Int64, _ b: Int64) -> Int64 { a &* b } }
enum MaxI: BinaryOp { @inline(__always) static func apply(_ a: Int64, _ b: Int64) -> Int64 { Swift.max(a, b) } }
enum MinI: BinaryOp { @inline(__always) static func apply(_ a: Int64, _ b: Int64) -> Int64 { Swift.min(a, b) } }

extension Tensor {
    /// Applies `Op` to `a` and `b` broadcast to `shape`, writing a new contiguous tensor.
    static func binaryKernel<Op: BinaryOp>(_: Op.Type, _ a: Tensor, _ b: Tensor, shape: [Int],
                                           dtype: DType) throws -> Tensor {
        let result = try Tensor(uninitialized: shape, dtype: dtype)
        let loop = StridedLoop(shape: shape,
                               strides: [a.broadcastStrides(to: shape), b.broadcastStrides(to: shape), result.strides],
                               offsets: [a.offset, b.offset, 0])
        let pa = a.storage.base.assumingMemoryBound(to: Op.A.self)
        let pb = b.storage.base.assumingMemoryBound(to: Op.B.self)
        let pr = result.storage.base.assumingMemoryBound(to: Op.R.self)
        let n = loop.inner, sa = loop.innerStrides[0], sb = loop.innerStrides[1]
        loop.run { offsets in
            let x = pa + offsets[0], y = pb + offsets[1], r = pr + offsets[2]
            if sa == 1 && sb == 1 {
                for i in 0..<n { r[i] = Op.apply(x[i], y[i]) }
            } else if sa == 1 && sb == 0 {
                let yv = y[0]
                for i in 0..<n { r[i] = Op.apply(x[i], yv) }
            } else if sa == 0 && sb == 1 {
                let xv = x[0]
                for i in 0..<n { r[i] = Op.apply(xv, y[i]) }
            } else {
                for i in 0..<n { r[i] = Op.apply(x[i * sa], y[i * sb]) }
            }
        }
        return result
    }

    /// Broadcasts and type-promotes `a` and `b`, then runs the float or the integer kernel.
    static func arithmetic<F: BinaryOp, I: BinaryOp>(_ op: String, _ a: Tensor, _ b: Tensor,
                                                     float: F.Type, int: I.Type?) throws -> Tensor {
        let shape = try broadcastShape(a.shape, b.shape, op: op)
        var type = DType.promoted(a.dtype, b.dtype)
        if int == nil { type = .float32 }
        let x = try a.to(type), y = try b.to(type)
        if type == .float32 { return try binaryKernel(F.self, x, y, shape: shape, dtype: .float32) }
        return try binaryKernel(I.self, x, y, shape: shape, dtype: .int64)
    }

    /// Element-wise sum with broadcasting.
    public func add(_ other: Tensor) throws -> Tensor {
        let out = try Tensor.arithmetic("add", self, other, float: AddF.self, int: AddI.self)
        let (sa, sb) = (shape, other.shape)
        return recordOp("add", out, [self, other]) { g in [try g.sum(toShape: sa), try g.sum(toShape: sb)] }
    }

    /// Element-wise difference with broadcasting.
    public func sub(_ other: Tensor) throws -> Tensor {
        let out = try Tensor.arithmetic("sub", self, other, float: SubF.self, int: SubI.self)
        let (sa, sb) = (shape, other.shape)
        return recordOp("sub", out, [self, other]) { g in [try g.sum(toShape: sa), try g.neg().sum(toShape: sb)] }
    }

    /// Element-wise product with broadcasting.
    public func mul(_ other: Tensor) throws -> Tensor {
        let out = try Tensor.arithmetic("mul", self, other, float: MulF.self, int: MulI.self)
        let (a, b) = (self.detach(), other.detach())
        return recordOp("mul", out, [self, other]) { g in
            [try (g * b).sum(toShape: a.shape), try (g * a).sum(toShape: b.shape)]
        }
    }

    /// Element-wise true division (always float32) with broadcasting.
    public func div(_ other: Tensor) throws -> Tensor {
        let out = try Tensor.arithmetic("div", self, other, float: DivF.self, int: Optional<AddI.Type>.none)
        let (a, b) = (self.detach(), other.detach())
        return recordOp("div", out, [self, other]) { g in
            [try (g / b).sum(toShape: a.shape), try (g * a / (b * b)).neg().sum(toShape: b.shape)]
        }
    }

    /// Element-wise power `self ** exponent` (float32) with broadcasting.
    public func pow(_ exponent: Tensor) throws -> Tensor {
        let out = try Tensor.arithmetic("pow", self, exponent, float: PowF.self, int: Optional<AddI.Type>.none)
        let (a, b, result) = (self.detach(), exponent.detach(), out.detach())
        let needsExponentGrad = exponent.node != nil
        return recordOp("pow", out, [self, exponent]) { g in
            let ga = try (g * b * a.pow(b - 1)).sum(toShape: a.shape)
            guard needsExponentGrad else { return [ga, nil] }
            // d/db a^b = a^b · log a, taken as 0 where a is 0 (the limit when b > 0).
            let logA = try Tensor.where(a.eq(0), 0, a.log())
            return [ga, try (g * result * logA).sum(toShape: b.shape)]
        }
    }

    /// Element-wise maximum with broadcasting; on ties the gradient is split evenly.
    public func maximum(_ other: Tensor) throws -> Tensor {
        let out = try Tensor.arithmetic("maximum", self, other, float: MaxF.self, int: MaxI.self)
        return recordOp("maximum", out, [self, other], Tensor.selectionGradient(self.detach(), other.detach(), greater: true))
    }

    /// Element-wise minimum with broadcasting; on ties the gradient is split evenly.
    public func minimum(_ other: Tensor) throws -> Tensor {
        let out = try Tensor.arithmetic("minimum", self, other, float: MinF.self, int: MinI.self)
        return recordOp("minimum", out, [self, other], Tensor.selectionGradient(self.detach(), other.detach(), greater: false))
    }

    private static func selectionGradient(_ a: Tensor, _ b: Tensor, greater: Bool) -> (Tensor) throws -> [Tensor?] {
        { g in
            let wins = try (greater ? a.gt(b) : a.lt(b)).to(.float32)
            let ties = try a.eq(b).to(.float32)
            let share = try wins + ties * 0.5
            return [try (g * share).sum(toShape: a.shape), try (g * (1 - share)).sum(toShape: b.shape)]
        }
    }

    // MARK: Operators

    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try a.add(b) }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try a.sub(b) }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try a.mul(b) }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try a.div(b) }
    public static func + (a: Tensor, b: Double) throws -> Tensor { try a.add(a.scalarLike(b)) }
    public static func - (a: Tensor, b: Double) throws -> Tensor { try a.sub(a.scalarLike(b)) }
    public static func * (a: Tensor, b: Double) throws -> Tensor { try a.mul(a.scalarLike(b)) }
    public static func / (a: Tensor, b: Double) throws -> Tensor { try a.div(a.scalarLike(b)) }
    public static func + (a: Double, b: Tensor) throws -> Tensor { try b.scalarLike(a).add(b) }
    public static func - (a: Double, b: Tensor) throws -> Tensor { try b.scalarLike(a).sub(b) }
    public static func * (a: Double, b: Tensor) throws -> Tensor { try b.scalarLike(a).mul(b) }
    public static func / (a: Double, b: Tensor) throws -> Tensor { try b.scalarLike(a).div(b) }
    public static prefix func - (a: Tensor) throws -> Tensor { try a.neg() }

    /// A rank-0 tensor holding `value`, integer-typed when this tensor is an integer one and
    /// the value is integral (so that `indices + 1` stays int64, as in PyTorch).
    func scalarLike(_ value: Double) -> Tensor {
        if dtype != .float32, value == value.rounded(), Swift.abs(value) < 9.0e18 {
            return Tensor(scalar: Int64(value))
        }
        return Tensor(scalar: Float(value))
    }
}
