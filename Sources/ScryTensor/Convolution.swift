import CBLAS

/// Padding of a convolution: explicit per spatial axis, or "same" (output size equals input
/// size at stride 1, the extra pixel going after, as in PyTorch).
public enum ConvPadding: Equatable, Sendable {
    case explicit([Int])
    case same
}

/// The geometry of one convolution, every spatial quantity held as three axes (depth, height,
/// width), with size 1 for the axes a 1D or 2D convolution lacks, so one kernel serves all.
struct ConvGeometry {
    let batch: Int, inChannels: Int, outChannels: Int, groups: Int
    let input: [Int], kernel: [Int], output: [Int]
    let stride: [Int], dilation: [Int], padBefore: [Int]
    let spatialRank: Int

    var inPerGroup: Int { inChannels / groups }
    var outPerGroup: Int { outChannels / groups }
    var kernelVolume: Int { kernel.reduce(1, *) }
    var inputVolume: Int { input.reduce(1, *) }
    var outputVolume: Int { output.reduce(1, *) }
    /// Rows of the column matrix of one group: input channels × kernel positions.
    var columnRows: Int { inPerGroup * kernelVolume }

    init(input x: [Int], weight w: [Int], stride: [Int], padding: ConvPadding, dilation: [Int], groups: Int) throws {
        let op = "conv"
        let d = x.count - 2
        guard (1...3).contains(d), w.count == x.count else {
            throw TensorError.shapeMismatch(op: op, "input \(shapeString(x)) must be [N, C, …spatial] with 1 to 3 spatial axes, and weight \(shapeString(w)) [C_out, C_in/groups, …kernel] of the same rank")
        }
        func expand(_ values: [Int], _ name: String) throws -> [Int] {
            if values.count == 1 { return [Int](repeating: values[0], count: d) }
            guard values.count == d else {
                throw TensorError.invalidArgument(op: op, "\(name) \(shapeString(values)) must have one value or \(d)")
            }
            return values
        }
        let s = try expand(stride, "stride"), dl = try expand(dilation, "dilation")
        guard s.allSatisfy({ $0 >= 1 }), dl.allSatisfy({ $0 >= 1 }) else {
            throw TensorError.invalidArgument(op: op, "stride \(shapeString(s)) and dilation \(shapeString(dl)) must be positive")
        }
        guard groups >= 1, x[1] % groups == 0, w[0] % groups == 0 else {
            throw TensorError.invalidArgument(op: op, "groups (\(groups)) must divide the input channels (\(x[1])) and the output channels (\(w[0]))")
        }
        guard w[1] * groups == x[1] else {
            throw TensorError.shapeMismatch(op: op, "weight \(shapeString(w)) expects \(w[1] * groups) input channels, input \(shapeString(x)) has \(x[1])")
        }
        let spatial = Array(x[2...]), kernel = Array(w[2...])
        var before = [Int](), after = [Int]()
        switch padding {
        case .explicit(let values):
            let p = try expand(values, "padding")
            guard p.allSatisfy({ $0 >= 0 }) else { throw TensorError.invalidArgument(op: op, "padding \(shapeString(p)) must be non-negative") }
            before = p; after = p
        case .same:
            guard s.allSatisfy({ $0 == 1 }) else {
                throw TensorError.invalidArgument(op: op, "padding \"same\" needs stride 1, got \(shapeString(s))")
            }
            for i in 0..<d {
                let total = dl[i] * (kernel[i] - 1)
                before.append(total / 2); after.append(total - total / 2)
            }
        }
        var out = [Int]()
        for i in 0..<d {
            let reach = dl[i] * (kernel[i] - 1) + 1
            let padded = spatial[i] + before[i] + after[i]
            guard kernel[i] >= 1, padded >= reach else {
                throw TensorError.shapeMismatch(op: op, "kernel \(shapeString(kernel)) (dilation \(shapeString(dl))) does not fit input \(shapeString(spatial)) padded by \(shapeString(before))")
            }
            out.append((padded - reach) / s[i] + 1)
        }
        let lead = [Int](repeating: 1, count: 3 - d), zero = [Int](repeating: 0, count: 3 - d)
        batch = x[0]; inChannels = x[1]; outChannels = w[0]; self.groups = groups
        input = lead + spatial; self.kernel = lead + kernel; output = lead + out
        self.stride = lead + s; self.dilation = lead + dl; padBefore = zero + before
        spatialRank = d
    }

