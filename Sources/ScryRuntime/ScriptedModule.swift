import ScryLang
import ScryNN
import ScryTensor

/// A module written in Scry: `module("name", layers: {…}, forward: fn(self, x) { … })`. Its
/// children, parameters, modes, hooks and weights work as a built-in module's do; calling it
/// runs the forward function with the module as `self` and any further arguments. Other values
/// can be set on it as attributes, as on a Python object.
final class ScriptedModule: Module {
    let forwardFunction: Value
    /// Plain values set on the module (`m.patch_multiple = 16`), as a Python attribute would be.
    var attributes: [String: Value] = [:]
    /// The interpreter of the latest call, for calls that come from Swift (a Sequential
    /// holding this module, a summary); weak, since the interpreter's globals hold modules.
    weak var interpreter: Interpreter?

    /// 2 for a 2D network: a one-slice volume [N, C, x, y, 1] then runs as [N, C, x, y], and
    /// outputs with spatial axes get the slice axis back, as 2D layers do.
    let planarDimensions: Int?

    init(name: String, forward: Value, interpreter: Interpreter, dimension: Int?) {
        forwardFunction = forward
        self.interpreter = interpreter
        planarDimensions = dimension
        super.init(name)
    }

    func call(_ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        self.interpreter = interpreter
        var forwardArguments = arguments
        var input: Tensor?
        if case .host(let object as TensorObject)? = arguments.positional.first { input = object.tensor }
        let planar = planarDimensions.map { d in input.map { $0.rank == d + 3 && $0.shape.last == 1 } ?? false } ?? false
        if planar, let x = input {
            input = try x.squeeze(axes: [x.rank - 1])
            forwardArguments.positional[0] = TensorBindings.wrap(input!)
        }
        forwardArguments.positional.insert(ModuleObject.wrap(self), at: 0)
        let result = try run(input: input) { try interpreter.call(forwardFunction, forwardArguments) }
        return planar ? try restoringSliceAxis(result) : result
    }

    /// Puts the slice axis back on outputs (or lists of outputs) that kept their spatial axes.
    private func restoringSliceAxis(_ value: Value) throws -> Value {
        switch value {
        case .host(let object as TensorObject) where object.tensor.rank == (planarDimensions ?? 0) + 2:
            return TensorBindings.wrap(try object.tensor.unsqueeze(object.tensor.rank))
        case .list(let list):
            return .list(ListStorage(try list.items.map(restoringSliceAxis)))
        default:
            return value
        }
    }

    override func forward(_ x: Tensor) throws -> Tensor {
        guard let interpreter else { throw ScryError(.valueError, "module \(typeName) was called after its session ended") }
        return try x.planar(dimensions: planarDimensions) { x in
            let result = try interpreter.call(forwardFunction, Arguments([ModuleObject.wrap(self), TensorBindings.wrap(x)]))
            return try TensorBindings.tensor(result, "forward's result", typeName)
        }
    }
}

extension Value: ModuleOutput {
    public var moduleTensor: Tensor? {
        if case .host(let object as TensorObject) = self { return object.tensor }
        return nil
    }

    public func replacingModuleTensor(_ tensor: Tensor) -> Value { TensorBindings.wrap(tensor) }
}

/// `module(…)` and `sequential(…)`: building modules in the language.
enum ModuleBuilding {
    /// A child given in `layers:`: a module, or a list (or dict) of them, which becomes a
    /// container whose children are named by position (or key).
    static func child(_ value: Value, _ path: String) throws -> Module {
        switch value {
        case .host(let object as ModuleObject): return object.module
        case .list(let list):
            return Sequential(try list.items.enumerated().map { try child($1, "\(path).\($0)") })
        case .dict(let dict):
            let container = Module("ModuleDict")
            for (key, item) in dict.entries { container.register(child: key.printed, try child(item, "\(path).\(key.printed)")) }
            return container
        default:
            throw ScryError(.typeError, "module(): layer \"\(path)\" must be a module or a list or dict of modules, got \(value.typeName)")
        }
    }

    nonisolated(unsafe) static let functions: [NativeFunction] = [
        NativeFunction("module", [Parameter("name"), Parameter("layers", default: .nil), Parameter("forward"),
                                  Parameter("parameters", default: .nil), Parameter("buffers", default: .nil),
                                  Parameter("dimension", default: .nil)],
                       doc: "A module from named child layers and a forward function: module(\"net\", layers: {conv: conv(1, 8, 3)}, forward: fn(self, x) { relu(self.conv(x)) }).",
                       help: """
                       layers: a dict of child modules (a list of modules becomes a container named 0, 1, 2…; \
                       a dict, one named by its keys); parameters and buffers: dicts of tensors the module holds itself; \
                       dimension: 2 makes a 2D network take a one-slice volume [N, C, x, y, 1] too, as 2D layers do. \
                       forward(self, x, …) runs when the module is called; self.name reaches a child, parameter or buffer. \
                       The module's layers are named by dotted paths (enc.0.conv1), the names hooks, summaries and \
                       safetensors files use.
                       """) { a in
            let name = try a.string("name")
            guard case .function = a["forward"] else { throw a.typeError("forward", "a function fn(self, x) { … }") }
            let dimension = try a.optionalInt("dimension")
            let module = ScriptedModule(name: name, forward: a["forward"], interpreter: a.interpreter, dimension: dimension)
            for (parameter, register) in [("layers", 0), ("parameters", 1), ("buffers", 2)] where a.has(parameter) {
                guard case .dict(let dict) = a[parameter] else { throw a.typeError(parameter, "a dict") }
                for (key, value) in dict.entries {
                    let field = key.printed
                    guard !field.contains(".") && !field.isEmpty else {
                        throw ScryError(.valueError, "module(): \(parameter) name \"\(field)\" must be non-empty and without dots")
                    }
                    switch register {
                    case 0: module.register(child: field, try child(value, field))
                    case 1: try module.register(parameter: field, try TensorBindings.tensor(value, field, "module", dtype: .float32))
                    default: module.register(buffer: field, try TensorBindings.tensor(value, field, "module"))
                    }
                }
            }
            return ModuleObject.wrap(module)
        },
        NativeFunction("sequential", variadic: true, doc: "A module applying its layers in order, named 0, 1, 2…: sequential(conv(1, 8, 3), relu()).") { a in
            let items = a.rest.count == 1 && a.rest[0].typeName == "list" ? try Iteration.array(a.rest[0]) : a.rest
            return ModuleObject.wrap(Sequential(try items.enumerated().map { try child($1, String($0)) }))
        },
    ]
}
