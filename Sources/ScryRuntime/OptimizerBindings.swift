import ScryLang
import ScryNN
import ScryTensor

/// `optimizer("adam", model, lr: 1e-3)`: an optimizer bound to a module's parameters.
final class OptimizerObject: HostObject {
    let optimizer: Optimizer
    let module: Module
    let name: String

    init(_ optimizer: Optimizer, module: Module, name: String) {
        self.optimizer = optimizer; self.module = module; self.name = name
    }

    var typeName: String { "optimizer" }
    var display: String { "<optimizer \(name), lr \(optimizer.learningRate)>" }
    var attributeNames: [String] { ["lr", "name", "state_dict", "step", "zero_grad"] }

    func attribute(_ attribute: String, _ interpreter: Interpreter) throws -> Value? {
        switch attribute {
        case "lr": return .float(optimizer.learningRate)
        case "name": return .string(name)
        case "step":
            return .function(NativeFunction("step", doc: "Updates the model's parameters from their gradients.") { _ in
                try Interrupt.critical { try self.optimizer.step(self.module) }
                return .nil
            })
        case "zero_grad":
            return .function(NativeFunction("zero_grad", doc: "Clears the model's gradients.") { _ in
                self.module.zeroGrad(); return .nil
            })
        case "state_dict":
            return .function(NativeFunction("state_dict", doc: "The optimizer's moments and counters by parameter/slot name.") { _ in
                try ModuleObject.tensorDict(self.optimizer.state.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            })
        default: return nil
        }
    }

    func setAttribute(_ attribute: String, _ value: Value) throws -> Bool {
        guard attribute == "lr" else { return false }
        guard let rate = value.number, rate >= 0 else {
            throw ScryError(.valueError, "lr must be a non-negative number, got \(value.display)")
        }
        optimizer.learningRate = rate
        return true
    }

    /// Restores saved state, checking that every slot belongs to a parameter of this model
    /// and has its shape; every problem is reported at once.
    func load(state: [String: Tensor]) throws {
        let parameters = Dictionary(module.namedParameters().map { ($0.name, $0.tensor.shape) }, uniquingKeysWith: { a, _ in a })
        var problems: [String] = []
        for (key, tensor) in state.sorted(by: { $0.key < $1.key }) {
            guard let slash = key.lastIndex(of: "/"), let shape = parameters[String(key[..<slash])] else {
                problems.append("\"\(key)\" belongs to no parameter of the model"); continue
            }
            if tensor.count != 1 && tensor.shape != shape {
                problems.append("\"\(key)\" has shape \(shapeString(tensor.shape)), the parameter \(shapeString(shape))")
            }
        }
        guard problems.isEmpty else {
            throw ScryError(.valueError, "load_weights(): \(problems.count) mismatch\(problems.count == 1 ? "" : "es"):\n  " + problems.joined(separator: "\n  "))
        }
        optimizer.load(state: state)
    }
}

/// `scheduler("cosineannealing", opt, …)`: a learning-rate schedule driving an optimizer.
final class SchedulerObject: HostObject {
    let scheduler: Scheduler
    let optimizer: OptimizerObject
    let name: String

    init(_ scheduler: Scheduler, optimizer: OptimizerObject, name: String) {
        self.scheduler = scheduler; self.optimizer = optimizer; self.name = name
        optimizer.optimizer.learningRate = scheduler.rate
    }

    var typeName: String { "scheduler" }
    var display: String { "<scheduler \(name), lr \(scheduler.rate)>" }
    var attributeNames: [String] { ["lr", "name", "step"] }

    func attribute(_ attribute: String, _ interpreter: Interpreter) throws -> Value? {
        switch attribute {
        case "lr": return .float(scheduler.rate)
        case "name": return .string(name)
        case "step":
            return .function(NativeFunction("step", [Parameter("metric", default: .nil)],
                                            doc: "Moves to the next step and sets the optimizer's rate; reduce_on_plateau needs the monitored metric (lower is better).") { a in
                do { try self.scheduler.step(metric: try a.optionalDouble("metric")) } catch let error as ScheduleError {
                    throw ScryError(.valueError, error.description)
                }
                self.optimizer.optimizer.learningRate = self.scheduler.rate
                return .float(self.scheduler.rate)
            })
        default: return nil
        }
    }
}
