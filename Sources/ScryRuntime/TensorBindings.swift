import ScryLang
import ScryTensor

/// The tensor library bound into Scry: creation functions, element-wise and reduction
/// functions (each also a method: `sum(t)` and `t.sum(axis: 1)`), shape functions, autograd.
enum TensorBindings {
    static func install(into interpreter: Interpreter) {
        for function in creation + Array(methods.values) + joining {
            if let builtin = interpreter.globals[function.name], case .function(let fallback) = builtin {
                // `sum`, `max`, `abs`… keep working on lists: tensors go to the tensor version.
                interpreter.globals[function.name] = .function(ArgumentDispatch(
                    function.name, when: ArgumentDispatch.isTensor, then: function, otherwise: fallback,
                    doc: "\(function.doc ?? "") On lists: \(fallback.doc ?? "")"))
            } else {
                interpreter.register(function)
            }
        }
    }

    static func wrap(_ tensor: Tensor) -> Value { .host(TensorObject(tensor)) }

    static func number(_ value: Double, _ dtype: DType) -> Value {
        switch dtype {
        case .float32: return .float(value)
        case .int64: return value.isNaN ? .int(0) : .int(Int(exactly: value.rounded(.towardZero)) ?? (value < 0 ? .min : .max))
        case .bool: return .bool(value != 0)
        }
    }

    static func nestedList(_ tensor: Tensor) -> Value {
        let values = tensor.scalars()
        func build(_ axis: Int, _ start: Int) -> Value {
            if axis == tensor.rank { return number(values[start], tensor.dtype) }
            let stride = tensor.shape[(axis + 1)...].reduce(1, *)
            return .list(ListStorage((0..<tensor.shape[axis]).map { build(axis + 1, start + $0 * stride) }))
        }
        return build(0, 0)
    }

    /// A tensor from a tensor value, a number, a bool or (nested) lists of them.
    static func tensor(_ value: Value, _ parameter: String, _ function: String, dtype: DType? = nil) throws -> Tensor {
        switch value {
        case .host(let object as TensorObject): return try dtype.map { try object.tensor.to($0) } ?? object.tensor
        case .host(let object as ImageObject): return try dtype.map { try object.image.data.to($0) } ?? object.image.data
        case .int(let i): return try Tensor(scalar: Int64(i)).to(dtype ?? .int64)
        case .float(let f): return try Tensor(scalar: Float(f)).to(dtype ?? .float32)
        case .bool(let b): return try Tensor(scalar: b).to(dtype ?? .bool)
        case .list, .range:
            var flat: [Double] = []
            var inferred = DType.bool
            var depth = 0
            func visit(_ v: Value) throws -> [Int] {
                switch v {
                case .int(let i): flat.append(Double(i)); if inferred == .bool { inferred = .int64 }; return []
                case .float(let f): flat.append(f); inferred = .float32; return []
                case .bool(let b): flat.append(b ? 1 : 0); return []
                case .list, .range:
                    if depth > Tensor.maxRank {
                        throw ScryError(.shapeError, "\(function)(): \(parameter) is nested deeper than a tensor's \(Tensor.maxRank) axes")
                    }
                    depth += 1
                    defer { depth -= 1 }
                    let items = try Iteration.array(v)
                    var inner: [Int]?
                    for item in items {
                        let shape = try visit(item)
                        if let inner, inner != shape {
                            throw ScryError(.shapeError, "\(function)(): \(parameter) is ragged: rows of shapes \(inner) and \(shape)")
                        }
                        inner = shape
                    }
                    return [items.count] + (inner ?? [])
                default:
                    throw ScryError(.typeError, "\(function)(): \(parameter) must hold numbers, got \(v.typeName) \(v.display)")
                }
            }
            let shape = try visit(value)
            return try Tensor(flat: flat, shape: shape, dtype: dtype ?? (flat.isEmpty ? .float32 : inferred))
        default:
            throw ScryError(.typeError, "\(function)(): \(parameter) must be a tensor, a number or a list of numbers, got \(value.typeName)")
        }
    }

