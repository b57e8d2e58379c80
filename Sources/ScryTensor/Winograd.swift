/// Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray, "Fast Algorithms for Convolutional
/// Neural Networks", 2016): a stride-1 3×3 convolution computed on 4×4 input tiles, each giving
/// a 2×2 output tile, as 16 matrix products of C_out × C_in by C_in × tiles. That is 2.25 times
/// fewer multiplications than im2col's single product, and no 9× column matrix; rounding
/// differs from the direct sum only in the last bits (the transforms' weights are 0, ±1 and ½).
extension ConvGeometry {
    /// Whether `winogradConvolve` computes this convolution: 2D, 3×3, stride 1, undilated,
    /// ungrouped, with enough channels on both sides and enough tiles (measured: 7×7 tiles lose
    /// to im2col, 14×14 win) for 16 products to run near sgemm's peak.
    var winogradApplies: Bool {
        spatialRank == 2 && kernel == [1, 3, 3] && stride == [1, 1, 1] && dilation == [1, 1, 1] && groups == 1
            && inChannels >= 16 && outChannels >= 16 && padBefore[1] <= 2 && padBefore[2] <= 2
            && batch * tileRows * tileColumns >= 100
    }

    /// The stride-1 3×3 convolution that maps this one's output gradient [N, C_out, …output]
    /// to its input gradient [N, C_in, …input], with `flipped` weights.
    func inputGradientGeometry() throws -> ConvGeometry {
        try ConvGeometry(input: [batch, outChannels, output[1], output[2]], weight: [inChannels, outChannels, 3, 3], stride: [1],
                         padding: .explicit([2 - padBefore[1], 2 - padBefore[2]]), dilation: [1], groups: 1)
    }

    /// Floats between the 16 matrices of each transform: whole-page strides would put all 16
    /// streams of a tile in the same cache sets.
    private var skew: Int { 16 }

    /// Floats of transformed input and product held per chunk of tiles: they stay in cache
    /// between the transforms and the products.
    static let winogradBudget = 1 << 21

    private var tileRows: Int { (output[1] + 1) / 2 }
    private var tileColumns: Int { (output[2] + 1) / 2 }

    /// y = conv(x, w) (+ bias per channel), as `convolve` computes it. With `flipped`, `w` is
    /// laid out [C_in, C_out, 3, 3] and used rotated by 180°: the convolution that carries a
    /// stride-1 convolution's output gradient back to its input.
    func winogradConvolve(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                          bias: UnsafePointer<Float>? = nil, flipped: Bool = false, budget: Int = ConvGeometry.winogradBudget) throws {
        let (C, K) = (inChannels, outChannels)
        let tiles = batch * tileRows * tileColumns
        let chunk = Swift.max(1, Swift.min(tiles, budget / (16 * (C + K))))
        let u = try Tensor(uninitialized: [16 * (K * C + skew)], dtype: .float32)
        let v = try Tensor(uninitialized: [16 * (C * chunk + skew)], dtype: .float32)
        let m = try Tensor(uninitialized: [16 * (K * chunk + skew)], dtype: .float32)
        withExtendedLifetime((u, v, m)) {
            transformKernel(w, flipped: flipped, into: u.floatPointer)
            for first in Swift.stride(from: 0, to: tiles, by: chunk) {
                let range = first..<Swift.min(first + chunk, tiles)
                transformInput(x, tiles: range, into: v.floatPointer)
                for xi in 0..<16 {
                    gemm(false, false, K, range.count, C, u.floatPointer + xi * (K * C + skew), C,
                         v.floatPointer + xi * (C * range.count + skew), range.count,
                         m.floatPointer + xi * (K * range.count + skew), range.count, accumulate: false)
                }
                transformOutput(m.floatPointer, tiles: range, into: y, bias: bias)
            }
        }
    }

