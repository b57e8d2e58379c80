import Foundation

/// How a reduction over a set of axes sees its input: `outer` independent groups, each a
/// `reduced × inner` block in row-major order; the result has `outer × inner` elements.
struct ReductionLayout {
    let source: Tensor
    let outer: Int, reduced: Int, inner: Int
    /// The result's shape with reduced axes kept as 1, and with them dropped.
    let keptShape: [Int], droppedShape: [Int]

    init(_ tensor: Tensor, axes: [Int]) throws {
        let shape = tensor.shape
        keptShape = shape.indices.map { axes.contains($0) ? 1 : shape[$0] }
        droppedShape = shape.indices.filter { !axes.contains($0) }.map { shape[$0] }
        let contiguousBlock = axes.isEmpty || axes.last! - axes.first! + 1 == axes.count
        if contiguousBlock {
            source = tensor.isContiguous ? tensor : try tensor.materialized()
            let first = axes.first ?? shape.count, last = axes.last ?? shape.count - 1
            outer = shape[..<first].reduce(1, *)
            reduced = axes.isEmpty ? 1 : shape[first...last].reduce(1, *)
            inner = shape[(last + 1)...].reduce(1, *)
        } else {
            // Move the reduced axes last so that each group is one contiguous run.
            let kept = shape.indices.filter { !axes.contains($0) }
            source = try tensor.permuteView(kept + axes).materialized()
            outer = kept.map { shape[$0] }.reduce(1, *)
            reduced = axes.map { shape[$0] }.reduce(1, *)
            inner = 1
        }
    }
}

/// Sum of `n` contiguous floats: eight SIMD lanes within blocks, blocks added in Double,
/// which keeps the error of long sums near NumPy's pairwise summation.
@inline(__always)
func contiguousSum(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
    var total = 0.0
    var start = 0
    let block = 512
    while start < n {
        let end = Swift.min(n, start + block)
        var lanes = SIMD8<Float>.zero, lanes2 = SIMD8<Float>.zero
        var i = start
        let raw = UnsafeRawPointer(x)
        while i + 16 <= end {
            lanes += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            lanes2 += raw.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
            i += 16
        }
        var tail: Float = 0
        while i < end { tail += x[i]; i += 1 }
        total += Double((lanes + lanes2).sum()) + Double(tail)
        start = end
    }
    return total
}

/// Largest (or smallest) of `n` contiguous floats; NaN if any element is NaN.
@inline(__always)
func contiguousExtreme(_ x: UnsafePointer<Float>, _ n: Int, largest: Bool) -> Float {
    largest ? contiguousExtreme(x, n, largest: true, by: { $0 .> $1 })
            : contiguousExtreme(x, n, largest: false, by: { $0 .< $1 })
}

@inline(__always)
private func contiguousExtreme(_ x: UnsafePointer<Float>, _ n: Int, largest: Bool,
                               by better: (SIMD8<Float>, SIMD8<Float>) -> SIMDMask<SIMD8<Int32>>) -> Float {
    let raw = UnsafeRawPointer(x)
    var best = SIMD8<Float>(repeating: n > 0 ? x[0] : .nan)
    var nan = SIMDMask<SIMD8<Int32>>(repeating: false)
    var i = 0
    while i + 8 <= n {
        let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        best.replace(with: v, where: better(v, best))
        nan .|= v .!= v
        i += 8
    }
    if any(nan) { return .nan }
    var result = best[0]
    for lane in 1..<8 where largest ? best[lane] > result : best[lane] < result { result = best[lane] }
    while i < n {
        let v = x[i]
        if v.isNaN { return .nan }
        if largest ? v > result : v < result { result = v }
        i += 1
    }
    return result
}

/// Splits a run of `length` elements into one piece per thread and returns each piece's
/// result, `body(start, count)`, computed in parallel.
func piecewise<T>(_ length: Int, initial: T, _ body: (Int, Int) -> T) -> [T] {
    let pieces = Threads.count
    var results = [T](repeating: initial, count: pieces)
    results.withUnsafeMutableBufferPointer { buffer in
        let base = buffer.baseAddress!
        parallelFor(pieces, grain: 1) { range in
            for piece in range {
                let start = length * piece / pieces, end = length * (piece + 1) / pieces
                base[piece] = body(start, end - start)
            }
        }
    }
    return results
}

