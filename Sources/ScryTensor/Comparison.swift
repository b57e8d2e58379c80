/// The six element-wise comparisons.
enum Comparison {
    case eq, ne, lt, le, gt, ge

    @inline(__always) func holds<T: Comparable>(_ a: T, _ b: T) -> Bool {
        switch self {
        case .eq: return a == b
        case .ne: return a != b
        case .lt: return a < b
        case .le: return a <= b
        case .gt: return a > b
        case .ge: return a >= b
        }
    }
}

extension Tensor {
    private static func compareKernel<T: Comparable>(_: T.Type, _ a: Tensor, _ b: Tensor, shape: [Int],
                                                     _ comparison: Comparison) throws -> Tensor {
        let result = try Tensor(uninitialized: shape, dtype: .bool)
        let loop = StridedLoop(shape: shape,
                               strides: [a.broadcastStrides(to: shape), b.broadcastStrides(to: shape), result.strides],
                               offsets: [a.offset, b.offset, 0])
        let pa = a.storage.base.assumingMemoryBound(to: T.self), pb = b.storage.base.assumingMemoryBound(to: T.self)
        let pr = result.boolPointer
        let n = loop.inner, sa = loop.innerStrides[0], sb = loop.innerStrides[1]
        loop.run { offsets in
            let x = pa + offsets[0], y = pb + offsets[1], r = pr + offsets[2]
            for i in 0..<n { r[i] = comparison.holds(x[i * sa], y[i * sb]) ? 1 : 0 }
        }
        return result
    }

    func compare(_ other: Tensor, _ comparison: Comparison, op: String) throws -> Tensor {
        let shape = try Tensor.broadcastShape(self.shape, other.shape, op: op)
        let type: DType = dtype == other.dtype ? dtype : DType.promoted(dtype, other.dtype)
        let a = try to(type), b = try other.to(type)
        switch type {
        case .float32: return try Tensor.compareKernel(Float.self, a, b, shape: shape, comparison)
        case .int64: return try Tensor.compareKernel(Int64.self, a, b, shape: shape, comparison)
        case .bool: return try Tensor.compareKernel(UInt8.self, a, b, shape: shape, comparison)
        }
    }

    /// Element-wise comparisons with broadcasting; the results are bool tensors.
    public func eq(_ other: Tensor) throws -> Tensor { try compare(other, .eq, op: "eq") }
    public func ne(_ other: Tensor) throws -> Tensor { try compare(other, .ne, op: "ne") }
    public func lt(_ other: Tensor) throws -> Tensor { try compare(other, .lt, op: "lt") }
    public func le(_ other: Tensor) throws -> Tensor { try compare(other, .le, op: "le") }
    public func gt(_ other: Tensor) throws -> Tensor { try compare(other, .gt, op: "gt") }
    public func ge(_ other: Tensor) throws -> Tensor { try compare(other, .ge, op: "ge") }
    public func eq(_ value: Double) throws -> Tensor { try eq(scalarLike(value)) }
    public func ne(_ value: Double) throws -> Tensor { try ne(scalarLike(value)) }
    public func lt(_ value: Double) throws -> Tensor { try lt(scalarLike(value)) }
    public func le(_ value: Double) throws -> Tensor { try le(scalarLike(value)) }
    public func gt(_ value: Double) throws -> Tensor { try gt(scalarLike(value)) }
    public func ge(_ value: Double) throws -> Tensor { try ge(scalarLike(value)) }

    /// Picks from `a` where `condition` is true and from `b` elsewhere, all three broadcast
    /// together; differentiable in `a` and `b`.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        let shape = try broadcastShape(broadcastShape(condition.shape, a.shape, op: "where"), b.shape, op: "where")
        let mask = try condition.to(.bool)
        let type = a.dtype == b.dtype ? a.dtype : DType.promoted(a.dtype, b.dtype)
        let x = try a.to(type), y = try b.to(type)
        let out: Tensor
        switch type {
        case .float32: out = try selectKernel(Float.self, mask, x, y, shape: shape, dtype: type)
        case .int64: out = try selectKernel(Int64.self, mask, x, y, shape: shape, dtype: type)
        case .bool: out = try selectKernel(UInt8.self, mask, x, y, shape: shape, dtype: type)
        }
        let (sa, sb) = (a.shape, b.shape)
        return record("where", out, [a, b]) { g in
            let zero = Tensor(scalar: Float(0))
            return [try Tensor.where(mask, g, zero).sum(toShape: sa), try Tensor.where(mask, zero, g).sum(toShape: sb)]
        }
    }

    /// `where` with scalar branches.
    public static func `where`(_ condition: Tensor, _ a: Double, _ b: Tensor) throws -> Tensor {
        try `where`(condition, b.scalarLike(a), b)
    }
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Double) throws -> Tensor {
        try `where`(condition, a, a.scalarLike(b))
    }

    private static func selectKernel<T>(_: T.Type, _ mask: Tensor, _ a: Tensor, _ b: Tensor, shape: [Int],
                                        dtype: DType) throws -> Tensor {
        let result = try Tensor(uninitialized: shape, dtype: dtype)
        let loop = StridedLoop(shape: shape,
                               strides: [mask.broadcastStrides(to: shape), a.broadcastStrides(to: shape),
                                         b.broadcastStrides(to: shape), result.strides],
                               offsets: [mask.offset, a.offset, b.offset, 0])
        let pm = mask.storage.base.assumingMemoryBound(to: UInt8.self)
        let pa = a.storage.base.assumingMemoryBound(to: T.self), pb = b.storage.base.assumingMemoryBound(to: T.self)
        let pr = result.storage.base.assumingMemoryBound(to: T.self)
        let n = loop.inner, s = loop.innerStrides
        loop.run { o in
            let m = pm + o[0], x = pa + o[1], y = pb + o[2], r = pr + o[3]
            for i in 0..<n { r[i] = m[i * s[0]] != 0 ? x[i * s[1]] : y[i * s[2]] }
        }
        return result
    }
}
