import ScryTensor

/// A layer or a whole network: named parameters (trained), named buffers (state such as batch
/// norm's running statistics) and named child modules. Names join into dotted paths from the
/// root (`enc.2.conv1.weight`), the same strings that name hooks, summaries and safetensors keys.
open class Module {
    /// The type shown in summaries (`Conv2d`, `UNet`).
    public let typeName: String
    public private(set) var ownParameters: [(name: String, tensor: Tensor)] = []
    public private(set) var ownBuffers: [(name: String, tensor: Tensor)] = []
    public private(set) var children: [(name: String, module: Module)] = []
    /// Training mode (dropout active, batch statistics); `setTraining` changes the whole tree.
    public private(set) var isTraining = true
    var forwardHooks: [(id: Int, body: (Module, Tensor) throws -> Void)] = []
    var backwardHooks: [(id: Int, body: (Module, Tensor) throws -> Void)] = []
    /// The output shape of the latest call, for layer tables shown without an input.
    public internal(set) var lastOutputShape: [Int]?
    /// Rules replacing this module's backward, (input, output, output gradient) → input gradient,
    /// latest last: the latest applies, and removing it brings back the one before (so that a
    /// saliency method's rule, set and removed, leaves a user's in place).
    public var backwardOverrides: [(Tensor, Tensor, Tensor) throws -> Tensor] = []
    /// The rule in force, if any.
    public var backwardOverride: ((Tensor, Tensor, Tensor) throws -> Tensor)? { backwardOverrides.last }

    public init(_ typeName: String) { self.typeName = typeName }

    /// Computes the module's output; layers override it.
    open func forward(_ x: Tensor) throws -> Tensor {
        throw TensorError.invalidArgument(op: typeName, "this module has no forward for a single tensor")
    }

