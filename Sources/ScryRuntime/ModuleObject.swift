import ScryLang
import ScryNN
import ScryTensor

/// A module (layer or model) as a Scry value: called on tensors, its children, parameters and
/// buffers as attributes (`m.enc.conv1.weight`), and the methods that train, inspect and hook it.
final class ModuleObject: HostObject {
    let module: Module

    init(_ module: Module) { self.module = module }

    static func wrap(_ module: Module) -> Value { .host(ModuleObject(module)) }

    var typeName: String { "module" }

    var display: String {
        let count = module.parameterCount
        return "<\(module.typeName): \(count) parameter\(count == 1 ? "" : "s")>"
    }

    /// The layer table: every module by path with its type, latest output shape and parameters.
    var detailedDisplay: String {
        let rows = module.namedModules().map { path, m -> [String] in
            let own = m.ownParameters.reduce(0) { $0 + $1.tensor.count }
            return [path.isEmpty ? "(\(m.typeName))" : path, m.typeName, m.lastOutputShape.map(shapeString) ?? "—",
                    own == 0 && !m.children.isEmpty ? "—" : String(own)]
        }
        let trainable = module.namedParameters().filter { $0.tensor.requiresGrad }.reduce(0) { $0 + $1.tensor.count }
        return TableText.render(header: ["layer", "type", "output shape", "parameters"], rows: rows,
                                rightAligned: [false, false, false, true])
            + "\ntotal parameters: \(module.parameterCount) (trainable: \(trainable)), \(module.isTraining ? "training" : "eval") mode"
    }

    var memoryBytes: Int? { module.stateDict().reduce(0) { $0 + $1.tensor.count * $1.tensor.dtype.byteSize } }

    var length: Int? { module.children.count }

    private static let builtinAttributes = ["buffers", "layers", "name", "parameter_count", "training", "type"]

    var attributeNames: [String] {
        module.children.map(\.name) + module.ownParameters.map(\.name) + module.ownBuffers.map(\.name) + Array(ModuleObject.methods.keys)
            + ModuleObject.builtinAttributes + (scripted?.attributes.keys.sorted() ?? [])
    }

    private var scripted: ScriptedModule? { module as? ScriptedModule }

