/// A block of output positions whose unfolded columns are formed and multiplied at once:
/// several whole samples (small outputs, so one GEMM is wide enough to run at full speed), or
/// a range of output lines of one sample (large outputs, so the column buffer stays in cache).
/// A line is one output row (oz, oy) of `output[2]` positions.
struct ColumnChunk {
    let firstSample: Int, samples: Int, lines: Range<Int>
}

extension ConvGeometry {
    /// Column-buffer floats per chunk: large enough for efficient GEMMs, small enough to stay in
    /// the last-level cache between unfolding and multiplying.
    static let columnBudget = 1 << 21
    /// Outputs at least this wide are multiplied one sample at a time, straight into place;
    /// narrower ones are grouped (and their block copied into place after).
    static let directColumns = 4096

    var lineCount: Int { output[0] * output[1] }

    /// The chunks covering every sample's output, in order.
    func columnChunks(budget: Int) -> [ColumnChunk] {
        let maxColumns = Swift.max(output[2], budget / Swift.max(columnRows, 1))
        if outputVolume <= maxColumns {
            let perChunk = outputVolume < ConvGeometry.directColumns ? maxColumns / outputVolume : 1
            return Swift.stride(from: 0, to: batch, by: perChunk).map {
                ColumnChunk(firstSample: $0, samples: Swift.min(perChunk, batch - $0), lines: 0..<lineCount)
            }
        }
        let linesPerChunk = Swift.max(1, maxColumns / output[2])
        return (0..<batch).flatMap { n in
            Swift.stride(from: 0, to: lineCount, by: linesPerChunk).map {
                ColumnChunk(firstSample: n, samples: 1, lines: $0..<Swift.min($0 + linesPerChunk, lineCount))
            }
        }
    }

    func columnCount(_ chunk: ColumnChunk) -> Int { chunk.samples * chunk.lines.count * output[2] }

    /// The output positions ox whose input column ox·stride − pad + kx·dilation lies inside
    /// the input line.
    private func validColumns(_ kx: Int) -> (start: Int, range: Range<Int>) {
        let start = kx * dilation[2] - padBefore[2], step = stride[2]
        // ceil((−start) / step) and ceil((IW − start) / step), clamped to the output line.
        func firstAtLeast(_ bound: Int) -> Int { bound <= 0 ? 0 : (bound + step - 1) / step }
        let low = Swift.min(firstAtLeast(-start), output[2]), high = Swift.min(firstAtLeast(input[2] - start), output[2])
        return (start, low..<Swift.max(low, high))
    }

    /// Unfolds one group of a chunk's samples into columns: row (c, kz, ky, kx), column
    /// (sample, line, ox); positions outside the input read as 0. `x` points at the group's
    /// first channel of the chunk's first sample.
    func im2col(_ x: UnsafePointer<Float>, _ chunk: ColumnChunk, _ columns: UnsafeMutablePointer<Float>) {
        let (ID, IH, IW, OH, OW) = (input[0], input[1], input[2], output[1], output[2])
        let (KH, KW, SD, SH) = (kernel[1], kernel[2], stride[0], stride[1])
        let width = chunk.lines.count * OW, ld = chunk.samples * width, sampleStride = inChannels * inputVolume
        let preservesShape = input == output && stride == [1, 1, 1] && dilation == [1, 1, 1]
        parallelFor(columnRows, grain: Swift.max(1, 16384 / Swift.max(ld, 1))) { rows in
            for row in rows {
                let c = row / kernelVolume, k = row % kernelVolume
                let kz = k / (KH * KW), ky = (k / KW) % KH, kx = k % KW
                let (start, valid) = validColumns(kx)
                let step = stride[2]
                let zOffset = kz * dilation[0] - padBefore[0], yOffset = ky * dilation[1] - padBefore[1]
                for s in 0..<chunk.samples {
                    let plane = x + s * sampleStride + c * inputVolume
                    var target = columns + row * ld + s * width
                    if preservesShape {
                        shiftedCopy(plane, target, chunk.lines, zOffset: zOffset, yOffset: yOffset, xOffset: start)
                        continue
                    }
                    var oz = chunk.lines.lowerBound / OH, oy = chunk.lines.lowerBound % OH
                    for _ in chunk.lines {
                        let iz = oz * SD + zOffset, iy = oy * SH + yOffset
                        oy += 1
                        if oy == OH { oy = 0; oz += 1 }
                        if iz < 0 || iz >= ID || iy < 0 || iy >= IH || valid.isEmpty {
                            target.update(repeating: 0, count: OW)
                        } else {
                            let source = plane + (iz * IH + iy) * IW + start
                            target.update(repeating: 0, count: valid.lowerBound)
                            if step == 1 {
                                (target + valid.lowerBound).update(from: source + valid.lowerBound, count: valid.count)
                            } else {
                                for ox in valid { target[ox] = source[ox * step] }
                            }
                            (target + valid.upperBound).update(repeating: 0, count: OW - valid.upperBound)
                        }
                        target += OW
                    }
                }
            }
        }
    }