extension Tensor {
    /// Sum over `axes` (nil: all), optionally keeping them as size-1 axes.
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        let resolved = try Tensor.normalizeAxes(axes, rank: rank, op: "sum")
        if dtype != .float32 { return try integerSum(resolved, keepDims: keepDims) }
        let layout = try ReductionLayout(self, axes: resolved)
        let result = try Tensor(uninitialized: keepDims ? layout.keptShape : layout.droppedShape, dtype: .float32)
        Tensor.sumKernel(layout, into: result.floatPointer)
        let inputShape = shape, kept = layout.keptShape
        return recordOp("sum", result, [self]) { g in [try g.reshape(kept).expand(inputShape)] }
    }

    /// Exact int64 sums (counting voxels of a large mask must not round).
    private func integerSum(_ axes: [Int], keepDims: Bool) throws -> Tensor {
        let layout = try ReductionLayout(to(.int64), axes: axes)
        let result = try Tensor(uninitialized: keepDims ? layout.keptShape : layout.droppedShape, dtype: .int64)
        let x = layout.source.int64Pointer, out = result.int64Pointer
        let (outer, reduced, inner) = (layout.outer, layout.reduced, layout.inner)
        for o in 0..<outer {
            for i in 0..<inner {
                var total: Int64 = 0
                for r in 0..<reduced { total &+= x[(o * reduced + r) * inner + i] }
                out[o * inner + i] = total
            }
        }
        return result
    }

    /// Sum over one axis.
    public func sum(axis: Int, keepDims: Bool = false) throws -> Tensor { try sum(axes: [axis], keepDims: keepDims) }

    private static func sumKernel(_ layout: ReductionLayout, into out: UnsafeMutablePointer<Float>) {
        let x = layout.source.floatPointer
        let (outer, reduced, inner) = (layout.outer, layout.reduced, layout.inner)
        if inner == 1 {
            if outer >= Threads.count || reduced < (1 << 16) {
                parallelFor(outer, grain: Swift.max(1, (1 << 15) / Swift.max(reduced, 1))) { range in
                    for o in range { out[o] = Float(contiguousSum(x + o * reduced, reduced)) }
                }
            } else {
                // Few long runs: split each run among threads and add the partial sums.
                for o in 0..<outer {
                    out[o] = Float(piecewise(reduced, initial: 0.0) { contiguousSum(x + o * reduced + $0, $1) }.reduce(0, +))
                }
            }
            return
        }
        // Each output row is the sum of `reduced` input rows of length `inner`.
        let split = outer >= Threads.count ? 1 : Swift.max(1, Threads.count)
        parallelFor(outer * split, grain: Swift.max(1, (1 << 15) / Swift.max(reduced * inner / split, 1))) { range in
            for task in range {
                let o = task / split, part = task % split
                let start = inner * part / split, end = inner * (part + 1) / split
                let row = out + o * inner
                for i in start..<end { row[i] = 0 }
                for r in 0..<reduced {
                    let source = x + (o * reduced + r) * inner
                    for i in start..<end { row[i] += source[i] }
                }
            }
        }
    }

    /// Mean over `axes` (nil: all).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        let resolved = try Tensor.normalizeAxes(axes, rank: rank, op: "mean")
        let n = resolved.map { shape[$0] }.reduce(1, *)
        return try to(.float32).sum(axes: resolved, keepDims: keepDims) / Double(n)
    }

    public func mean(axis: Int, keepDims: Bool = false) throws -> Tensor { try mean(axes: [axis], keepDims: keepDims) }

    /// Largest element over `axes` (nil: all). The gradient goes to the maximal elements,
    /// shared evenly among ties.
    public func max(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        try extreme(axes, keepDims: keepDims, largest: true, op: "max")
    }

    /// Smallest element over `axes` (nil: all).
    public func min(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        try extreme(axes, keepDims: keepDims, largest: false, op: "min")
    }

    public func max(axis: Int, keepDims: Bool = false) throws -> Tensor { try max(axes: [axis], keepDims: keepDims) }
    public func min(axis: Int, keepDims: Bool = false) throws -> Tensor { try min(axes: [axis], keepDims: keepDims) }

    private func extreme(_ axes: [Int]?, keepDims: Bool, largest: Bool, op: String) throws -> Tensor {
        let resolved = try Tensor.normalizeAxes(axes, rank: rank, op: op)
        if let empty = resolved.first(where: { shape[$0] == 0 }) {
            throw TensorError.invalidArgument(op: op, "cannot reduce over axis \(empty) of size 0")
        }
        if dtype != .float32 {
            let (values, _) = try integerExtremes(resolved, keepDims: keepDims, largest: largest)
            return try values.to(dtype)
        }
        let layout = try ReductionLayout(self, axes: resolved)
        let result = try Tensor(uninitialized: keepDims ? layout.keptShape : layout.droppedShape, dtype: .float32)
        let x = layout.source.floatPointer, out = result.floatPointer
        let (outer, reduced, inner) = (layout.outer, layout.reduced, layout.inner)
        let fewLongRuns = inner == 1 && outer < Threads.count && reduced >= 1 << 16
        if fewLongRuns {
            // Few long runs: each thread takes a piece of the run, then the pieces' extremes meet.
            for o in 0..<outer {
                let partials = piecewise(reduced, initial: Float(0)) { contiguousExtreme(x + o * reduced + $0, $1, largest: largest) }
                out[o] = partials.withUnsafeBufferPointer { contiguousExtreme($0.baseAddress!, $0.count, largest: largest) }
            }
        } else {
            Tensor.extremeKernel(x, out, outer: outer, reduced: reduced, inner: inner, largest: largest)
        }
        let input = self.detach(), kept = layout.keptShape
        return recordOp(op, result, [self]) { g in
            let mask = try input.eq(result.detach().reshape(kept)).to(.float32)
            let ties = try mask.sum(axes: resolved, keepDims: true)
            return [try g.reshape(kept) * mask / ties]
        }
    }

    /// Extremes of `outer` groups of `reduced` × `inner` values, split among threads by group.
    private static func extremeKernel(_ x: UnsafeMutablePointer<Float>, _ out: UnsafeMutablePointer<Float>, outer: Int,
                                      reduced: Int, inner: Int, largest: Bool) {
        parallelFor(outer, grain: Swift.max(1, (1 << 15) / Swift.max(reduced * inner, 1))) { range in
            for o in range {
                if inner == 1 {
                    out[o] = contiguousExtreme(x + o * reduced, reduced, largest: largest)
                    continue
                }
                let row = out + o * inner
                row.update(from: x + o * reduced * inner, count: inner)
                for r in 1..<reduced {
                    let source = x + (o * reduced + r) * inner
                    for i in 0..<inner {
                        let v = source[i], best = row[i]
                        if v.isNaN || (largest ? v > best : v < best) { row[i] = best.isNaN ? best : v }
                    }
                }
            }
        }
    }

    /// Index of the largest element along `axis` (nil: of the flattened tensor), as int64;
    /// the first one on ties.
    public func argmax(axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        try argExtreme(axis: axis, keepDims: keepDims, largest: true, op: "argmax")
    }

    /// Index of the smallest element along `axis` (nil: of the flattened tensor).
    public func argmin(axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        try argExtreme(axis: axis, keepDims: keepDims, largest: false, op: "argmin")
    }

    private func argExtreme(axis: Int?, keepDims: Bool, largest: Bool, op: String) throws -> Tensor {
        guard let axis else {
            let flat = try reshape([count]).argExtreme(axis: 0, keepDims: false, largest: largest, op: op)
            return keepDims ? try flat.reshape([Int](repeating: 1, count: rank)) : flat
        }
        let resolved = try Tensor.normalizeAxis(axis, rank: rank, op: op)
        guard shape[resolved] > 0 else {
            throw TensorError.invalidArgument(op: op, "cannot reduce over axis \(resolved) of size 0")
        }
        if dtype != .float32 {
            return try integerExtremes([resolved], keepDims: keepDims, largest: largest).indices
        }
        let layout = try ReductionLayout(self, axes: [resolved])
        let result = try Tensor(uninitialized: keepDims ? layout.keptShape : layout.droppedShape, dtype: .int64)
        let x = layout.source.floatPointer, out = result.int64Pointer
        let (outer, reduced, inner) = (layout.outer, layout.reduced, layout.inner)
        parallelFor(outer * inner, grain: Swift.max(1, (1 << 14) / Swift.max(reduced, 1))) { range in
            for task in range {
                let o = task / inner, i = task % inner
                let base = x + o * reduced * inner + i
                var bestIndex = 0
                var best = base[0]
                if !best.isNaN {
                    for r in 1..<reduced {
                        let v = base[r * inner]
                        if v.isNaN { bestIndex = r; break }
                        if largest ? v > best : v < best { best = v; bestIndex = r }
                    }
                }
                out[task] = Int64(bestIndex)
            }
        }
        return result
    }

    /// Exact extremes of an integer or bool tensor over `axes`, with their positions within
    /// the reduced block (the first on ties).
    private func integerExtremes(_ axes: [Int], keepDims: Bool, largest: Bool) throws -> (values: Tensor, indices: Tensor) {
        let layout = try ReductionLayout(to(.int64), axes: axes)
        let shape = keepDims ? layout.keptShape : layout.droppedShape
        let values = try Tensor(uninitialized: shape, dtype: .int64), indices = try Tensor(uninitialized: shape, dtype: .int64)
        let x = layout.source.int64Pointer
        let (outer, reduced, inner) = (layout.outer, layout.reduced, layout.inner)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = x + o * reduced * inner + i
                var best = base[0], bestIndex = 0
                for r in 1..<Swift.max(reduced, 1) {
                    let v = base[r * inner]
                    if largest ? v > best : v < best { best = v; bestIndex = r }
                }
                values.int64Pointer[o * inner + i] = best
                indices.int64Pointer[o * inner + i] = Int64(bestIndex)
            }
        }
        return (values, indices)
    }

    /// Variance over `axes` with `correction` subtracted from the count (1: the unbiased
    /// estimate, PyTorch's default; 0: the population variance, NumPy's default).
    public func variance(axes: [Int]? = nil, correction: Int = 1, keepDims: Bool = false) throws -> Tensor {
        let resolved = try Tensor.normalizeAxes(axes, rank: rank, op: "var")
        let n = resolved.map { shape[$0] }.reduce(1, *)
        let x = try to(.float32)
        let centered = try x - x.mean(axes: resolved, keepDims: true)
        return try (centered * centered).sum(axes: resolved, keepDims: keepDims) / Double(Swift.max(n - correction, 0))
    }

    /// Standard deviation over `axes` (see `variance` for `correction`).
    public func std(axes: [Int]? = nil, correction: Int = 1, keepDims: Bool = false) throws -> Tensor {
        try variance(axes: axes, correction: correction, keepDims: keepDims).sqrt()
    }

    /// The p-norm over `axes` (nil: all elements; p = 2 gives the Frobenius norm). p may be
    /// any positive number or infinity (the largest magnitude).
    public func norm(p: Double = 2, axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        guard p > 0 else { throw TensorError.invalidArgument(op: "norm", "p must be positive, got \(p)") }
        let x = try to(.float32)
        if p.isInfinite { return try x.abs().max(axes: axes, keepDims: keepDims) }
        if p == 1 { return try x.abs().sum(axes: axes, keepDims: keepDims) }
        if p == 2 { return try (x * x).sum(axes: axes, keepDims: keepDims).sqrt() }
        return try x.abs().pow(p).sum(axes: axes, keepDims: keepDims).pow(1 / p)
    }
}