    /// The built-in attributes come first: every module answers `m.layers` alike, even one with a
    /// child named `layers` (GaNDLF's msdnet has one), which `m["layers"]` still reaches.
    func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "type", "name": return .string(module.typeName)
        case "parameter_count": return .int(module.parameterCount)
        case "training": return .bool(module.isTraining)
        case "layers": return .list(ListStorage(module.namedModules().dropFirst().map { .string($0.path) }))
        default: break
        }
        if let child = module.child(name) { return ModuleObject.wrap(child) }
        if let tensor = module.parameter(name) ?? module.buffer(name) { return TensorBindings.wrap(tensor) }
        if let value = scripted?.attributes[name] { return value }
        guard let method = ModuleObject.methods[name] else { return nil }
        return .function(NativeFunction(method.name, method.parameters, doc: method.doc, help: method.help) { a in
            try method.body(self.module, a)
        })
    }

    func setAttribute(_ name: String, _ value: Value) throws -> Bool {
        if module.parameter(name) != nil {
            try module.assign(parameter: name, try TensorBindings.tensor(value, name, "module"))
            return true
        }
        if module.buffer(name) != nil {
            try module.assign(buffer: name, try TensorBindings.tensor(value, name, "module"))
            return true
        }
        guard let scripted, module.child(name) == nil, ModuleObject.methods[name] == nil,
              !ModuleObject.builtinAttributes.contains(name) else { return false }
        scripted.attributes[name] = value
        return true
    }

    /// `m[0]` (a child by position) or `m["enc.2.conv1"]` (a module by path).
    func subscriptGet(_ subscripts: [SubscriptValue]) throws -> Value? {
        guard subscripts.count == 1, case .index(let key) = subscripts[0] else { return nil }
        switch key {
        case .int(let i):
            let index = i < 0 ? i + module.children.count : i
            guard module.children.indices.contains(index) else {
                throw ScryError(.indexError, "module index \(i) out of range for \(module.children.count) children")
            }
            return ModuleObject.wrap(module.children[index].module)
        case .string(let path):
            guard let found = module.module(at: path) else { throw ModuleObject.noLayer(path, in: module) }
            return ModuleObject.wrap(found)
        default:
            throw ScryError(.typeError, "a module is indexed by an int (a child) or a string (a layer path), not a \(key.typeName)")
        }
    }

    func makeIterator() throws -> AnyIterator<Value>? {
        AnyIterator(module.children.map { ModuleObject.wrap($0.module) }.makeIterator())
    }

    func call(_ arguments: Arguments, _ interpreter: Interpreter) throws -> Value? {
        if let scripted = module as? ScriptedModule { return try scripted.call(arguments, interpreter) }
        guard arguments.positional.count == 1, arguments.keywords.isEmpty else {
            throw ScryError(.typeError, "\(module.typeName) takes one tensor, got \(arguments.positional.count) positional and \(arguments.keywords.count) keyword arguments")
        }
        let x = try TensorBindings.tensor(arguments.positional[0], "x", module.typeName)
        return TensorBindings.wrap(try module(x))
    }

    static func noLayer(_ path: String, in module: Module) -> ScryError {
        let paths = module.namedModules().dropFirst().map(\.path)
        return ScryError(.indexError, "no layer \"\(path)\"" + Attributes.suggestion(path, paths)
            + (paths.isEmpty ? "" : " (m.layers lists the \(paths.count) names)"))
    }

    static func layer(_ a: BoundArguments, _ module: Module, _ name: String = "layer") throws -> Module {
        let path = try a.string(name)
        guard let found = module.module(at: path) else { throw noLayer(path, in: module) }
        return found
    }

    struct Method {
        let name: String
        let parameters: [Parameter]
        let doc: String
        var help: String? = nil
        let body: (Module, BoundArguments) throws -> Value
    }

    nonisolated(unsafe) static let methods: [String: Method] = Dictionary(uniqueKeysWithValues: [
        Method(name: "train", parameters: [], doc: "Switches to training mode (dropout on, batch statistics); returns the module.") { m, _ in
            m.setTraining(true); return wrap(m)
        },
        Method(name: "eval", parameters: [], doc: "Switches to evaluation mode (dropout off, running statistics); returns the module.") { m, _ in
            m.setTraining(false); return wrap(m)
        },
        Method(name: "parameters", parameters: [], doc: "The parameters by dotted name, as a dict: for name, p in m.parameters() { … }.") { m, _ in
            try tensorDict(m.namedParameters())
        },
        Method(name: "buffers", parameters: [], doc: "The buffers (running statistics…) by dotted name, as a dict.") { m, _ in
            try tensorDict(m.namedBuffers())
        },
        Method(name: "state_dict", parameters: [], doc: "Parameters and buffers by dotted name: what save(m, path) writes.") { m, _ in
            try tensorDict(m.stateDict())
        },
        Method(name: "load_state_dict", parameters: [Parameter("state"), Parameter("strict", default: .bool(true))],
               doc: "Sets parameters and buffers from a dict of tensors; every missing, unexpected or mis-shaped name is reported at once.") { m, a in
            guard case .dict(let dict) = a["state"] else { throw a.typeError("state", "a dict of tensors") }
            var state: [String: Tensor] = [:]
            for (key, value) in dict.entries { state[key.printed] = try TensorBindings.tensor(value, "state", "load_state_dict") }
            try m.loadStateDict(state, strict: try a.bool("strict"))
            return .nil
        },
        Method(name: "freeze", parameters: [Parameter("layer", default: .nil)],
               doc: "Stops training the parameters of the whole module, or of one layer by path.") { m, a in
            try (a.has("layer") ? layer(a, m) : m).setFrozen(true); return .nil
        },
        Method(name: "unfreeze", parameters: [Parameter("layer", default: .nil)],
               doc: "Trains the parameters of the whole module (or one layer) again.") { m, a in
            try (a.has("layer") ? layer(a, m) : m).setFrozen(false); return .nil
        },
        Method(name: "zero_grad", parameters: [], doc: "Clears every parameter's gradient.") { m, _ in m.zeroGrad(); return .nil },
        Method(name: "gradients", parameters: [], doc: "The parameters' gradients by dotted name (those that have one).") { m, _ in
            try tensorDict(m.gradients().sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        },
        Method(name: "layer", parameters: [Parameter("layer")], doc: "The module at a dotted path: m.layer(\"enc.2.conv1\").") { m, a in
            wrap(try layer(a, m))
        },
        Method(name: "summary", parameters: [Parameter("input_shape")],
               doc: "The layer table for one forward pass on zeros of input_shape: each layer's type, output shape and parameters, with totals and memory, as torchinfo shows.") { m, a in
            .host(SummaryObject(try ModuleSummary(m, inputShape: try a.intList("input_shape"))))
        },
        Method(name: "hook", parameters: [Parameter("layer"), Parameter("forward", default: .nil), Parameter("backward", default: .nil)],
               doc: "Calls forward(activation) after the layer runs and backward(gradient) with the gradient flowing into its output; returns a handle whose remove() stops both.",
               help: "Example: acts = []; h = m.hook(\"enc.1\", forward: fn(a) { acts.append(a) }); m(x); h.remove()") { m, a in
            let target = try layer(a, m)
            var handles: [HookHandle] = []
            // Weak: the module may sit in the interpreter's globals (a strong reference would be a cycle).
            weak let interpreter = a.interpreter
            if a.has("forward") {
                let callback = a["forward"]
                handles.append(target.addForwardHook { _, output in
                    _ = try ModuleObject.session(interpreter).call(callback, Arguments([TensorBindings.wrap(output)]))
                })
            }
            if a.has("backward") {
                let callback = a["backward"]
                handles.append(target.addBackwardHook { _, gradient in
                    _ = try ModuleObject.session(interpreter).call(callback, Arguments([TensorBindings.wrap(gradient)]))
                })
            }
            return .host(HookObject(handles))
        },
        Method(name: "override_backward", parameters: [Parameter("layers"), Parameter("rule")],
               doc: "Replaces the backward rule of the layers named (a path, or a type such as \"ReLU\" for all of that type) with rule(input, output, grad) → input gradient; rule nil removes the latest rule, bringing back the one before. Returns how many layers changed.",
               help: "Guided backpropagation: m.override_backward(\"ReLU\", fn(x, y, g) { relu(g) * (x > 0) })") { m, a in
            let selector = try a.string("layers")
            let targets = m.namedModules().filter { $0.path == selector || $0.module.typeName == selector }.map(\.module)
            guard !targets.isEmpty else { throw noLayer(selector, in: m) }
            let rule = a["rule"]
            weak let interpreter = a.interpreter
            for target in targets {
                if rule.isNil {
                    _ = target.backwardOverrides.popLast()
                    continue
                }
                target.backwardOverrides.append { input, output, gradient in
                    let result = try ModuleObject.session(interpreter).call(rule, Arguments([TensorBindings.wrap(input), TensorBindings.wrap(output), TensorBindings.wrap(gradient)]))
                    return try TensorBindings.tensor(result, "rule", "override_backward")
                }
            }
            return .int(targets.count)
        },
    ].map { ($0.name, $0) })

    /// The session a hook or backward rule was made in, or an error once it has ended.
    static func session(_ interpreter: Interpreter?) throws -> Interpreter {
        guard let interpreter else { throw ScryError(.valueError, "a hook or backward rule was called after its session ended") }
        return interpreter
    }

    static func tensorDict(_ entries: [(name: String, tensor: Tensor)]) throws -> Value {
        let dict = DictStorage()
        for (name, tensor) in entries { try dict.set(.string(name), TensorBindings.wrap(tensor)) }
        return .dict(dict)
    }
}

