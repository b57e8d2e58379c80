import Foundation
import ScryNN
import ScryTensor
import XCTest

/// The optimizers GaNDLF adds beyond torch.optim (novograd, lion, ademamix, adopt) after 10 steps,
/// and every GaNDLF scheduler name's learning rate per epoch, against GaNDLF's own objects
/// (Fixtures/optimizer_extra_reference.json).
final class GaNDLFOptimizerTests: XCTestCase {
    nonisolated(unsafe) static let fixture = jsonFixture("optimizer_extra_reference.json")


    func testTenStepsMatchGaNDLF() throws {
        let f = GaNDLFOptimizerTests.fixture
        let x = try fixtureTensor(f["x"]), y = try fixtureTensor(f["y"])
        for (number, item) in (f["cases"] as! [[String: Any]]).enumerated() {
            let kind = item["kind"] as! String, o = item["options"] as! [String: Any]
            var settings = GaNDLFDefaults.OptimizerSettings()
            settings.betas = (o["betas"] as? [NSNumber])?.map(\.doubleValue)
            settings.eps = (o["eps"] as? NSNumber)?.doubleValue
            settings.weightDecay = (o["weight_decay"] as? NSNumber)?.doubleValue
            settings.alpha = (o["alpha"] as? NSNumber)?.doubleValue
            settings.amsgrad = o["amsgrad"] as? Bool
            settings.decoupled = (o["decoupled"] ?? o["decoupled_weight_decay"]) as? Bool
            let optimizer = try GaNDLFDefaults.optimizer(kind, learningRate: (o["lr"] as! NSNumber).doubleValue, settings)
            var parameters = ["w": try fixtureTensor(f["w0"]), "b": try fixtureTensor(f["b0"])]
            for _ in 0..<10 {
                let w = try parameters["w"]!.requiringGrad(), b = try parameters["b"]!.requiringGrad()
                let residual = try x.matmul(w) + b - y
                try (residual * residual).mean().backward()
                parameters = try optimizer.step(["w": w, "b": b], gradients: ["w": w.grad!, "b": b.grad!])
            }
            for name in ["w", "b"] {
                assertWithinTolerance(parameters[name]!.scalars(), try fixtureTensor(item[name]).scalars(), "case \(number) (\(kind)) \(name)")
            }
        }
    }

    func testDefaultsAreGaNDLFs() throws {
        let f = GaNDLFOptimizerTests.fixture
        for item in f["cases"] as! [[String: Any]] {
            let config = item["gandlf_config"] as! [String: Any]
            guard config.count == 2, (config["optimizer"] as! [String: Any]).count == 1 else { continue }  // defaults only
            let o = item["options"] as! [String: Any], kind = item["kind"] as! String
            let optimizer = try GaNDLFDefaults.optimizer(kind, learningRate: 0.001)
            let betas = (o["betas"] as! [NSNumber]).map(\.doubleValue)
            XCTAssertEqual([optimizer.betas.0, optimizer.betas.1], Array(betas.prefix(2)), kind)
            XCTAssertEqual(optimizer.weightDecay, (o["weight_decay"] as! NSNumber).doubleValue, kind)
            if let eps = o["eps"] as? NSNumber { XCTAssertEqual(optimizer.eps, eps.doubleValue, kind) }
        }
        let sgd = try GaNDLFDefaults.optimizer("sgd", learningRate: 0.01)
        XCTAssertEqual(sgd.momentum, 0.99); XCTAssertTrue(sgd.nesterov); XCTAssertEqual(sgd.weightDecay, 3e-5)
        XCTAssertEqual(try GaNDLFDefaults.optimizer("adamw", learningRate: 0.01).weightDecay, 5e-5, "GaNDLF's, not PyTorch's 0.01")
        XCTAssertThrowsError(try GaNDLFDefaults.optimizer("adamz", learningRate: 0.01)) { XCTAssertTrue("\($0)".contains("known: sgd")) }
    }

    func testEverySchedulerNameFollowsGaNDLF() throws {
        let f = GaNDLFOptimizerTests.fixture
        let metrics = (f["schedule_metrics"] as! [NSNumber]).map(\.doubleValue)
        var names = Set<String>()
        for item in f["schedules"] as! [[String: Any]] {
            let config = item["config"] as! [String: Any]
            let settings = config.compactMapValues { ($0 as? NSNumber)?.doubleValue }
            let rates = (item["rates"] as! [NSNumber]).map(\.doubleValue)
            for name in item["aliases"] as! [String] {
                let scheduler = try GaNDLFDefaults.scheduler(name, baseRate: (item["learning_rate"] as! NSNumber).doubleValue,
                                                             settings: settings, epochs: item["num_epochs"] as! Int)
                var actual: [Double] = []
                for epoch in rates.indices {
                    actual.append(scheduler.rate)
                    try scheduler.step(metric: metrics[epoch])
                }
                assertWithinTolerance(actual, rates, "\(name) \(config)")
                names.insert(name)
            }
        }
        XCTAssertEqual(names, Set(GaNDLFDefaults.schedulerNames.filter { !["multistep", "triangular2"].contains($0.value) }.keys))
    }
}