    var outputShape: [Int] { [batch, outChannels] + Array(output.suffix(spatialRank)) }

    /// Unfolds one sample's group into columns: row (c, kz, ky, kx), column (oz, oy, ox);
    /// positions outside the input read as 0.
    func im2col(_ x: UnsafePointer<Float>, _ columns: UnsafeMutablePointer<Float>) {
        let (ID, IH, IW) = (input[0], input[1], input[2])
        let (OD, OH, OW) = (output[0], output[1], output[2])
        let (KD, KH, KW) = (kernel[0], kernel[1], kernel[2])
        parallelFor(columnRows, grain: Swift.max(1, 4096 / Swift.max(outputVolume, 1))) { rows in
            for row in rows {
                let c = row / kernelVolume, k = row % kernelVolume
                let kz = k / (KH * KW), ky = (k / KW) % KH, kx = k % KW
                let plane = x + c * inputVolume
                var target = columns + row * outputVolume
                for oz in 0..<OD {
                    let iz = oz * stride[0] - padBefore[0] + kz * dilation[0]
                    for oy in 0..<OH {
                        let iy = oy * stride[1] - padBefore[1] + ky * dilation[1]
                        if iz < 0 || iz >= ID || iy < 0 || iy >= IH {
                            target.update(repeating: 0, count: OW)
                        } else {
                            let line = plane + (iz * IH + iy) * IW
                            let start = kx * dilation[2] - padBefore[2], step = stride[2]
                            for ox in 0..<OW {
                                let ix = start + ox * step
                                target[ox] = ix >= 0 && ix < IW ? line[ix] : 0
                            }
                        }
                        target += OW
                    }
                }
            }
        }
    }

    /// The adjoint of `im2col`: adds each column entry back to the input position it came from.
    func col2im(_ columns: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>) {
        let (ID, IH, IW) = (input[0], input[1], input[2])
        let (OD, OH, OW) = (output[0], output[1], output[2])
        let (KH, KW) = (kernel[1], kernel[2])
        // Channels are independent: split them among threads so no two write the same plane.
        parallelFor(inPerGroup, grain: 1) { channels in
            for c in channels {
                let plane = x + c * inputVolume
                for k in 0..<kernelVolume {
                    let kz = k / (KH * KW), ky = (k / KW) % KH, kx = k % KW
                    var source = columns + (c * kernelVolume + k) * outputVolume
                    for oz in 0..<OD {
                        let iz = oz * stride[0] - padBefore[0] + kz * dilation[0]
                        for oy in 0..<OH {
                            let iy = oy * stride[1] - padBefore[1] + ky * dilation[1]
                            if iz >= 0 && iz < ID && iy >= 0 && iy < IH {
                                let line = plane + (iz * IH + iy) * IW
                                let start = kx * dilation[2] - padBefore[2], step = stride[2]
                                for ox in 0..<OW {
                                    let ix = start + ox * step
                                    if ix >= 0 && ix < IW { line[ix] += source[ox] }
                                }
                            }
                            source += OW
                        }
                    }
                }
            }
        }
    }
}

/// C = op(A) · op(B) (+ C when `accumulate`), row-major, through OpenBLAS.
@inline(__always)
func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
          _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
          _ c: UnsafeMutablePointer<Float>, _ ldc: Int, accumulate: Bool) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), accumulate ? 1 : 0, c, Int32(ldc))
}