    static func indices(_ subscripts: [SubscriptValue]) throws -> [TensorIndex] {
        try subscripts.map { sub in
            switch sub {
            case .ellipsis: return .ellipsis
            case let .slice(start, stop, step): return .slice(start: start, stop: stop, step: step)
            case .index(.nil): return .newAxis
            case .index(.int(let i)): return .at(i)
            case .index(let other):
                throw ScryError(.typeError, "tensor indices must be ints, slices, ... or nil, not \(other.typeName)")
            }
        }
    }

    private static func dtype(_ a: BoundArguments, _ name: String = "dtype") throws -> DType? {
        guard a.has(name) else { return nil }
        let text = try a.string(name)
        guard let type = DType(rawValue: text) else {
            throw ScryError(.valueError, "\(a.function)(): dtype must be one of float32, int64, bool, got \(Value.quote(text))")
        }
        return type
    }

    /// `axis:` as nil (all), an int or a list of ints.
    private static func axes(_ a: BoundArguments) throws -> [Int]? {
        a.has("axis") ? try a.intList("axis") : nil
    }

    private static func x(_ a: BoundArguments) throws -> Tensor { try tensor(a["x"], "x", a.function) }

    // MARK: The functions

    nonisolated(unsafe) static let creation: [NativeFunction] = [
        NativeFunction("tensor", [Parameter("data"), Parameter("dtype", default: .nil), Parameter("requires_grad", default: .bool(false))],
                       doc: "A tensor from (nested) lists of numbers: tensor([[1.0, 2.0], [3.0, 4.0]]).") { a in
            var t = try tensor(a["data"], "data", "tensor", dtype: try dtype(a))
            if try a.bool("requires_grad") { t = try t.requiringGrad() }
            return wrap(t)
        },
        NativeFunction("zeros", [Parameter("shape"), Parameter("dtype", default: .nil)], doc: "A tensor of zeros: zeros([2, 3]).") { a in
            wrap(try Tensor.zeros(try a.intList("shape"), dtype: try dtype(a) ?? .float32))
        },
        NativeFunction("ones", [Parameter("shape"), Parameter("dtype", default: .nil)], doc: "A tensor of ones.") { a in
            wrap(try Tensor.ones(try a.intList("shape"), dtype: try dtype(a) ?? .float32))
        },
        NativeFunction("full", [Parameter("shape"), Parameter("value"), Parameter("dtype", default: .nil)], doc: "A tensor with every element set to a value.") { a in
            wrap(try Tensor.full(try a.intList("shape"), try a.double("value"), dtype: try dtype(a) ?? .float32))
        },
        NativeFunction("arange", [Parameter("start"), Parameter("stop", default: .nil), Parameter("step", default: .int(1)), Parameter("dtype", default: .nil)],
                       doc: "Evenly stepped values from start (default 0) up to stop: arange(5), arange(0, 1, 0.25).") { a in
            let (start, stop) = a.has("stop") ? (try a.double("start"), try a.double("stop")) : (0, try a.double("start"))
            return wrap(try Tensor.arange(start, stop, step: try a.double("step"), dtype: try dtype(a)))
        },
        NativeFunction("linspace", [Parameter("start"), Parameter("stop"), Parameter("count")], doc: "count evenly spaced values from start to stop inclusive.") { a in
            wrap(try Tensor.linspace(try a.double("start"), try a.double("stop"), count: try a.int("count")))
        },
        NativeFunction("eye", [Parameter("n"), Parameter("m", default: .nil)], doc: "The identity matrix (n × m, m defaulting to n).") { a in
            wrap(try Tensor.eye(try a.int("n"), try a.optionalInt("m")))
        },
        NativeFunction("rand", [Parameter("shape")], doc: "Uniform random values in [0, 1).") { a in wrap(try Tensor.rand(try a.intList("shape"))) },
        NativeFunction("randn", [Parameter("shape")], doc: "Standard normal random values: randn([2, 3]).") { a in wrap(try Tensor.randn(try a.intList("shape"))) },
        NativeFunction("randint", [Parameter("low"), Parameter("high"), Parameter("shape")], doc: "Uniform random int64 values in low..<high.") { a in
            wrap(try Tensor.randint(try a.int("low"), try a.int("high"), try a.intList("shape")))
        },
        NativeFunction("seed", [Parameter("n")], doc: "Restarts the random generator (xoshiro256**) from a seed, for repeatable runs.") { a in
            let n = try a.int("n")
            guard n >= 0 else { throw ScryError(.valueError, "seed(): n must be non-negative, got \(n)") }
            Random.seed(UInt64(n))
            return .nil
        },
        NativeFunction("threads", [Parameter("n", default: .nil)],
                       doc: "The number of threads Scry computes with (SCRY_THREADS at start-up); threads(n) sets it.") { a in
            if let n = try a.optionalInt("n") {
                guard n >= 1 else { throw ScryError(.valueError, "threads(): n must be at least 1, got \(n)") }
                Threads.set(n)
                return .nil
            }
            return .int(Threads.count)
        },
        NativeFunction("where", [Parameter("condition"), Parameter("a"), Parameter("b")], doc: "Elements of a where condition holds, of b elsewhere.") { a in
            wrap(try Tensor.where(try tensor(a["condition"], "condition", "where"), try tensor(a["a"], "a", "where"), try tensor(a["b"], "b", "where")))
        },
    ]

