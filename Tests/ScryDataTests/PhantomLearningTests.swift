import ScryData
import ScryNN
import ScryTensor
import XCTest

/// Phantoms are learnable: a two-layer convolutional network trained for a few dozen Adam steps
/// on 2D phantom patches segments their organ far better than at the start.
final class PhantomLearningTests: XCTestCase {
    func testASmallNetworkLearnsToSegmentPhantoms() throws {
        Random.seed(3)
        let data = Dataset.phantom(try Phantom(dimension: 2, size: 32, classes: 2, seed: 1), count: 8)
        let loader = try Loader(data, batchSize: 4, pipeline: Pipeline([.zscore()]), seed: 2)
        let net = Sequential([
            try Conv(dimensions: 2, inChannels: 1, outChannels: 8, kernel: [3], padding: .same), Activation(.relu),
            try Conv(dimensions: 2, inChannels: 8, outChannels: 2, kernel: [3], padding: .same), Activation(.softmax(axis: 1)),
        ])
        let optimizer = try Optimizer(.adam, learningRate: 0.05)
        let loss = try LossFunction("dc")
        var losses: [Double] = []
        for epoch in 0..<12 {
            for batch in loader.nextEpoch() {
                let b = try batch.get()
                let target = try LabelEncoding.oneHot(b.labels!, classes: [[0], [1]])
                net.zeroGrad()
                let value = try loss(net(b.images), target)
                try value.backward()
                try optimizer.step(net)
                if epoch == 0 || epoch == 11 { losses.append(try value.item()) }
            }
        }
        XCTAssertLessThan(losses.last!, 0.2, "Dice loss after training: \(losses)")
        XCTAssertLessThan(losses.last!, losses.first! / 2)
    }
}
