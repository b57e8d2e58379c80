extension Tensor {
    /// Transposed convolution over 2 or 3 (or 1) spatial axes, the adjoint of `conv`: input
    /// [N, C_in, …], weight [C_in, C_out/groups, …kernel] (PyTorch's layout), optional bias
    /// [C_out]; output size (in − 1)·stride − 2·padding + dilation·(kernel − 1) + outputPadding + 1.
    /// Differentiable in input, weight and bias.
    public static func convTranspose(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1],
                                     padding: [Int] = [0], outputPadding: [Int] = [0], dilation: [Int] = [1],
                                     groups: Int = 1) throws -> Tensor {
        let op = "conv_transpose"
        let d = input.rank - 2
        guard (1...3).contains(d), weight.rank == input.rank else {
            throw TensorError.shapeMismatch(op: op, "input \(shapeString(input.shape)) must be [N, C, …spatial] with 1 to 3 spatial axes, and weight \(shapeString(weight.shape)) [C_in, C_out/groups, …kernel] of the same rank")
        }
        guard weight.shape[0] == input.shape[1] else {
            throw TensorError.shapeMismatch(op: op, "weight \(shapeString(weight.shape)) expects \(weight.shape[0]) input channels, input \(shapeString(input.shape)) has \(input.shape[1])")
        }
        func expand(_ values: [Int], _ name: String) throws -> [Int] {
            if values.count == 1 { return [Int](repeating: values[0], count: d) }
            guard values.count == d else { throw TensorError.invalidArgument(op: op, "\(name) \(shapeString(values)) must have one value or \(d)") }
            return values
        }
        let s = try expand(stride, "stride"), p = try expand(padding, "padding")
        let op2 = try expand(outputPadding, "output padding"), dl = try expand(dilation, "dilation")
        guard zip(op2, zip(s, dl)).allSatisfy({ $0.0 >= 0 && ($0.0 < $0.1.0 || $0.0 < $0.1.1) }) else {
            throw TensorError.invalidArgument(op: op, "output padding \(shapeString(op2)) must be smaller than the stride \(shapeString(s)) or the dilation \(shapeString(dl))")
        }
        let kernel = Array(weight.shape[2...]), spatial = Array(input.shape[2...])
        var outSpatial: [Int] = []
        for i in 0..<d {
            let reach: Int = dl[i] * (kernel[i] - 1) + 1
            let stretched: Int = (spatial[i] - 1) * s[i] - 2 * p[i]
            outSpatial.append(stretched + reach + op2[i])
        }
        guard outSpatial.allSatisfy({ $0 >= 1 }) else {
            throw TensorError.shapeMismatch(op: op, "padding \(shapeString(p)) leaves no output for input \(shapeString(spatial))")
        }
        let outChannels = weight.shape[1] * groups
        // The convolution whose adjoint this is: it maps the output back onto the input.
        let g = try ConvGeometry(input: [input.shape[0], outChannels] + outSpatial, weight: weight.shape, stride: s,
                                 padding: .explicit(p), dilation: dl, groups: groups)
        guard Array(g.output.suffix(d)) == spatial else {
            throw TensorError.shapeMismatch(op: op, "input \(shapeString(spatial)) does not invert to output \(shapeString(outSpatial))")
        }
        if let bias, bias.shape != [outChannels] {
            throw TensorError.shapeMismatch(op: op, "bias \(shapeString(bias.shape)) must be [\(outChannels)]")
        }
        let x = try input.to(.float32).contiguous().detach(), w = try weight.to(.float32).contiguous().detach()
        let output = try zeros([input.shape[0], outChannels] + outSpatial)
        try withExtendedLifetime((x, w)) {
            try g.backpropagate(x.floatPointer, weight: w.floatPointer, input: nil, inputGradient: output.floatPointer, weightGradient: nil)
        }
        if let bias { try addChannelBias(output, bias) }
        var inputs = [input, weight]
        if let bias { inputs.append(bias) }
        let wantInputGradient = input.node != nil
        return record(op, output, inputs) { grad in
            let dy = try grad.contiguous()
            let dx = wantInputGradient ? try Tensor(uninitialized: x.shape, dtype: .float32) : nil, dw = try zeros(w.shape)
            try withExtendedLifetime((dy, x, w)) {
                if let dx { try g.convolve(dy.floatPointer, w.floatPointer, dx.floatPointer) }
                try g.backpropagate(x.floatPointer, weight: w.floatPointer, input: dy.floatPointer, inputGradient: nil,
                                    weightGradient: dw.floatPointer)
            }
            var result: [Tensor?] = [dx, dw]
            if bias != nil { result.append(try dy.sum(axes: [0] + Array(2..<dy.rank))) }
            return result
        }
    }
}
