import Foundation

extension Tensor {
    /// The same values in fresh row-major storage; returns self when already laid out so.
    /// Differentiable (the gradient passes through unchanged).
    public func contiguous() throws -> Tensor {
        if isContiguous { return self }
        var result = try materialized()
        result = recordOp("contiguous", result, [self]) { g in [g] }
        return result
    }

    /// A contiguous copy in new storage, with no autograd record.
    func materialized() throws -> Tensor {
        let result = try Tensor(uninitialized: shape, dtype: dtype)
        copyElements(into: result)
        return result
    }

    /// Copies this tensor's elements, in row-major order, into `destination`, a tensor of the
    /// same shape and dtype with any strides.
    func copyElements(into destination: Tensor) {
        switch dtype {
        case .float32: stridedCopy(Float.self, into: destination)
        case .int64: stridedCopy(Int64.self, into: destination)
        case .bool: stridedCopy(UInt8.self, into: destination)
        }
    }

    private func stridedCopy<T>(_: T.Type, into destination: Tensor) {
        let source = storage.base.assumingMemoryBound(to: T.self)
        let target = destination.storage.base.assumingMemoryBound(to: T.self)
        let loop = StridedLoop(shape: shape, strides: [strides, destination.strides],
                               offsets: [offset, destination.offset])
        let n = loop.inner, s = loop.innerStrides[0], d = loop.innerStrides[1]
        loop.run { offsets in
            let src = source + offsets[0], dst = target + offsets[1]
            if s == 1 && d == 1 {
                dst.update(from: src, count: n)
            } else {
                for i in 0..<n { dst[i * d] = src[i * s] }
            }
        }
    }

    /// The same values converted to another dtype (to bool: nonzero is true; to int64: truncated
    /// toward zero). Integer and bool results carry no gradient.
    public func to(_ target: DType) throws -> Tensor {
        if target == dtype { return self }
        let source = try materialized()
        let result = try Tensor(uninitialized: shape, dtype: target)
        let n = count
        switch (dtype, target) {
        case (.float32, .int64): convert(source.floatPointer, result.int64Pointer, n) { DType.saturatingInt64($0) }
        case (.float32, .bool): convert(source.floatPointer, result.boolPointer, n) { $0 != 0 ? 1 : 0 }
        case (.int64, .float32): convert(source.int64Pointer, result.floatPointer, n) { Float($0) }
        case (.int64, .bool): convert(source.int64Pointer, result.boolPointer, n) { $0 != 0 ? 1 : 0 }
        case (.bool, .float32): convert(source.boolPointer, result.floatPointer, n) { Float($0) }
        case (.bool, .int64): convert(source.boolPointer, result.int64Pointer, n) { Int64($0) }
        default: break
        }
        return result
    }

    private func convert<A, B>(_ a: UnsafeMutablePointer<A>, _ b: UnsafeMutablePointer<B>, _ n: Int,
                               _ f: (A) -> B) {
        for i in 0..<n { b[i] = f(a[i]) }
    }
}