    /// Runs `forward` with this module's hooks.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try run(input: x) { try self.forward(x) }
    }

    // MARK: Registration

    /// Adds (or replaces) a trained parameter; it requires gradients unless the module is frozen.
    public func register(parameter name: String, _ tensor: Tensor) throws {
        let value = try tensor.to(.float32).requiringGrad(true)
        if let i = ownParameters.firstIndex(where: { $0.name == name }) { ownParameters[i].tensor = value } else { ownParameters.append((name, value)) }
    }

    /// Adds (or replaces) a buffer: saved and loaded with the parameters, never trained.
    public func register(buffer name: String, _ tensor: Tensor) {
        let value = tensor.detach()
        if let i = ownBuffers.firstIndex(where: { $0.name == name }) { ownBuffers[i].tensor = value } else { ownBuffers.append((name, value)) }
    }

    /// Adds (or replaces) a child module.
    public func register(child name: String, _ module: Module) {
        if let i = children.firstIndex(where: { $0.name == name }) { children[i].module = module } else { children.append((name, module)) }
    }

    public func parameter(_ name: String) -> Tensor? { ownParameters.first { $0.name == name }?.tensor }
    public func buffer(_ name: String) -> Tensor? { ownBuffers.first { $0.name == name }?.tensor }
    public func child(_ name: String) -> Module? { children.first { $0.name == name }?.module }

    /// Sets a parameter's values in place (same shape), keeping its gradient slot.
    public func assign(parameter name: String, _ values: Tensor) throws {
        guard let i = ownParameters.firstIndex(where: { $0.name == name }) else {
            throw TensorError.invalidArgument(op: typeName, "no parameter \"\(name)\"")
        }
        try ownParameters[i].tensor.assignValues(values)
    }

    /// Sets a buffer's values.
    public func assign(buffer name: String, _ values: Tensor) throws {
        guard let i = ownBuffers.firstIndex(where: { $0.name == name }) else {
            throw TensorError.invalidArgument(op: typeName, "no buffer \"\(name)\"")
        }
        ownBuffers[i].tensor = values.detach()
    }

    // MARK: The tree

    /// Every module of the tree with its dotted path, the root first as "", parents before
    /// children, children in registration order.
    public func namedModules(prefix: String = "") -> [(path: String, module: Module)] {
        var result: [(String, Module)] = [(prefix, self)]
        for (name, module) in children { result += module.namedModules(prefix: Module.join(prefix, name)) }
        return result
    }

    /// The module at a dotted path ("" is this one); nil when there is none.
    public func module(at path: String) -> Module? {
        if path.isEmpty { return self }
        var current: Module = self
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard let next = current.child(String(part)) else { return nil }
            current = next
        }
        return current
    }

    /// Every parameter with its dotted path.
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        namedModules().flatMap { path, module in module.ownParameters.map { (Module.join(path, $0.name), $0.tensor) } }
    }

    /// Every buffer with its dotted path.
    public func namedBuffers() -> [(name: String, tensor: Tensor)] {
        namedModules().flatMap { path, module in module.ownBuffers.map { (Module.join(path, $0.name), $0.tensor) } }
    }

    /// The number of trainable values (all parameters, frozen or not).
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.tensor.count } }

    /// Parameters and buffers by dotted path: what safetensors files hold.
    public func stateDict() -> [(name: String, tensor: Tensor)] { namedParameters() + namedBuffers() }

    /// Loads parameters and buffers by dotted path, checking names and shapes; every missing,
    /// unexpected or mis-shaped entry is reported at once and nothing is changed then.
    public func loadStateDict(_ state: [String: Tensor], strict: Bool = true) throws {
        var problems: [String] = []
        var targets: [(module: Module, name: String, isParameter: Bool, value: Tensor)] = []
        for (path, module) in namedModules() {
            for (isParameter, entries) in [(true, module.ownParameters), (false, module.ownBuffers)] {
                for (name, tensor) in entries {
                    let key = Module.join(path, name)
                    guard let value = state[key] else {
                        if strict { problems.append("missing \"\(key)\" \(shapeString(tensor.shape))") }
                        continue
                    }
                    guard value.shape == tensor.shape else {
                        problems.append("\"\(key)\" has shape \(shapeString(value.shape)) in the file but \(shapeString(tensor.shape)) in the model")
                        continue
                    }
                    targets.append((module, name, isParameter, value))
                }
            }
        }
        if strict {
            let known = Set(stateDict().map(\.name))
            problems += state.keys.filter { !known.contains($0) }.sorted().map { "unexpected \"\($0)\" \(shapeString(state[$0]!.shape))" }
        }
        guard problems.isEmpty else {
            throw TensorError.invalidArgument(op: "load_weights", "\(problems.count) mismatch\(problems.count == 1 ? "" : "es"):\n  " + problems.joined(separator: "\n  "))
        }
        for target in targets {
            if target.isParameter {
                try target.module.assign(parameter: target.name, target.value)
            } else {
                try target.module.assign(buffer: target.name, target.value.to(target.module.buffer(target.name)!.dtype))
            }
        }
    }

    /// Switches the whole tree to training (true) or evaluation (false) mode.
    public func setTraining(_ training: Bool) {
        for (_, module) in namedModules() { module.isTraining = training }
    }

    /// Sets this module's mode only, leaving its children's.
    func setTrainingAlone(_ training: Bool) { isTraining = training }

    /// Stops (or restarts) gradients for the parameters of this module and its children.
    public func setFrozen(_ frozen: Bool) {
        for (_, module) in namedModules() {
            for i in module.ownParameters.indices where module.ownParameters[i].tensor.requiresGrad == frozen {
                module.ownParameters[i].tensor.requiresGrad = !frozen
            }
        }
    }

    /// Clears every parameter's accumulated gradient.
    public func zeroGrad() {
        for (_, tensor) in namedParameters() { tensor.zeroGrad() }
    }

    /// Gradients by dotted parameter path (parameters without one are left out).
    public func gradients() -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (name, tensor) in namedParameters() { if let grad = tensor.grad { result[name] = grad } }
        return result
    }

    /// Sets parameters by dotted path, in place (an optimizer's update).
    public func assign(parameters values: [String: Tensor]) throws {
        for (path, module) in namedModules() {
            for (name, _) in module.ownParameters {
                if let value = values[Module.join(path, name)] { try module.assign(parameter: name, value) }
            }
        }
    }

    static func join(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }
}