    /// One im2col row for one sample of a stride-1 convolution whose output has the input's
    /// shape: the kernel offset moves every position by the same flat distance, so the row is one
    /// block copy of the plane, then the positions whose source crosses a border set to 0.
    private func shiftedCopy(_ plane: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ lines: Range<Int>,
                             zOffset: Int, yOffset: Int, xOffset: Int) {
        let (shift, valid) = shiftedRange(lines, zOffset: zOffset, yOffset: yOffset, xOffset: xOffset)
        target.update(repeating: 0, count: valid.lowerBound)
        (target + valid.lowerBound).update(from: plane + lines.lowerBound * input[2] + shift + valid.lowerBound, count: valid.count)
        (target + valid.upperBound).update(repeating: 0, count: lines.count * input[2] - valid.upperBound)
        clearBorders(target, lines, zOffset: zOffset, yOffset: yOffset, xOffset: xOffset)
    }

    /// The adjoint of `shiftedCopy`, for col2im: the crossing entries of the (scratch) row are
    /// cleared, then the row is added to the plane in one pass.
    private func shiftedAdd(_ row: UnsafeMutablePointer<Float>, _ plane: UnsafeMutablePointer<Float>, _ lines: Range<Int>,
                            zOffset: Int, yOffset: Int, xOffset: Int) {
        clearBorders(row, lines, zOffset: zOffset, yOffset: yOffset, xOffset: xOffset)
        let (shift, valid) = shiftedRange(lines, zOffset: zOffset, yOffset: yOffset, xOffset: xOffset)
        let target = plane + lines.lowerBound * input[2] + shift
        for i in valid { target[i] += row[i] }
    }

    /// The flat distance from an output position to its source, and the row entries whose source
    /// lies inside the plane.
    private func shiftedRange(_ lines: Range<Int>, zOffset: Int, yOffset: Int, xOffset: Int) -> (shift: Int, valid: Range<Int>) {
        let first = lines.lowerBound * input[2], count = lines.count * input[2]
        let shift = (zOffset * input[1] + yOffset) * input[2] + xOffset
        let low = Swift.min(count, Swift.max(0, -(first + shift)))
        return (shift, low..<Swift.max(low, Swift.min(count, inputVolume - first - shift)))
    }

    /// Zeroes the entries of a shifted row whose source lies across an edge of the input (a
    /// whole line off the top or bottom, or columns off the left or right that a flat shift
    /// takes from the neighbouring line).
    private func clearBorders(_ row: UnsafeMutablePointer<Float>, _ lines: Range<Int>, zOffset: Int, yOffset: Int, xOffset: Int) {
        let (ID, IH, IW) = (input[0], input[1], input[2])
        let badColumns = xOffset < 0 ? 0..<Swift.min(-xOffset, IW) : Swift.max(IW - xOffset, 0)..<IW
        var line = row, z = lines.lowerBound / IH + zOffset, y = lines.lowerBound % IH + yOffset
        for _ in lines {
            if z < 0 || z >= ID || y < 0 || y >= IH {
                line.update(repeating: 0, count: IW)
            } else {
                for ox in badColumns { line[ox] = 0 }
            }
            line += IW
            y += 1
            if y == IH + yOffset { y = yOffset; z += 1 }
        }
    }

    /// The adjoint of `im2col`: adds each column entry to the input position it came from.
    /// The columns are scratch, and may be overwritten.
    func col2im(_ columns: UnsafeMutablePointer<Float>, _ chunk: ColumnChunk, _ x: UnsafeMutablePointer<Float>) {
        let (ID, IH, IW, OH, OW) = (input[0], input[1], input[2], output[1], output[2])
        let (KH, KW, SD, SH) = (kernel[1], kernel[2], stride[0], stride[1])
        let width = chunk.lines.count * OW, ld = chunk.samples * width, sampleStride = inChannels * inputVolume
        let preservesShape = input == output && stride == [1, 1, 1] && dilation == [1, 1, 1]
        // Each (sample, channel) plane is written by one thread only.
        parallelFor(chunk.samples * inPerGroup, grain: 1) { planes in
            for item in planes {
                let s = item / inPerGroup, c = item % inPerGroup
                let plane = x + s * sampleStride + c * inputVolume
                for k in 0..<kernelVolume {
                    let kz = k / (KH * KW), ky = (k / KW) % KH, kx = k % KW
                    let (start, valid) = validColumns(kx)
                    let step = stride[2]
                    let zOffset = kz * dilation[0] - padBefore[0], yOffset = ky * dilation[1] - padBefore[1]
                    var source = columns + (c * kernelVolume + k) * ld + s * width
                    if preservesShape {
                        shiftedAdd(source, plane, chunk.lines, zOffset: zOffset, yOffset: yOffset, xOffset: start)
                        continue
                    }
                    var oz = chunk.lines.lowerBound / OH, oy = chunk.lines.lowerBound % OH
                    for _ in chunk.lines {
                        let iz = oz * SD + zOffset, iy = oy * SH + yOffset
                        oy += 1
                        if oy == OH { oy = 0; oz += 1 }
                        if iz >= 0 && iz < ID && iy >= 0 && iy < IH {
                            let target = plane + (iz * IH + iy) * IW + start
                            if step == 1 {
                                for ox in valid { target[ox] += source[ox] }
                            } else {
                                for ox in valid { target[ox * step] += source[ox] }
                            }
                        }
                        source += OW
                    }
                }
            }
        }
    }
}