    /// U[ξ][k][c] = (G g G^T)[ξ] for each 3×3 filter g, G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
    private func transformKernel(_ w: UnsafePointer<Float>, flipped: Bool, into u: UnsafeMutablePointer<Float>) {
        let (C, K) = (inChannels, outChannels)
        parallelFor(K, grain: Swift.max(1, 4096 / Swift.max(C, 1))) { outputs in
            for k in outputs {
                for c in 0..<C {
                    func tap(_ i: Int) -> Float { flipped ? w[(c * K + k) * 9 + 8 - i] : w[(k * C + c) * 9 + i] }
                    let r0 = SIMD4(tap(0), tap(1), tap(2), 0), r1 = SIMD4(tap(3), tap(4), tap(5), 0)
                    let r2 = SIMD4(tap(6), tap(7), tap(8), 0)
                    // G g (4×3, one row per SIMD4), then each row times G^T.
                    let rows = (r0, 0.5 * (r0 + r1 + r2), 0.5 * (r0 - r1 + r2), r2)
                    func store(_ i: Int, _ r: SIMD4<Float>) {
                        let step = K * C + skew, base = u + 4 * i * step + k * C + c
                        base[0] = r[0]
                        base[step] = 0.5 * (r[0] + r[1] + r[2])
                        base[2 * step] = 0.5 * (r[0] - r[1] + r[2])
                        base[3 * step] = r[2]
                    }
                    store(0, rows.0); store(1, rows.1); store(2, rows.2); store(3, rows.3)
                }
            }
        }
    }

    /// Calls `body(n, ty, tx, count, t)` for each run of `count` tiles of `tiles` lying in one
    /// tile row (sample n, tile row ty, from tile column tx), t being the run's first index
    /// within `tiles`.
    private func forEachTileRun(_ tiles: Range<Int>, _ body: (Int, Int, Int, Int, Int) -> Void) {
        let perSample = tileRows * tileColumns
        var tile = tiles.lowerBound
        while tile < tiles.upperBound {
            let n = tile / perSample, ty = tile % perSample / tileColumns, tx = tile % tileColumns
            let count = Swift.min(tiles.upperBound - tile, tileColumns - tx)
            body(n, ty, tx, count, tile - tiles.lowerBound)
            tile += count
        }
    }