    nonisolated(unsafe) static let joining: [NativeFunction] = [
        NativeFunction("grad", [Parameter("output"), Parameter("inputs"), Parameter("seed", default: .nil)],
                       doc: "The gradients of output with respect to the given tensors alone, as a list (torch.autograd.grad): only the paths to them are walked and no .grad changes.") { a in
            let output = try tensor(a["output"], "output", "grad")
            let inputs = try a.list("inputs").map { try tensor($0, "inputs", "grad") }
            let seed = a.has("seed") ? try tensor(a["seed"], "seed", "grad") : nil
            return .list(ListStorage(try output.gradients(withRespectTo: inputs, seed: seed).map(wrap)))
        },
        NativeFunction("no_grad", [Parameter("function")],
                       doc: "Calls function() with gradient recording off (torch.no_grad): inference that keeps no graph, using less memory and time; returns its result.") { a in
            try withNoGrad { try a.interpreter.call(a["function"], Arguments()) }
        },
        NativeFunction("concat", [Parameter("tensors"), Parameter("axis", default: .int(0))], doc: "Joins tensors along an existing axis.") { a in
            wrap(try Tensor.concat(try a.list("tensors").map { try tensor($0, "tensors", "concat") }, axis: try a.int("axis")))
        },
        NativeFunction("stack", [Parameter("tensors"), Parameter("axis", default: .int(0))], doc: "Joins same-shape tensors along a new axis.") { a in
            wrap(try Tensor.stack(try a.list("tensors").map { try tensor($0, "tensors", "stack") }, axis: try a.int("axis")))
        },
    ]

    private static func unary(_ name: String, _ doc: String, _ f: @escaping (Tensor) throws -> Tensor) -> NativeFunction {
        NativeFunction(name, [Parameter("x")], doc: doc) { a in wrap(try f(try x(a))) }
    }

    private static func reduction(_ name: String, _ doc: String,
                                  _ f: @escaping (Tensor, [Int]?, Bool) throws -> Tensor) -> NativeFunction {
        NativeFunction(name, [Parameter("x"), Parameter("axis", default: .nil), Parameter("keepdims", default: .bool(false))],
                       doc: doc + " Over `axis` (an int or a list; default: all), keeping reduced axes with keepdims: true.") { a in
            wrap(try f(try x(a), try axes(a), try a.bool("keepdims")))
        }
    }

