import XCTest
@testable import ScryTensor

/// Activations, normalisations, dropout and linear: values PyTorch gives for the same inputs
/// (quoted), statistics, and gradients.
final class LayerOpsTests: XCTestCase {
    func testActivationValues() throws {
        let x = try Tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
        assertClose(try x.gelu(), try Tensor([-0.04550027, -0.15426877, 0.0, 0.84134475, 2.99595031]))
        assertClose(try x.silu(), try Tensor([-0.23840584, -0.18877033, 0.0, 0.73105858, 2.85772238]))
        assertClose(try x.elu(), try Tensor([-0.86466472, -0.39346934, 0.0, 1.0, 3.0]))
        assertClose(try x.leakyRelu(slope: 0.1), try Tensor([-0.2, -0.05, 0.0, 1.0, 3.0]))
        assertClose(try Tensor([[1.0, 2.0, 3.0]]).softmax(axis: 1), try Tensor([[0.09003057, 0.24472847, 0.66524096]]))
        assertClose(try Tensor([[1.0, 2.0, 3.0]]).logSoftmax(axis: -1), try Tensor([[-2.40760596, -1.40760596, -0.40760596]]))
        assertClose(try Tensor([[1000.0, 1000.0]]).softmax(axis: 1), try Tensor([[0.5, 0.5]]), "stable for large inputs")
        let channels = try Tensor([[[-1.0], [-2.0]]])  // [1, 2, 1]
        assertClose(try channels.prelu(Tensor([0.5, 0.25])), try Tensor([[[-0.5], [-0.5]]]))
        let y = try Tensor.linear(Tensor([[1.0, 2.0]]), weight: Tensor([[1.0, 0.0], [0.5, 0.5], [0.0, -1.0]]), bias: Tensor([0.0, 1.0, 2.0]))
        assertClose(y, try Tensor([[1.0, 2.5, 0.0]]))
    }

    func testNormalisationStatistics() throws {
        let x = try sample([4, 3, 5, 6], seed: 2, low: -3, high: 5)
        let instance = try Tensor.instanceNorm(x)
        assertClose(try instance.mean(axes: [2, 3]), try Tensor.zeros([4, 3]))
        assertClose(try instance.variance(axes: [2, 3], correction: 0), try Tensor.ones([4, 3]), "unit variance (up to eps)")
        let group = try Tensor.groupNorm(x, groups: 3, weight: Tensor.full([3], 2), bias: Tensor.full([3], 1))
        assertClose(try group.mean(axes: [2, 3]), try Tensor.ones([4, 3]))
        let layer = try Tensor.layerNorm(x, normalizedAxes: 2)
        assertClose(try layer.mean(axes: [2, 3]), try Tensor.zeros([4, 3]))

        var runningMean: Tensor? = try Tensor.zeros([3]), runningVar: Tensor? = try Tensor.ones([3])
        let (y, newMean, newVar) = try Tensor.batchNorm(x, runningMean: runningMean, runningVar: runningVar, weight: nil, bias: nil, training: true)
        assertClose(try y.mean(axes: [0, 2, 3]), try Tensor.zeros([3]))
        assertClose(try XCTUnwrap(newMean), try x.mean(axes: [0, 2, 3]) * 0.1)
        assertClose(try XCTUnwrap(newVar), try x.variance(axes: [0, 2, 3], correction: 1) * 0.1 + 0.9)
        runningMean = newMean; runningVar = newVar
        let eval = try Tensor.batchNorm(x, runningMean: runningMean, runningVar: runningVar, weight: nil, bias: nil, training: false).output
        assertClose(eval, try (x - newMean!.reshape([1, 3, 1, 1])) * (newVar!.reshape([1, 3, 1, 1]) + 1e-5).rsqrt())
    }