extension Tensor {
    /// N-d convolution (1D, 2D or 3D; PyTorch's cross-correlation): input [N, C_in, …],
    /// weight [C_out, C_in/groups, …kernel], optional bias [C_out]; stride, dilation and
    /// padding per axis (one value for all) or "same"; groups (C_in for depthwise). Computed as
    /// unfolded columns times the weight matrix through sgemm; differentiable in all three.
    public static func conv(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1],
                            padding: ConvPadding = .explicit([0]), dilation: [Int] = [1], groups: Int = 1) throws -> Tensor {
        let geometry = try ConvGeometry(input: input.shape, weight: weight.shape, stride: stride, padding: padding,
                                        dilation: dilation, groups: groups)
        if let bias, bias.shape != [geometry.outChannels] {
            throw TensorError.shapeMismatch(op: "conv", "bias \(shapeString(bias.shape)) must be [\(geometry.outChannels)]")
        }
        let x = try input.to(.float32).contiguous().detach(), w = try weight.to(.float32).contiguous().detach()
        let b = try bias?.to(.float32).contiguous().detach()
        let output = try Tensor(uninitialized: geometry.outputShape, dtype: .float32)
        try convForward(geometry, x, w, b, output)
        var inputs = [input, weight]
        if let bias { inputs.append(bias) }
        return record("conv", output, inputs) { g in
            let grad = try g.contiguous()
            return try convBackward(geometry, x, w, grad, wantBias: bias != nil)
        }
    }

    private static func convForward(_ g: ConvGeometry, _ x: Tensor, _ w: Tensor, _ b: Tensor?, _ out: Tensor) throws {
        let columns = try Tensor(uninitialized: [g.columnRows * g.outputVolume], dtype: .float32)
        let xp = x.floatPointer, wp = w.floatPointer, op = out.floatPointer, cp = columns.floatPointer
        for n in 0..<g.batch {
            for group in 0..<g.groups {
                g.im2col(xp + (n * g.inChannels + group * g.inPerGroup) * g.inputVolume, cp)
                gemm(false, false, g.outPerGroup, g.outputVolume, g.columnRows,
                     wp + group * g.outPerGroup * g.columnRows, g.columnRows, cp, g.outputVolume,
                     op + (n * g.outChannels + group * g.outPerGroup) * g.outputVolume, g.outputVolume, accumulate: false)
            }
            if let b {
                for c in 0..<g.outChannels {
                    let value = b.floatPointer[c], row = op + (n * g.outChannels + c) * g.outputVolume
                    for i in 0..<g.outputVolume { row[i] += value }
                }
            }
        }
    }

    private static func convBackward(_ g: ConvGeometry, _ x: Tensor, _ w: Tensor, _ grad: Tensor, wantBias: Bool) throws -> [Tensor?] {
        let dx = try zeros(x.shape), dw = try zeros(w.shape)
        let columns = try Tensor(uninitialized: [g.columnRows * g.outputVolume], dtype: .float32)
        let xp = x.floatPointer, wp = w.floatPointer, gp = grad.floatPointer, cp = columns.floatPointer
        for n in 0..<g.batch {
            for group in 0..<g.groups {
                let gradBlock = gp + (n * g.outChannels + group * g.outPerGroup) * g.outputVolume
                // dW += dY · colsᵀ
                g.im2col(xp + (n * g.inChannels + group * g.inPerGroup) * g.inputVolume, cp)
                gemm(false, true, g.outPerGroup, g.columnRows, g.outputVolume, gradBlock, g.outputVolume, cp, g.outputVolume,
                     dw.floatPointer + group * g.outPerGroup * g.columnRows, g.columnRows, accumulate: true)
                // dcols = Wᵀ · dY, folded back onto the input.
                gemm(true, false, g.columnRows, g.outputVolume, g.outPerGroup, wp + group * g.outPerGroup * g.columnRows,
                     g.columnRows, gradBlock, g.outputVolume, cp, g.outputVolume, accumulate: false)
                g.col2im(cp, dx.floatPointer + (n * g.inChannels + group * g.inPerGroup) * g.inputVolume)
            }
        }
        var result: [Tensor?] = [dx, dw]
        if wantBias {
            let spatial = Array(2..<grad.rank)
            result.append(try grad.sum(axes: [0] + spatial))
        }
        return result
    }
}