    /// V[ξ][c][t] = (B^T d B)[ξ] for the 4×4 input tile d of each tile t in `tiles` (zero
    /// outside the input), B^T = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]. Eight neighbouring
    /// tiles of a row are transformed at once, one SIMD lane each, when all their columns lie
    /// inside the input.
    private func transformInput(_ x: UnsafePointer<Float>, tiles: Range<Int>, into v: UnsafeMutablePointer<Float>) {
        let (C, IH, IW) = (inChannels, input[1], input[2])
        let ld = tiles.count, plane = IH * IW, step = C * ld + skew
        parallelFor(C, grain: Swift.max(1, 2048 / Swift.max(ld, 1))) { channels in
            for c in channels {
                let out = v + c * ld
                forEachTileRun(tiles) { n, ty, tx, count, first in
                    let source = x + (n * C + c) * plane, y0 = 2 * ty - padBefore[1]
                    func line(_ r: Int) -> UnsafePointer<Float>? {
                        y0 + r >= 0 && y0 + r < IH ? source + (y0 + r) * IW : nil
                    }
                    let lines = (line(0), line(1), line(2), line(3))
                    var j = 0
                    while j < count {
                        let x0 = 2 * (tx + j) - padBefore[2], base = out + first + j
                        if j + 8 <= count, x0 >= 0, x0 + 18 <= IW {
                            // Columns s of the 8 tiles: every other value from x0 + s.
                            func columns(_ l: UnsafePointer<Float>?) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
                                guard let l else { return (SIMD8(), SIMD8(), SIMD8(), SIMD8()) }
                                let a = UnsafeRawPointer(l + x0).loadUnaligned(as: SIMD16<Float>.self)
                                let b = UnsafeRawPointer(l + x0 + 2).loadUnaligned(as: SIMD16<Float>.self)
                                return (a.evenHalf, a.oddHalf, b.evenHalf, b.oddHalf)
                            }
                            let d0 = columns(lines.0), d1 = columns(lines.1), d2 = columns(lines.2), d3 = columns(lines.3)
                            func store(_ i: Int, _ e: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)) {
                                let row = UnsafeMutableRawPointer(base + 4 * i * step)
                                row.storeBytes(of: e.0 - e.2, as: SIMD8<Float>.self)
                                (row + 4 * step).storeBytes(of: e.1 + e.2, as: SIMD8<Float>.self)
                                (row + 8 * step).storeBytes(of: e.2 - e.1, as: SIMD8<Float>.self)
                                (row + 12 * step).storeBytes(of: e.1 - e.3, as: SIMD8<Float>.self)
                            }
                            store(0, (d0.0 - d2.0, d0.1 - d2.1, d0.2 - d2.2, d0.3 - d2.3))
                            store(1, (d1.0 + d2.0, d1.1 + d2.1, d1.2 + d2.2, d1.3 + d2.3))
                            store(2, (d2.0 - d1.0, d2.1 - d1.1, d2.2 - d1.2, d2.3 - d1.3))
                            store(3, (d1.0 - d3.0, d1.1 - d3.1, d1.2 - d3.2, d1.3 - d3.3))
                            j += 8
                            continue
                        }
                        func row(_ l: UnsafePointer<Float>?) -> SIMD4<Float> {
                            guard let l else { return SIMD4() }
                            if x0 >= 0, x0 + 4 <= IW { return UnsafeRawPointer(l + x0).loadUnaligned(as: SIMD4<Float>.self) }
                            var values = SIMD4<Float>()
                            for s in 0..<4 where x0 + s >= 0 && x0 + s < IW { values[s] = l[x0 + s] }
                            return values
                        }
                        let d = (row(lines.0), row(lines.1), row(lines.2), row(lines.3))
                        func store(_ i: Int, _ r: SIMD4<Float>) {
                            let target = base + 4 * i * step
                            target[0] = r[0] - r[2]
                            target[step] = r[1] + r[2]
                            target[2 * step] = r[2] - r[1]
                            target[3 * step] = r[1] - r[3]
                        }
                        store(0, d.0 - d.2); store(1, d.1 + d.2); store(2, d.2 - d.1); store(3, d.1 - d.3)
                        j += 1
                    }
                }
            }
        }
    }

    /// y tile = A^T M A (+ bias) for each tile's 16 products M, A^T = [1 1 1 0; 0 1 −1 −1];
    /// the last row or column of an odd-sized output is dropped. Eight tiles at once where all
    /// their outputs lie inside.
    private func transformOutput(_ m: UnsafePointer<Float>, tiles: Range<Int>, into y: UnsafeMutablePointer<Float>,
                                 bias: UnsafePointer<Float>?) {
        let (K, OH, OW) = (outChannels, output[1], output[2])
        let ld = tiles.count, plane = OH * OW, step = K * ld + skew
        parallelFor(K, grain: Swift.max(1, 2048 / Swift.max(ld, 1))) { outputs in
            for k in outputs {
                let offset = bias?[k] ?? 0
                forEachTileRun(tiles) { n, ty, tx, count, first in
                    let oy = 2 * ty, target = y + (n * K + k) * plane + oy * OW
                    var j = 0
                    while j < count {
                        let ox = 2 * (tx + j), source = m + k * ld + first + j
                        if j + 8 <= count, ox + 16 <= OW, oy + 1 < OH {
                            func load(_ xi: Int) -> SIMD8<Float> {
                                UnsafeRawPointer(source + xi * step).loadUnaligned(as: SIMD8<Float>.self)
                            }
                            var s0 = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>()), s1 = s0
                            for col in 0..<4 {
                                let (a, b, c, d) = (load(col), load(4 + col), load(8 + col), load(12 + col))
                                let (p, q) = (a + b + c, b - c - d)
                                switch col {
                                case 0: s0.0 = p; s1.0 = q
                                case 1: s0.1 = p; s1.1 = q
                                case 2: s0.2 = p; s1.2 = q
                                default: s0.3 = p; s1.3 = q
                                }
                            }
                            let y00 = s0.0 + s0.1 + s0.2 + offset, y01 = s0.1 - s0.2 - s0.3 + offset
                            let y10 = s1.0 + s1.1 + s1.2 + offset, y11 = s1.1 - s1.2 - s1.3 + offset
                            let top = target + ox, bottom = top + OW
                            for lane in 0..<8 {
                                top[2 * lane] = y00[lane]; top[2 * lane + 1] = y01[lane]
                                bottom[2 * lane] = y10[lane]; bottom[2 * lane + 1] = y11[lane]
                            }
                            j += 8
                            continue
                        }
                        func row(_ i: Int) -> SIMD4<Float> {
                            let base = source + 4 * i * step
                            return SIMD4(base[0], base[step], base[2 * step], base[3 * step])
                        }
                        let (m0, m1, m2, m3) = (row(0), row(1), row(2), row(3))
                        let s0 = m0 + m1 + m2, s1 = m1 - m2 - m3
                        let top = target + ox
                        top[0] = s0[0] + s0[1] + s0[2] + offset
                        if ox + 1 < OW { top[1] = s0[1] - s0[2] - s0[3] + offset }
                        if oy + 1 < OH {
                            top[OW] = s1[0] + s1[1] + s1[2] + offset
                            if ox + 1 < OW { top[OW + 1] = s1[1] - s1[2] - s1[3] + offset }
                        }
                        j += 1
                    }
                }
            }
        }
    }
}