    /// The fused batch and instance norms against the composed definition, on planes long
    /// enough for their vector loops (and a remainder), with an offset mean; and their gradients,
    /// eval-mode batch norm's (statistics held fixed) included.
    func testFusedNormalisationMatchesTheComposedForm() throws {
        let x = try sample([3, 2, 37], seed: 12, low: 2, high: 6)
        let w = try sample([2], seed: 13, low: 0.5, high: 1.5), b = try sample([2], seed: 14)
        assertClose(try Tensor.instanceNorm(x, weight: w, bias: b), try x.normalized(over: [2], eps: 1e-5, weight: w, bias: b))
        let train = try Tensor.batchNorm(x, runningMean: nil, runningVar: nil, weight: w, bias: b, training: true).output
        assertClose(train, try x.normalized(over: [0, 2], eps: 1e-5, weight: w, bias: b))
        let mean = try Tensor([1.0, -2.0]), variance = try Tensor([0.5, 2.0])
        let eval = try Tensor.batchNorm(x, runningMean: mean, runningVar: variance, weight: w, bias: b, training: false).output
        assertClose(eval, try (x - mean.reshape([1, 2, 1])) * (variance.reshape([1, 2, 1]) + 1e-5).rsqrt() * w.reshape([1, 2, 1]) + b.reshape([1, 2, 1]))
        let small = try sample([2, 2, 19], seed: 15, low: -1, high: 3)
        try checkGradients([small, w, b]) { try Tensor.instanceNorm($0[0], weight: $0[1], bias: $0[2]) }
        try checkGradients([small, w, b]) { try Tensor.batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true).output }
        try checkGradients([small, w, b]) { try Tensor.batchNorm($0[0], runningMean: mean, runningVar: variance, weight: $0[1], bias: $0[2], training: false).output }
        try checkGradients([small]) { try $0[0].relu() }
    }

    func testDropout() throws {
        Random.seed(5)
        let x = try Tensor.ones([200, 100])
        let dropped = try x.dropout(p: 0.3, training: true)
        let kept = try dropped.gt(0).to(.float32).mean().item()
        XCTAssertEqual(kept, 0.7, accuracy: 0.02)
        XCTAssertEqual(try dropped.max().item(), 1 / 0.7, accuracy: 1e-6)
        XCTAssertEqual(try x.dropout(p: 0.3, training: false).scalars(), x.scalars())
        let channels = try Tensor.ones([8, 16, 4, 4]).dropout(p: 0.5, training: true, channelWise: true)
        let perChannel = try channels.max(axes: [2, 3]), minPerChannel = try channels.min(axes: [2, 3])
        XCTAssertEqual(perChannel.scalars(), minPerChannel.scalars(), "a channel is dropped or kept whole")
        assertTensorError("dropout", "p must be in") { try x.dropout(p: 1.5, training: true) }
    }

    func testGradients() throws {
        let x = try sample([2, 3, 4], seed: 3, low: 0.2, high: 1)
        let signed = try x * Tensor([[[1.0], [-1.0], [1.0]]])
        try checkGradients([signed]) { try $0[0].gelu() }
        try checkGradients([signed]) { try $0[0].silu() }
        try checkGradients([signed]) { try $0[0].elu(alpha: 0.7) }
        try checkGradients([signed]) { try $0[0].leakyRelu(slope: 0.2) }
        try checkGradients([signed, try sample([3], seed: 4)]) { try $0[0].prelu($0[1]) }
        try checkGradients([signed]) { try $0[0].softmax(axis: 1) }
        try checkGradients([signed]) { try $0[0].logSoftmax(axis: 2) }
        try checkGradients([signed]) { try $0[0].erf() }
        // Dropout with its mask fixed by reseeding before every evaluation, elementwise and per channel.
        try checkGradients([signed]) { Random.seed(5); return try $0[0].dropout(p: 0.3, training: true) }
        try checkGradients([signed]) { Random.seed(6); return try $0[0].dropout(p: 0.5, training: true, channelWise: true) }
        let w = try sample([3], seed: 5, low: 0.5, high: 1.5), b = try sample([3], seed: 6)
        try checkGradients([signed, w, b]) { try Tensor.instanceNorm($0[0], weight: $0[1], bias: $0[2]) }
        try checkGradients([signed, w, b]) { try Tensor.batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true).output }
        try checkGradients([try sample([2, 4, 3], seed: 7), try sample([4], seed: 8)]) { try Tensor.groupNorm($0[0], groups: 2, weight: $0[1]) }
        try checkGradients([signed, try sample([3, 4], seed: 9)]) { try Tensor.layerNorm($0[0], normalizedAxes: 2, weight: $0[1]) }
        try checkGradients([try sample([2, 5], seed: 10), try sample([3, 5], seed: 11), try sample([3], seed: 12)]) {
            try Tensor.linear($0[0], weight: $0[1], bias: $0[2])
        }
    }

    func testErrors() throws {
        let x = try Tensor.zeros([2, 4, 3])
        assertTensorError("group_norm", "groups (3) must divide") { try Tensor.groupNorm(x, groups: 3) }
        assertTensorError("batch_norm", "weight [3]", "must be [4]") { try Tensor.batchNorm(x, runningMean: nil, runningVar: nil, weight: Tensor.ones([3]), bias: nil, training: true) }
        assertTensorError("batch_norm", "more than one value per channel") { try Tensor.batchNorm(Tensor.zeros([1, 4]), runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: true) }
        assertTensorError("batch_norm", "eval mode needs running statistics") { try Tensor.batchNorm(x, runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: false) }
        assertTensorError("layer_norm", "weight [4]") { try Tensor.layerNorm(x, normalizedAxes: 2, weight: Tensor.ones([4])) }
        assertTensorError("prelu", "slope [3]") { try x.prelu(Tensor.ones([3])) }
    }
}
