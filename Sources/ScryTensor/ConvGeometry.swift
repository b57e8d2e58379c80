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
}
