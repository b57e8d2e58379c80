/// The geometry of a pooling window over 1 to 3 spatial axes, held as three axes (size 1 for
/// the axes a lower-dimensional pooling lacks).
struct PoolGeometry {
    let planes: Int
    let input: [Int], kernel: [Int], stride: [Int], pad: [Int], output: [Int]
    let leading: [Int]
    let spatialRank: Int

    init(_ shape: [Int], kernel: [Int], stride: [Int]?, padding: [Int], op: String) throws {
        let d = shape.count - 2
        guard (1...3).contains(d) else {
            throw TensorError.shapeMismatch(op: op, "input \(shapeString(shape)) must be [N, C, …spatial] with 1 to 3 spatial axes")
        }
        func expand(_ values: [Int], _ name: String) throws -> [Int] {
            if values.count == 1 { return [Int](repeating: values[0], count: d) }
            guard values.count == d else { throw TensorError.invalidArgument(op: op, "\(name) \(shapeString(values)) must have one value or \(d)") }
            return values
        }
        let k = try expand(kernel, "kernel"), s = try expand(stride ?? kernel, "stride"), p = try expand(padding, "padding")
        guard k.allSatisfy({ $0 >= 1 }), s.allSatisfy({ $0 >= 1 }), p.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidArgument(op: op, "kernel \(shapeString(k)) and stride \(shapeString(s)) must be positive, padding \(shapeString(p)) non-negative")
        }
        guard zip(p, k).allSatisfy({ $0 * 2 <= $1 }) else {
            throw TensorError.invalidArgument(op: op, "padding \(shapeString(p)) must be at most half the kernel \(shapeString(k))")
        }
        let spatial = Array(shape[2...])
        var out: [Int] = []
        for i in 0..<d {
            guard spatial[i] + 2 * p[i] >= k[i] else {
                throw TensorError.shapeMismatch(op: op, "kernel \(shapeString(k)) does not fit input \(shapeString(spatial)) padded by \(shapeString(p))")
            }
            out.append((spatial[i] + 2 * p[i] - k[i]) / s[i] + 1)
        }
        let one = [Int](repeating: 1, count: 3 - d), zero = [Int](repeating: 0, count: 3 - d)
        planes = shape[0] * shape[1]
        input = one + spatial; self.kernel = one + k; self.stride = one + s; pad = zero + p; output = one + out
        leading = Array(shape[..<2])
        spatialRank = d
    }

    var inputVolume: Int { input.reduce(1, *) }
    var outputVolume: Int { output.reduce(1, *) }
    var outputShape: [Int] { leading + Array(output.suffix(spatialRank)) }

    /// The maximum of each window of one plane and its flat input position; a NaN wins, and
    /// among equals the first in (z, y, x) order.
    func maxPlane(_ source: UnsafePointer<Float>, _ values: UnsafeMutablePointer<Float>, _ winners: UnsafeMutablePointer<Int64>) {
        let (ID, IH, IW) = (input[0], input[1], input[2])
        if pad == [0, 0, 0] && kernel == stride && kernel[1] == 2 && kernel[2] == 2 && kernel[0] <= 2 {
            return maxPlaneHalving(source, values, winners)
        }
        var o = 0
        for oz in 0..<output[0] {
            let z0 = oz * stride[0] - pad[0], zs = Swift.max(z0, 0)..<Swift.min(z0 + kernel[0], ID)
            for oy in 0..<output[1] {
                let y0 = oy * stride[1] - pad[1], ys = Swift.max(y0, 0)..<Swift.min(y0 + kernel[1], IH)
                for ox in 0..<output[2] {
                    let x0 = ox * stride[2] - pad[2], xs = Swift.max(x0, 0)..<Swift.min(x0 + kernel[2], IW)
                    var best = (zs.lowerBound * IH + ys.lowerBound) * IW + xs.lowerBound, bestValue = source[best]
                    for z in zs {
                        for y in ys {
                            let row = (z * IH + y) * IW
                            for x in xs where source[row + x] > bestValue || source[row + x].isNaN {
                                best = row + x; bestValue = source[best]
                            }
                        }
                    }
                    values[o] = bestValue; winners[o] = Int64(best)
                    o += 1
                }
            }
        }
    }

    /// `maxPlane` for the usual 2×2 (or 2×2×2) windows at stride 2 without padding: fixed
    /// offsets and selects instead of branches, so the inner loop is straight-line code.
    private func maxPlaneHalving(_ source: UnsafePointer<Float>, _ values: UnsafeMutablePointer<Float>, _ winners: UnsafeMutablePointer<Int64>) {
        let (IH, IW, OH, OW) = (input[1], input[2], output[1], output[2])
        let depth = kernel[0], slice = IH * IW
        for oz in 0..<output[0] {
            for oy in 0..<OH {
                let corner = (oz * depth * IH + oy * 2) * IW, o = (oz * OH + oy) * OW
                for ox in 0..<OW {
                    let first = corner + 2 * ox
                    var best = first, bestValue = source[first]
                    @inline(__always) func consider(_ position: Int) {
                        let value = source[position], wins = value > bestValue || value != value
                        bestValue = wins ? value : bestValue; best = wins ? position : best
                    }
                    consider(first + 1); consider(first + IW); consider(first + IW + 1)
                    if depth == 2 {
                        consider(first + slice); consider(first + slice + 1); consider(first + slice + IW); consider(first + slice + IW + 1)
                    }
                    values[o + ox] = bestValue; winners[o + ox] = Int64(best)
                }
            }
        }
    }

    /// Calls `body(outputIndex, window)` for each output position of one plane, with the
    /// flat input positions its window covers (padding positions left out).
    func forEachWindow(_ body: (Int, [Int]) -> Void) {
        var window: [Int] = []
        window.reserveCapacity(kernel.reduce(1, *))
        var o = 0
        for oz in 0..<output[0] {
            for oy in 0..<output[1] {
                for ox in 0..<output[2] {
                    window.removeAll(keepingCapacity: true)
                    for kz in 0..<kernel[0] {
                        let iz = oz * stride[0] - pad[0] + kz
                        guard iz >= 0 && iz < input[0] else { continue }
                        for ky in 0..<kernel[1] {
                            let iy = oy * stride[1] - pad[1] + ky
                            guard iy >= 0 && iy < input[1] else { continue }
                            for kx in 0..<kernel[2] {
                                let ix = ox * stride[2] - pad[2] + kx
                                guard ix >= 0 && ix < input[2] else { continue }
                                window.append((iz * input[1] + iy) * input[2] + ix)
                            }
                        }
                    }
                    body(o, window)
                    o += 1
                }
            }
        }
    }
}

