import CBLAS

/// Padding of a convolution: explicit per spatial axis, or "same" (output size equals input
/// size at stride 1, the extra pixel going after, as in PyTorch).
public enum ConvPadding: Equatable, Sendable {
    case explicit([Int])
    case same
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
        let output = try Tensor(uninitialized: geometry.outputShape, dtype: .float32)
        let b = try bias?.to(.float32).contiguous()
        // Raw pointers do not keep their tensors alive: each tensor must outlive the call.
        try withExtendedLifetime((x, w, b)) {
            try geometry.convolve(x.floatPointer, w.floatPointer, output.floatPointer, bias: b?.floatPointer)
        }
        var inputs = [input, weight]
        if let bias { inputs.append(bias) }
        let wantInputGradient = input.node != nil
        return record("conv", output, inputs) { g in
            let grad = try g.contiguous()
            let dx = wantInputGradient ? try zeros(x.shape) : nil, dw = try zeros(w.shape)
            try withExtendedLifetime((grad, x, w)) {
                try geometry.backpropagate(grad.floatPointer, weight: w.floatPointer, input: x.floatPointer,
                                           inputGradient: dx?.floatPointer, weightGradient: dw.floatPointer)
            }
            var result: [Tensor?] = [dx, dw]
            if bias != nil { result.append(try grad.sum(axes: [0] + Array(2..<grad.rank))) }
            return result
        }
    }

    /// Adds `bias[c]` to every element of channel c of `y` ([N, C, …], contiguous, owned).
    static func addChannelBias(_ y: Tensor, _ bias: Tensor) throws {
        let b = try bias.to(.float32).contiguous()
        let channels = y.shape[1], volume = y.count / Swift.max(y.shape[0] * channels, 1)
        withExtendedLifetime((b, y)) {
            let bp = b.floatPointer, yp = y.floatPointer
            parallelFor(y.shape[0] * channels, grain: Swift.max(1, 32768 / Swift.max(volume, 1))) { planes in
                for plane in planes {
                    let value = bp[plane % channels], row = yp + plane * volume
                    for i in 0..<volume { row[i] += value }
                }
            }
        }
    }
}

extension ConvGeometry {
    /// y = conv(x, w) (+ bias per channel): Winograd's F(2×2, 3×3) where it applies, else
    /// unfolded columns; every caller (convolutions, and transposed convolutions' gradients)
    /// takes the faster path this way.
    func convolve(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                  bias: UnsafePointer<Float>? = nil, budget: Int = ConvGeometry.columnBudget) throws {
        if winogradApplies {
            try winogradConvolve(x, w, y, bias: bias)
        } else {
            try convolveColumns(x, w, y, bias: bias, budget: budget)
        }
    }

    /// `backpropagateColumns`, with the input's gradient of a Winograd-shaped convolution taken
    /// as one too (weights rotated, padding 2 − p). `dx` must hold zeros: columns add to it.
    func backpropagate(_ dy: UnsafePointer<Float>, weight w: UnsafePointer<Float>, input x: UnsafePointer<Float>?,
                       inputGradient dx: UnsafeMutablePointer<Float>?, weightGradient dw: UnsafeMutablePointer<Float>?,
                       budget: Int = ConvGeometry.columnBudget) throws {
        guard winogradApplies, let dx else {
            return try backpropagateColumns(dy, weight: w, input: x, inputGradient: dx, weightGradient: dw, budget: budget)
        }
        if dw != nil { try backpropagateColumns(dy, weight: w, input: x, inputGradient: nil, weightGradient: dw, budget: budget) }
        try inputGradientGeometry().winogradConvolve(dy, w, dx, flipped: true)
    }

    /// y = W · columns(x) (+ bias per channel) for every sample: x [N, C_in, …input],
    /// y [N, C_out, …output]. The bias is added chunk by chunk, while the product is in cache.
    func convolveColumns(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                  bias: UnsafePointer<Float>? = nil, budget: Int = ConvGeometry.columnBudget) throws {
        let chunks = columnChunks(budget: budget)
        let buffers = try ColumnBuffers(self, chunks)
        defer { withExtendedLifetime(buffers) {} }  // the loop uses raw pointers into them
        for chunk in chunks {
            let n = chunk.firstSample, count = columnCount(chunk)
            for group in 0..<groups {
                im2col(x + (n * inChannels + group * inPerGroup) * inputVolume, chunk, buffers.columns)
                let target = y + (n * outChannels + group * outPerGroup) * outputVolume
                let direct = chunk.samples == 1, groupBias = bias.map { $0 + group * outPerGroup }
                let (product, ld) = direct ? (target + chunk.lines.lowerBound * output[2], outputVolume) : (buffers.block, count)
                gemm(false, false, outPerGroup, count, columnRows, w + group * outPerGroup * columnRows, columnRows,
                     buffers.columns, count, product, ld, accumulate: false)
                if !direct {
                    buffers.scatter(self, chunk, into: target, adding: groupBias)
                } else if let groupBias {
                    parallelFor(outPerGroup, grain: Swift.max(1, 32768 / Swift.max(count, 1))) { channels in
                        for c in channels {
                            let row = product + c * ld, value = groupBias[c]
                            for i in 0..<count { row[i] += value }
                        }
                    }
                }
            }
        }
    }