/// The handle `m.hook(…)` returns.
final class HookObject: HostObject {
    let handles: [HookHandle]
    init(_ handles: [HookHandle]) { self.handles = handles }
    var typeName: String { "hook" }
    var attributeNames: [String] { ["remove"] }
    func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        guard name == "remove" else { return nil }
        return .function(NativeFunction("remove", doc: "Stops the hook.") { _ in
            for handle in self.handles { handle.remove() }
            return .nil
        })
    }
}

/// `m.summary(shape)`: the layer table with totals and memory.
final class SummaryObject: HostObject {
    let summary: ModuleSummary
    init(_ summary: ModuleSummary) { self.summary = summary }
    var typeName: String { "summary" }

    var display: String {
        let rows = summary.rows.map { row -> [String] in
            [String(repeating: "  ", count: row.depth) + (row.path.isEmpty ? "(\(row.typeName))" : row.path), row.typeName,
             row.outputShape.map(shapeString) ?? "—", row.parameters.map(String.init) ?? "—"]
        }
        func mb(_ bytes: Int) -> String { String(format: "%.2f", Double(bytes) / 1_048_576) }
        let s = summary
        return TableText.render(header: ["layer", "type", "output shape", "parameters"], rows: rows,
                                rightAligned: [false, false, false, true]) + "\n"
            + "total parameters: \(s.totalParameters)\ntrainable parameters: \(s.trainableParameters)\n"
            + "non-trainable parameters: \(s.totalParameters - s.trainableParameters)\n"
            + "input size (MB): \(mb(s.inputBytes))\nforward/backward pass size (MB): \(mb(s.activationBytes))\n"
            + "params size (MB): \(mb(s.parameterBytes))\nestimated total size (MB): \(mb(s.inputBytes + s.activationBytes + s.parameterBytes))"
    }

    var attributeNames: [String] { ["rows", "total_parameters", "trainable_parameters"] }

    func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "total_parameters": return .int(summary.totalParameters)
        case "trainable_parameters": return .int(summary.trainableParameters)
        case "rows":
            return .host(TableObject(columns: ["layer", "type", "output_shape", "parameters"], rows: summary.rows.map { row in
                [.string(row.path), .string(row.typeName),
                 row.outputShape.map { .list(ListStorage($0.map { .int($0) })) } ?? .nil, row.parameters.map { .int($0) } ?? .nil]
            }))
        default: return nil
        }
    }
}