extension Tensor {
    /// Max pooling over 1 to 3 spatial axes (kernel, stride defaulting to the kernel, padding
    /// that never wins). Returns the maxima and, per output, the flat index of the winner within
    /// its input plane (for unpooling; the gradient goes to it). Differentiable.
    public static func maxPool(_ input: Tensor, kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0]) throws -> (values: Tensor, indices: Tensor) {
        let g = try PoolGeometry(input.shape, kernel: kernel, stride: stride, padding: padding, op: "max_pool")
        let x = try input.to(.float32).contiguous().detach()
        let values = try Tensor(uninitialized: g.outputShape, dtype: .float32)
        let indices = try Tensor(uninitialized: g.outputShape, dtype: .int64)
        withExtendedLifetime(x) {
            let xp = x.floatPointer, vp = values.floatPointer, ip = indices.int64Pointer
            parallelFor(g.planes, grain: Swift.max(1, 8192 / Swift.max(g.inputVolume, 1))) { planes in
                for plane in planes { g.maxPlane(xp + plane * g.inputVolume, vp + plane * g.outputVolume, ip + plane * g.outputVolume) }
            }
        }
        let inputShape = input.shape
        let output = record("max_pool", values, [input]) { grad in
            let dx = try zeros(inputShape), dense = try grad.contiguous()
            // The pointers borrow from `dense`, which must outlive the loop.
            withExtendedLifetime(dense) {
                let gp = dense.floatPointer, dp = dx.floatPointer, ip = indices.int64Pointer
                parallelFor(g.planes, grain: Swift.max(1, 8192 / Swift.max(g.inputVolume, 1))) { planes in
                    for plane in planes {
                        let source = gp + plane * g.outputVolume, winners = ip + plane * g.outputVolume, target = dp + plane * g.inputVolume
                        for o in 0..<g.outputVolume { target[Int(winners[o])] += source[o] }
                    }
                }
            }
            return [dx]
        }
        return (output, indices)
    }

    /// Average pooling over 1 to 3 spatial axes; padded positions count in the divisor unless
    /// `countIncludePad` is false (PyTorch's default: they count). Differentiable.
    public static func avgPool(_ input: Tensor, kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0],
                               countIncludePad: Bool = true) throws -> Tensor {
        let g = try PoolGeometry(input.shape, kernel: kernel, stride: stride, padding: padding, op: "avg_pool")
        let x = try input.to(.float32).contiguous().detach()
        let out = try Tensor(uninitialized: g.outputShape, dtype: .float32)
        let fullWindow = Float(g.kernel.reduce(1, *))
        let xp = x.floatPointer, op = out.floatPointer
        parallelFor(g.planes, grain: Swift.max(1, 8192 / Swift.max(g.inputVolume, 1))) { planes in
            for plane in planes {
                let source = xp + plane * g.inputVolume
                g.forEachWindow { o, window in
                    var total: Float = 0
                    for position in window { total += source[position] }
                    op[plane * g.outputVolume + o] = total / (countIncludePad ? fullWindow : Float(window.count))
                }
            }
        }
        let inputShape = input.shape
        return record("avg_pool", out, [input]) { grad in
            let dx = try zeros(inputShape), dense = try grad.contiguous()
            withExtendedLifetime(dense) {
                let gp = dense.floatPointer, dp = dx.floatPointer
                for plane in 0..<g.planes {
                    g.forEachWindow { o, window in
                        let share = gp[plane * g.outputVolume + o] / (countIncludePad ? fullWindow : Float(window.count))
                        for position in window { dp[plane * g.inputVolume + position] += share }
                    }
                }
            }
            return [dx]
        }
    }

    /// Adaptive average pooling to `size` per spatial axis: output cell i averages input
    /// positions floor(i·In/Out) ..< ceil((i+1)·In/Out), as PyTorch bins them. Differentiable.
    public static func adaptiveAvgPool(_ input: Tensor, size: [Int]) throws -> Tensor {
        let d = input.rank - 2
        guard (1...3).contains(d), size.count == 1 || size.count == d, size.allSatisfy({ $0 >= 1 }) else {
            throw TensorError.invalidArgument(op: "adaptive_avg_pool", "needs [N, C, …spatial] input (got \(shapeString(input.shape))) and positive output sizes (got \(shapeString(size)))")
        }
        let targets = size.count == 1 ? [Int](repeating: size[0], count: d) : size
        var result = input
        // Separable: average along one axis at a time, each bin a slice mean.
        for (offset, target) in targets.enumerated() {
            let axis = 2 + offset, length = result.shape[axis]
            let bins = try (0..<target).map { i -> Tensor in
                let start = i * length / target, end = ((i + 1) * length + target - 1) / target
                var index = [TensorIndex](repeating: .all, count: axis)
                index.append(.slice(start: start, stop: end, step: 1))
                return try result.index(index).mean(axes: [axis], keepDims: true)
            }
            result = try concat(bins, axis: axis)
        }
        return result
    }
}
