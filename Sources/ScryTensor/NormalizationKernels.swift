/// Batch and instance normalisation as single passes over memory: the statistics of each group
/// (a channel over the batch, or one sample's channel) in one read, the normalising affine in
/// one write, and the backward in closed form, rather than a chain of element-wise ops.
struct ChannelNorm {
    let samples: Int, channels: Int, volume: Int
    /// Statistics per (sample, channel) (instance norm) rather than per channel (batch norm).
    let perSample: Bool

    init(_ shape: [Int], perSample: Bool) {
        samples = shape[0]; channels = shape[1]
        volume = shape.dropFirst(2).reduce(1, *)
        self.perSample = perSample
    }

    var groups: Int { perSample ? samples * channels : channels }
    /// Elements per group.
    var groupSize: Int { perSample ? volume : samples * volume }
    func channel(_ group: Int) -> Int { perSample ? group % channels : group }
    /// The [N, C] planes of a group.
    func planes(_ group: Int) -> StrideTo<Int> {
        perSample ? stride(from: group, to: group + 1, by: 1) : stride(from: group, to: samples * channels, by: channels)
    }

    /// Each group's mean and biased variance.
    func statistics(_ x: UnsafePointer<Float>) -> (mean: [Double], variance: [Double]) {
        var mean = [Double](repeating: 0, count: groups), variance = mean
        mean.withUnsafeMutableBufferPointer { meanOut in
            variance.withUnsafeMutableBufferPointer { varianceOut in
                parallelFor(groups, grain: Swift.max(1, 16384 / Swift.max(groupSize, 1))) { range in
                    for group in range {
                        // Shifted by one of the values, so that E[d²] − E[d]² does not cancel.
                        let shift = x[group * volume]  // the first plane of either kind of group
                        var sum = 0.0, squares = 0.0
                        for plane in planes(group) {
                            let (s, q) = shiftedMoments(x + plane * volume, volume, shift)
                            sum += s; squares += q
                        }
                        let count = Double(groupSize), d = sum / count
                        meanOut[group] = Double(shift) + d
                        varianceOut[group] = Swift.max(squares / count - d * d, 0)
                    }
                }
            }
        }
        return (mean, variance)
    }

    /// y = (x − mean) · rstd · weight + bias, the statistics per group and the affine per channel.
    func normalize(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, mean: [Double], rstd: [Double],
                   weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?) {
        parallelFor(groups, grain: Swift.max(1, 16384 / Swift.max(groupSize, 1))) { range in
            for group in range {
                let c = channel(group)
                let scale = (weight.map { Double($0[c]) } ?? 1) * rstd[group]
                let a = Float(scale), b = Float((bias.map { Double($0[c]) } ?? 0) - mean[group] * scale)
                for plane in planes(group) {
                    let source = x + plane * volume, target = y + plane * volume
                    for i in 0..<volume { target[i] = source[i] * a + b }
                }
            }
        }
    }

    /// The gradients of `normalize` given dy: dx (when asked; through the statistics too when
    /// `batchStatistics`, else with them held fixed), and Σ dy·x̂ and Σ dy per channel.
    func backward(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mean: [Double], rstd: [Double],
                  weight: UnsafePointer<Float>?, batchStatistics: Bool,
                  dx: UnsafeMutablePointer<Float>?) -> (dWeight: [Double], dBias: [Double]) {
        var dyXhat = [Double](repeating: 0, count: groups), dySum = dyXhat
        dyXhat.withUnsafeMutableBufferPointer { dyXhatOut in
            dySum.withUnsafeMutableBufferPointer { dySumOut in
                parallelFor(groups, grain: Swift.max(1, 16384 / Swift.max(groupSize, 1))) { range in
                    for group in range {
                        let m = mean[group], r = rstd[group]
                        var sumDy = 0.0, sumDyX = 0.0
                        for plane in planes(group) {
                            let (s, p) = sumAndDot(dy + plane * volume, x + plane * volume, volume, Float(m))
                            sumDy += s; sumDyX += p
                        }
                        dySumOut[group] = sumDy; dyXhatOut[group] = sumDyX * r
                        guard let dx else { continue }
                        // dx = w·rstd·(dy − mean(dy) − x̂·mean(dy·x̂)) = a·dy + b·(x − mean) + c.
                        let a = (weight.map { Double($0[channel(group)]) } ?? 1) * r
                        let count = Double(groupSize)
                        let b = batchStatistics ? -a * r * (sumDyX * r / count) : 0
                        let c = batchStatistics ? -a * sumDy / count : 0
                        let (fa, fb, fc, fm) = (Float(a), Float(b), Float(c), Float(m))
                        for plane in planes(group) {
                            let g = dy + plane * volume, v = x + plane * volume, target = dx + plane * volume
                            for i in 0..<volume { target[i] = fa * g[i] + fb * (v[i] - fm) + fc }
                        }
                    }
                }
            }
        }
        var dWeight = [Double](repeating: 0, count: channels), dBias = dWeight
        for group in 0..<groups {
            dWeight[channel(group)] += dyXhat[group]; dBias[channel(group)] += dySum[group]
        }
        return (dWeight, dBias)
    }
}

/// Σ(x − shift) and Σ(x − shift)² over `count` floats: vector partial sums over short blocks
/// (accurate in float), the blocks added in Double.
@inline(__always)
func shiftedMoments(_ x: UnsafePointer<Float>, _ count: Int, _ shift: Float) -> (Double, Double) {
    var sum = 0.0, squares = 0.0, i = 0
    let raw = UnsafeRawPointer(x)
    while count - i >= 16 {
        let end = i + Swift.min((count - i) / 16, 64) * 16
        var s = SIMD16<Float>(repeating: 0), q = SIMD16<Float>(repeating: 0)
        while i < end {
            let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - shift
            s += d; q += d * d
            i += 16
        }
        sum += Double(s.sum()); squares += Double(q.sum())
    }
    while i < count {
        let d = Double(x[i] - shift)
        sum += d; squares += d * d
        i += 1
    }
    return (sum, squares)
}

/// Σ dy and Σ dy·(x − center) over `count` floats, as `shiftedMoments` sums.
@inline(__always)
func sumAndDot(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int, _ center: Float) -> (Double, Double) {
    var sum = 0.0, dot = 0.0, i = 0
    let rawDy = UnsafeRawPointer(dy), rawX = UnsafeRawPointer(x)
    while count - i >= 16 {
        let end = i + Swift.min((count - i) / 16, 64) * 16
        var s = SIMD16<Float>(repeating: 0), p = SIMD16<Float>(repeating: 0)
        while i < end {
            let g = rawDy.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            let d = rawX.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - center
            s += g; p += g * d
            i += 16
        }
        sum += Double(s.sum()); dot += Double(p.sum())
    }
    while i < count {
        sum += Double(dy[i]); dot += Double(dy[i]) * Double(x[i] - center)
        i += 1
    }
    return (sum, dot)
}