    /// Functions whose first parameter is the tensor: each is also a method.
    nonisolated(unsafe) static let methods: [String: NativeFunction] = Dictionary(uniqueKeysWithValues: [
        unary("exp", "e to the power of each element.") { try $0.exp() },
        unary("log", "Natural logarithm of each element.") { try $0.log() },
        unary("sqrt", "Square root of each element.") { try $0.sqrt() },
        unary("rsqrt", "1 / √x for each element.") { try $0.rsqrt() },
        unary("sin", "Sine of each element.") { try $0.sin() },
        unary("cos", "Cosine of each element.") { try $0.cos() },
        unary("tanh", "Hyperbolic tangent of each element.") { try $0.tanh() },
        unary("sigmoid", "1 / (1 + e^-x) for each element.") { try $0.sigmoid() },
        unary("relu", "max(x, 0) for each element.") { try $0.relu() },
        unary("neg", "−x for each element.") { try $0.neg() },
        unary("abs", "Absolute value of each element.") { try $0.abs() },
        unary("contiguous", "The same values in row-major storage.") { try $0.contiguous() },
        NativeFunction("pow", [Parameter("x"), Parameter("exponent")], doc: "x raised to a power (a number or a tensor).") { a in
            if case .host = a["exponent"] { return wrap(try x(a).pow(try tensor(a["exponent"], "exponent", "pow"))) }
            return wrap(try x(a).pow(try a.double("exponent")))
        },
        NativeFunction("clamp", [Parameter("x"), Parameter("min", default: .nil), Parameter("max", default: .nil)], doc: "Elements limited to [min, max].") { a in
            wrap(try x(a).clamp(min: try a.optionalDouble("min"), max: try a.optionalDouble("max")))
        },
        NativeFunction("maximum", [Parameter("x"), Parameter("y")], doc: "Element-wise larger of two tensors.") { a in
            wrap(try x(a).maximum(try tensor(a["y"], "y", "maximum")))
        },
        NativeFunction("minimum", [Parameter("x"), Parameter("y")], doc: "Element-wise smaller of two tensors.") { a in
            wrap(try x(a).minimum(try tensor(a["y"], "y", "minimum")))
        },
        NativeFunction("matmul", [Parameter("x"), Parameter("y")], doc: "Matrix product (also the @ operator), batched and broadcast like NumPy's.") { a in
            wrap(try x(a).matmul(try tensor(a["y"], "y", "matmul")))
        },
        reduction("sum", "Sum of elements.") { try $0.sum(axes: $1, keepDims: $2) },
        reduction("mean", "Mean of elements.") { try $0.mean(axes: $1, keepDims: $2) },
        reduction("max", "Largest element.") { try $0.max(axes: $1, keepDims: $2) },
        reduction("min", "Smallest element.") { try $0.min(axes: $1, keepDims: $2) },
        NativeFunction("var", [Parameter("x"), Parameter("axis", default: .nil), Parameter("correction", default: .int(1)), Parameter("keepdims", default: .bool(false))],
                       doc: "Variance (correction 1: unbiased, as PyTorch; 0: population, as NumPy).") { a in
            wrap(try x(a).variance(axes: try axes(a), correction: try a.int("correction"), keepDims: try a.bool("keepdims")))
        },
        NativeFunction("std", [Parameter("x"), Parameter("axis", default: .nil), Parameter("correction", default: .int(1)), Parameter("keepdims", default: .bool(false))],
                       doc: "Standard deviation (see var for correction).") { a in
            wrap(try x(a).std(axes: try axes(a), correction: try a.int("correction"), keepDims: try a.bool("keepdims")))
        },
        NativeFunction("norm", [Parameter("x"), Parameter("p", default: .int(2)), Parameter("axis", default: .nil), Parameter("keepdims", default: .bool(false))],
                       doc: "The p-norm (default 2, the Frobenius norm over all elements).") { a in
            wrap(try x(a).norm(p: try a.double("p"), axes: try axes(a), keepDims: try a.bool("keepdims")))
        },
        NativeFunction("argmax", [Parameter("x"), Parameter("axis", default: .nil), Parameter("keepdims", default: .bool(false))], doc: "Index of the largest element (along an axis, or of the flattened tensor).") { a in
            wrap(try x(a).argmax(axis: try a.optionalInt("axis"), keepDims: try a.bool("keepdims")))
        },
        NativeFunction("argmin", [Parameter("x"), Parameter("axis", default: .nil), Parameter("keepdims", default: .bool(false))], doc: "Index of the smallest element.") { a in
            wrap(try x(a).argmin(axis: try a.optionalInt("axis"), keepDims: try a.bool("keepdims")))
        },
        NativeFunction("reshape", [Parameter("x"), Parameter("shape")], doc: "The same elements under a new shape (one -1 is inferred).") { a in
            wrap(try x(a).reshape(try a.intList("shape")))
        },
        NativeFunction("flatten", [Parameter("x"), Parameter("start", default: .int(0)), Parameter("end", default: .int(-1))], doc: "Merges axes start…end into one.") { a in
            wrap(try x(a).flatten(start: try a.int("start"), end: try a.int("end")))
        },
        NativeFunction("squeeze", [Parameter("x"), Parameter("axis", default: .nil)], doc: "Removes size-1 axes (the given ones, or all).") { a in
            wrap(try x(a).squeeze(axes: try axes(a)))
        },
        NativeFunction("unsqueeze", [Parameter("x"), Parameter("axis")], doc: "Inserts a size-1 axis.") { a in
            wrap(try x(a).unsqueeze(try a.int("axis")))
        },
        NativeFunction("permute", [Parameter("x"), Parameter("order")], doc: "Reorders the axes.") { a in
            wrap(try x(a).permute(try a.intList("order")))
        },
        NativeFunction("transpose", [Parameter("x"), Parameter("a", default: .int(-2)), Parameter("b", default: .int(-1))], doc: "Swaps two axes (default: the last two).") { a in
            wrap(try x(a).transpose(try a.int("a"), try a.int("b")))
        },
        NativeFunction("flip", [Parameter("x"), Parameter("axis")], doc: "Reverses elements along axes.") { a in
            wrap(try x(a).flip(try a.intList("axis")))
        },
        NativeFunction("repeat", [Parameter("x"), Parameter("counts")], doc: "Tiles the tensor counts[i] times along axis i.") { a in
            wrap(try x(a).repeat(try a.intList("counts")))
        },
        NativeFunction("expand", [Parameter("x"), Parameter("shape")], doc: "A broadcast view of the tensor with a larger shape.") { a in
            wrap(try x(a).expand(try a.intList("shape")))
        },
        NativeFunction("pad", [Parameter("x"), Parameter("widths"), Parameter("value", default: .float(0))],
                       doc: "Pads with a constant: widths is [[before, after], …] from the first axis.") { a in
            let widths = try a.list("widths").map { pair -> (before: Int, after: Int) in
                guard case .list(let l) = pair, l.items.count == 2, case .int(let b) = l.items[0], case .int(let e) = l.items[1] else {
                    throw a.typeError("widths", "a list of [before, after] int pairs")
                }
                return (b, e)
            }
            return wrap(try x(a).pad(widths, value: try a.double("value")))
        },
        NativeFunction("split", [Parameter("x"), Parameter("sizes"), Parameter("axis", default: .int(0))],
                       doc: "Cuts into pieces: sizes is a list of piece sizes, or a number of equal parts.") { a in
            let t = try x(a)
            let parts = try { if case .int(let n) = a["sizes"] { return try t.split(parts: n, axis: try a.int("axis")) }
                               return try t.split(sizes: try a.intList("sizes"), axis: try a.int("axis")) }()
            return .list(ListStorage(parts.map(wrap)))
        },
        NativeFunction("index_select", [Parameter("x"), Parameter("axis"), Parameter("indices")], doc: "Entries at the given indices along an axis.") { a in
            wrap(try x(a).indexSelect(axis: try a.int("axis"), indices: try tensor(a["indices"], "indices", "index_select", dtype: .int64)))
        },
        NativeFunction("to", [Parameter("x"), Parameter("dtype")], doc: "The values converted to float32, int64 or bool.") { a in
            wrap(try x(a).to(try dtype(a)!))
        },
    ].map { ($0.name, $0) })

    static var methodNames: [String] { methods.keys.sorted() }
}
