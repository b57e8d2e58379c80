import Foundation

struct ErfOp: UnaryOp { @inline(__always) func apply(_ x: Float) -> Float { erff(x) } }
struct LeakyReluOp: UnaryOp {
    let slope: Float
    @inline(__always) func apply(_ x: Float) -> Float { x > 0 ? x : x * slope }
}

extension Tensor {
    /// The error function (for the exact GELU).
    public func erf() throws -> Tensor {
        try unary("erf", ErfOp()) { x, _ in try (x * x).neg().exp() * (2 / Double.pi.squareRoot()) }
    }

    /// max(x, 0) + slope · min(x, 0).
    public func leakyRelu(slope: Double = 0.01) throws -> Tensor {
        let out = try unaryKernel(LeakyReluOp(slope: Float(slope)))
        let x = detach()
        return recordOp("leaky_relu", out, [self]) { g in [try Tensor.rectifierGradient(g, x, slope: Float(slope))] }
    }

    /// dy · (x > 0 ? 1 : slope) in one pass: the gradient of ReLU and of leaky ReLU.
    static func rectifierGradient(_ dy: Tensor, _ x: Tensor, slope: Float) throws -> Tensor {
        let g = try dy.to(.float32).contiguous(), v = try x.to(.float32).contiguous()
        let result = try Tensor(uninitialized: x.shape, dtype: .float32)
        withExtendedLifetime((g, v)) {
            let gp = g.floatPointer, vp = v.floatPointer, rp = result.floatPointer
            parallelFor(result.count, grain: 1 << 15) { range in
                for i in range { rp[i] = gp[i] * (vp[i] > 0 ? 1 : slope) }
            }
        }
        return result
    }

    /// Leaky ReLU with a learned slope per channel (axis 1), or one slope for all.
    public func prelu(_ slope: Tensor) throws -> Tensor {
        guard slope.count == 1 || (rank >= 2 && slope.rank == 1 && slope.shape[0] == shape[1]) else {
            throw TensorError.shapeMismatch(op: "prelu", "slope \(shapeString(slope.shape)) must have one value or one per channel of \(shapeString(shape))")
        }
        let perChannel = slope.count == 1 ? try slope.reshape([]) : try slope.reshape([slope.count] + [Int](repeating: 1, count: rank - 2))
        return try Tensor.where(gt(0), self, self * perChannel)
    }

    /// x for x > 0, alpha · (eˣ − 1) otherwise.
    public func elu(alpha: Double = 1) throws -> Tensor {
        try Tensor.where(gt(0), self, (clamp(max: 0).exp() - 1) * alpha)
    }

    /// x · Φ(x) with the exact normal CDF (PyTorch's default GELU).
    public func gelu() throws -> Tensor {
        try self * ((self / 2.0.squareRoot()).erf() + 1) * 0.5
    }

    /// x · sigmoid(x) (also called swish).
    public func silu() throws -> Tensor { try self * sigmoid() }

    /// eˣ normalised to sum to 1 along `axis` (computed from x − max for stability).
    public func softmax(axis: Int) throws -> Tensor {
        let shifted = try self - max(axes: [axis], keepDims: true).detach()
        let e = try shifted.exp()
        return try e / e.sum(axes: [axis], keepDims: true)
    }

    /// log(softmax(x)) along `axis`, computed without forming the softmax.
    public func logSoftmax(axis: Int) throws -> Tensor {
        let shifted = try self - max(axes: [axis], keepDims: true).detach()
        return try shifted - shifted.exp().sum(axes: [axis], keepDims: true).log()
    }

    /// Zeroes elements with probability p and scales the rest by 1/(1 − p) while training;
    /// `channelWise` drops whole channels (Dropout2d/3d: one draw per [N, C]). Identity in eval.
    public func dropout(p: Double, training: Bool, channelWise: Bool = false) throws -> Tensor {
        guard (0...1).contains(p) else { throw TensorError.invalidArgument(op: "dropout", "p must be in [0, 1], got \(p)") }
        guard training && p > 0 else { return self }
        if p == 1 { return try self * 0 }
        let maskShape = channelWise && rank > 2 ? Array(shape[..<2]) + [Int](repeating: 1, count: rank - 2) : shape
        let keep = try Tensor.rand(maskShape).ge(p).to(.float32)
        return try self * keep / (1 - p)
    }

    /// x · Wᵀ + b: weight [out, in], bias [out].
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        let y = try x.matmul(weight.transpose())
        return try bias.map { try y + $0 } ?? y
    }
}
