import CBLAS

extension Tensor {
    /// Matrix product with NumPy's `matmul` rules: vectors are promoted to matrices and the
    /// added axis removed afterwards; leading (batch) axes broadcast. Computed by OpenBLAS's
    /// sgemm; transposed operands are passed to it as transposes, not copied.
    public func matmul(_ other: Tensor) throws -> Tensor {
        guard rank >= 1 && other.rank >= 1 else {
            throw TensorError.shapeMismatch(op: "matmul", "operands must have rank ≥ 1, got shapes \(shapeString(shape)) and \(shapeString(other.shape))")
        }
        let a = rank == 1 ? try unsqueeze(0) : self
        let b = other.rank == 1 ? try other.unsqueeze(1) : other
        guard a.shape[a.rank - 1] == b.shape[b.rank - 2] else {
            throw TensorError.shapeMismatch(op: "matmul", "shapes \(shapeString(shape)) and \(shapeString(other.shape)) are not aligned: \(a.shape[a.rank - 1]) (last axis of the first) ≠ \(b.shape[b.rank - 2]) (\(other.rank == 1 ? "the vector" : "second-to-last axis of the second"))")
        }
        var result = try Tensor.batchedMatmul(a.to(.float32), b.to(.float32))
        if rank == 1 { result = try result.squeeze(axes: [-2]) }
        if other.rank == 1 { result = try result.squeeze(axes: [-1]) }
        return result
    }

    /// Both operands have rank ≥ 2, aligned inner sizes and broadcastable batch axes.
    private static func batchedMatmul(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
        guard let batch = try? broadcastShape(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)), op: "matmul") else {
            throw TensorError.shapeMismatch(op: "matmul", "batch axes of shapes \(shapeString(a.shape)) and \(shapeString(b.shape)) cannot be broadcast together")
        }
        let result = try Tensor(uninitialized: batch + [m, n], dtype: .float32)
        if k == 0 {
            result.floatPointer.initialize(repeating: 0, count: result.count)
        } else if m > 0 && n > 0 {
            let x = try blasReady(a), y = try blasReady(b)
            let (transA, lda) = blasLayout(x)!, (transB, ldb) = blasLayout(y)!
            guard [m, n, k, lda, ldb].allSatisfy({ $0 <= Int(Int32.max) }) else {
                throw TensorError.invalidArgument(op: "matmul", "matrices with more than \(Int32.max) rows, columns or row stride exceed BLAS's 32-bit sizes")
            }
            let aStrides = broadcastBatchStrides(x, batch), bStrides = broadcastBatchStrides(y, batch)
            let batches = batch.reduce(1, *)
            for i in 0..<batches {
                var rem = i, offA = x.offset, offB = y.offset
                for axis in stride(from: batch.count - 1, through: 0, by: -1) {
                    let idx = rem % batch[axis]
                    rem /= batch[axis]
                    offA += idx * aStrides[axis]; offB += idx * bStrides[axis]
                }
                cblas_sgemm(CblasRowMajor, transA, transB, Int32(m), Int32(n), Int32(k), 1,
                            x.storage.base.assumingMemoryBound(to: Float.self) + offA, Int32(lda),
                            y.storage.base.assumingMemoryBound(to: Float.self) + offB, Int32(ldb),
                            0, result.floatPointer + i * m * n, Int32(n))
            }
        }
        let (sa, sb) = (a.shape, b.shape)
        let (da, db) = (a.detach(), b.detach())
        return record("matmul", result, [a, b]) { g in
            [try batchedMatmul(g, db.transpose()).sum(toShape: sa),
             try batchedMatmul(da.transpose(), g).sum(toShape: sb)]
        }
    }

    /// The tensor itself when BLAS can read its matrices in place, else a contiguous copy.
    private static func blasReady(_ t: Tensor) throws -> Tensor {
        blasLayout(t) != nil ? t : try t.materialized()
    }

    /// How sgemm reads the matrices in the last two axes: row-major as they are, or as the
    /// transpose of a row-major matrix, with the leading dimension; nil when neither fits.
    private static func blasLayout(_ t: Tensor) -> (CBLAS_TRANSPOSE, Int)? {
        let rows = t.shape[t.rank - 2], cols = t.shape[t.rank - 1]
        let rowStride = t.strides[t.rank - 2], colStride = t.strides[t.rank - 1]
        if colStride == 1 || cols == 1 {
            let ld = rows == 1 ? Swift.max(cols, 1) : rowStride
            if ld >= Swift.max(cols, 1) { return (CblasNoTrans, ld) }
        }
        if rowStride == 1 || rows == 1 {
            let ld = cols == 1 ? Swift.max(rows, 1) : colStride
            if ld >= Swift.max(rows, 1) { return (CblasTrans, ld) }
        }
        return nil
    }

    private static func broadcastBatchStrides(_ t: Tensor, _ batch: [Int]) -> [Int] {
        let own = t.view(shape: Array(t.shape.dropLast(2)), strides: Array(t.strides.dropLast(2)), offset: t.offset)
        return own.broadcastStrides(to: batch)
    }
}
