import ScryLang
import ScryTensor

/// A tensor as a Scry value: attributes (`shape`, `dtype`, `grad`…), methods that mirror the
/// tensor functions (`t.sum(axis: 1)`), operators, indexing, iteration over the first axis.
final class TensorObject: HostObject {
    var tensor: Tensor

    init(_ tensor: Tensor) { self.tensor = tensor }

    var typeName: String { "tensor" }

    /// `tensor([[1.0000, 2.0000], …])`, with the dtype when it is not float32; long tensors
    /// abbreviated with `...`.
    var display: String {
        let values = tensor.valuesDescription().replacingOccurrences(of: "\n", with: "\n       ")
        return "tensor(" + values + (tensor.dtype == .float32 ? "" : ", dtype: \(tensor.dtype)") + ")"
    }

    /// Shape, dtype and statistics, then the abbreviated values.
    var detailedDisplay: String {
        var header = "tensor(shape: \(tensor.shape), dtype: \(tensor.dtype)"
        if tensor.count > 0, let values = try? tensor.to(.float32).detach(),
           let low = try? values.min().item(), let high = try? values.max().item(), let mean = try? values.mean().item() {
            header += ", min: \(TensorObject.short(low)), max: \(TensorObject.short(high)), mean: \(TensorObject.short(mean))"
        }
        if tensor.requiresGrad { header += ", requires_grad" }
        return header + ")\n" + tensor.valuesDescription()
    }

    private static func short(_ x: Double) -> String {
        x == x.rounded() && Swift.abs(x) < 1e9 ? String(Int(x)) : String(format: "%.4g", x)
    }

    var length: Int? { tensor.rank > 0 ? tensor.shape[0] : nil }
    var memoryBytes: Int? { tensor.count * tensor.dtype.byteSize }

    var attributeNames: [String] {
        ["backward", "detach", "dtype", "grad", "item", "ndim", "requires_grad", "shape", "tolist", "zero_grad"]
            + TensorBindings.methodNames
    }

    func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "shape": return .list(ListStorage(tensor.shape.map { .int($0) }))
        case "dtype": return .string(tensor.dtype.rawValue)
        case "ndim": return .int(tensor.rank)
        case "grad": return tensor.grad.map(TensorBindings.wrap) ?? .nil
        case "requires_grad": return .bool(tensor.requiresGrad)
        case "item":
            return .function(NativeFunction("item", doc: "The value of a one-element tensor as a number.") { _ in
                TensorBindings.number(try self.tensor.item(), self.tensor.dtype)
            })
        case "tolist":
            return .function(NativeFunction("tolist", doc: "The values as nested lists.") { _ in
                TensorBindings.nestedList(self.tensor)
            })
        case "backward":
            return .function(NativeFunction("backward", [Parameter("gradient", default: .nil)],
                                            doc: "Back-propagates from this tensor into the grads of its inputs.") { a in
                try Interrupt.critical { try self.tensor.backward(a.has("gradient") ? try TensorBindings.tensor(a["gradient"], "gradient", "backward") : nil) }
                return .nil
            })
        case "detach":
            return .function(NativeFunction("detach", doc: "The same values, cut off from the gradient graph.") { _ in
                TensorBindings.wrap(self.tensor.detach())
            })
        case "zero_grad":
            return .function(NativeFunction("zero_grad", doc: "Clears the accumulated gradient.") { _ in
                self.tensor.zeroGrad(); return .nil
            })
        default:
            guard let function = TensorBindings.methods[name] else { return nil }
            // A method is the function of the same name with this tensor as first argument.
            return .function(NativeFunction(function.name, Array(function.parameters.dropFirst()), doc: function.doc ?? "") { a in
                var arguments = Arguments([.host(self)])
                for parameter in function.parameters.dropFirst() { arguments.keywords.append((parameter.name, a[parameter.name])) }
                return try function.call(arguments, a.interpreter)
            })
        }
    }

    func setAttribute(_ name: String, _ value: Value) throws -> Bool {
        guard name == "requires_grad" else { return false }
        guard case .bool(let flag) = value else {
            throw ScryError(.typeError, "requires_grad must be true or false, got \(value.typeName)")
        }
        tensor = try tensor.requiringGrad(flag)
        return true
    }

    func binary(_ op: String, _ other: Value, reversed: Bool) throws -> Value? {
        guard let rhs = try? TensorBindings.tensor(other, "operand", op) else { return nil }
        let (a, b) = reversed ? (rhs, tensor) : (tensor, rhs)
        let result: Tensor
        switch op {
        case "+": result = try a + b
        case "-": result = try a - b
        case "*": result = try a * b
        case "/": result = try a / b
        case "**": result = try a.pow(b)
        case "@": result = try a.matmul(b)
        case "==": result = try a.eq(b)
        case "!=": result = try a.ne(b)
        case "<": result = try a.lt(b)
        case "<=": result = try a.le(b)
        case ">": result = try a.gt(b)
        case ">=": result = try a.ge(b)
        default: return nil
        }
        return TensorBindings.wrap(result)
    }

    func negate() throws -> Value? { TensorBindings.wrap(try tensor.neg()) }

    func subscriptGet(_ subscripts: [SubscriptValue]) throws -> Value? {
        TensorBindings.wrap(try tensor.index(try TensorBindings.indices(subscripts)))
    }

    func subscriptSet(_ subscripts: [SubscriptValue], _ value: Value) throws -> Bool {
        try tensor.assign(try TensorBindings.tensor(value, "value", "assignment"), at: try TensorBindings.indices(subscripts))
        return true
    }

    func makeIterator() throws -> AnyIterator<Value>? {
        guard tensor.rank > 0 else { throw ScryError(.typeError, "a rank-0 tensor is not iterable") }
        var i = 0
        let t = tensor
        return AnyIterator {
            defer { i += 1 }
            guard i < t.shape[0], let row = try? t.index([.at(i)]) else { return nil }
            return TensorBindings.wrap(row)
        }
    }
}

extension Value {
    /// A tensor as a Scry value, for Swift programs that hand tensors to a session.
    public static func tensor(_ tensor: Tensor) -> Value { .host(TensorObject(tensor)) }
}