    /// Given dy [N, C_out, …output]: adds dx += columns⁻¹(Wᵀ · dy) when `inputGradient` is set,
    /// and dW += dy · columns(x)ᵀ when `weightGradient` is (which then needs `input`).
    func backpropagateColumns(_ dy: UnsafePointer<Float>, weight w: UnsafePointer<Float>, input x: UnsafePointer<Float>?,
                       inputGradient dx: UnsafeMutablePointer<Float>?, weightGradient dw: UnsafeMutablePointer<Float>?,
                       budget: Int = ConvGeometry.columnBudget) throws {
        let chunks = columnChunks(budget: budget)
        let buffers = try ColumnBuffers(self, chunks)
        defer { withExtendedLifetime(buffers) {} }  // the loop uses raw pointers into them
        for chunk in chunks {
            let n = chunk.firstSample, count = columnCount(chunk)
            for group in 0..<groups {
                let gradient = dy + (n * outChannels + group * outPerGroup) * outputVolume
                let direct = chunk.samples == 1
                if !direct { buffers.gather(self, chunk, from: gradient) }
                let block = direct ? gradient + chunk.lines.lowerBound * output[2] : UnsafePointer(buffers.block)
                let ld = direct ? outputVolume : count
                let inputOffset = (n * inChannels + group * inPerGroup) * inputVolume
                if let dw, let x {
                    im2col(x + inputOffset, chunk, buffers.columns)
                    gemm(false, true, outPerGroup, columnRows, count, block, ld, buffers.columns, count,
                         dw + group * outPerGroup * columnRows, columnRows, accumulate: true)
                }
                if let dx {
                    gemm(true, false, columnRows, count, outPerGroup, w + group * outPerGroup * columnRows, columnRows,
                         block, ld, buffers.columns, count, accumulate: false)
                    col2im(buffers.columns, chunk, dx + inputOffset)
                }
            }
        }
    }
}

/// Scratch for one convolution: the column matrix of a chunk, and a chunk's output block when
/// the chunk spans several samples (whose rows are not contiguous in [N, C, …] memory).
private struct ColumnBuffers {
    let columnStorage: Tensor, blockStorage: Tensor?

    init(_ g: ConvGeometry, _ chunks: [ColumnChunk]) throws {
        let widest = chunks.map { g.columnCount($0) }.max() ?? 0
        columnStorage = try Tensor(uninitialized: [g.columnRows * widest], dtype: .float32)
        blockStorage = chunks.contains { $0.samples > 1 } ? try Tensor(uninitialized: [g.outPerGroup * widest + ColumnBuffers.skew], dtype: .float32) : nil
    }

    var columns: UnsafeMutablePointer<Float> { columnStorage.floatPointer }
    /// The block starts this many floats into its buffer: rows of the block and of the output
    /// then never share their address bits below 4 KiB (whole-page strides from page-aligned
    /// buffers would), which would make each load wait on the stores before it.
    static let skew = 48
    var block: UnsafeMutablePointer<Float> { blockStorage!.floatPointer + ColumnBuffers.skew }

    /// Copies the block (rows: a group's output channels; columns: samples × positions) into
    /// [N, C, …] memory at `target` (the group's first channel of the chunk's first sample),
    /// adding `bias[c]` to channel c's values when given.
    func scatter(_ g: ConvGeometry, _ chunk: ColumnChunk, into target: UnsafeMutablePointer<Float>, adding bias: UnsafePointer<Float>?) {
        let block = self.block, volume = g.outputVolume, ld = chunk.samples * volume
        parallelFor(chunk.samples * g.outPerGroup, grain: Swift.max(1, 32768 / Swift.max(volume, 1))) { rows in
            for r in rows {
                let s = r / g.outPerGroup, c = r % g.outPerGroup
                let source = block + c * ld + s * volume, row = target + (s * g.outChannels + c) * volume
                if let bias {
                    let value = bias[c]
                    for i in 0..<volume { row[i] = source[i] + value }
                } else {
                    row.update(from: source, count: volume)
                }
            }
        }
    }

    /// The inverse copy of `scatter`: [N, C, …] memory into the block.
    func gather(_ g: ConvGeometry, _ chunk: ColumnChunk, from source: UnsafePointer<Float>) {
        let block = self.block, volume = g.outputVolume, ld = chunk.samples * volume
        parallelFor(chunk.samples * g.outPerGroup, grain: Swift.max(1, 32768 / Swift.max(volume, 1))) { rows in
            for r in rows {
                let s = r / g.outPerGroup, c = r % g.outPerGroup
                (block + c * ld + s * volume).update(from: source + (s * g.outChannels + c) * volume, count: volume)
            }
        }
    }
}

