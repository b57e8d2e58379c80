/// The binding layer: how Swift code exposes functions to Scry, with named parameters,
/// defaults, documentation and conversions that fail with messages naming the function, the
/// parameter, the expected type and the value given.
public struct Parameter {
    public let name: String
    /// nil: required.
    public let defaultValue: Value?

    /// A required parameter.
    public init(_ name: String) { self.name = name; defaultValue = nil }
    /// An optional parameter with a default (`.nil` for "not given").
    public init(_ name: String, default value: Value) { self.name = name; defaultValue = value }
}

/// A function implemented in Swift.
public final class NativeFunction: Callable {
    public let name: String
    public let parameters: [Parameter]
    /// Positional arguments are all collected in `rest` (as `print` takes any number of
    /// values); the parameters are then keyword-only.
    public let variadic: Bool
    public let doc: String?
    /// A longer help text, shown by `help(name)` after the signature and doc line.
    public let help: String?
    private let body: (BoundArguments) throws -> Value

    /// A host function: its name, parameters, one-line doc, optional help text and body.
    public init(_ name: String, _ parameters: [Parameter] = [], variadic: Bool = false, doc: String,
                help: String? = nil, _ body: @escaping (BoundArguments) throws -> Value) {
        self.name = name; self.parameters = parameters; self.variadic = variadic
        self.doc = doc; self.help = help; self.body = body
    }

    /// `name(a, b: 1, …)`, as `help` shows it.
    public var signature: String {
        var parts = parameters.map { p in p.defaultValue.map { "\(p.name): \($0.display)" } ?? p.name }
        if variadic { parts.insert("…", at: 0) }
        return "\(name)(\(parts.joined(separator: ", ")))"
    }

    /// Matches the arguments to the parameters (positions, keywords, defaults) and runs the body.
    public func call(_ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        var values = [Value?](repeating: nil, count: parameters.count)
        var rest: [Value] = []
        for (i, value) in arguments.positional.enumerated() {
            if variadic {
                rest.append(value)
            } else if i < parameters.count {
                values[i] = value
            } else {
                throw ScryError(.typeError, "\(name)() takes at most \(parameters.count) argument\(parameters.count == 1 ? "" : "s") but \(arguments.positional.count) were given")
            }
        }
        for (key, value) in arguments.keywords {
            guard let i = parameters.firstIndex(where: { $0.name == key }) else {
                let names = parameters.map(\.name)
                throw ScryError(.typeError, "\(name)() got an unexpected keyword argument '\(key)'"
                    + Attributes.suggestion(key, names) + (names.isEmpty ? "" : " (parameters: \(names.joined(separator: ", ")))"))
            }
            if values[i] != nil { throw ScryError(.typeError, "\(name)() got multiple values for argument '\(key)'") }
            values[i] = value
        }
        for (i, parameter) in parameters.enumerated() where values[i] == nil {
            guard let fallback = parameter.defaultValue else {
                throw ScryError(.typeError, "\(name)() missing required argument '\(parameter.name)'")
            }
            values[i] = fallback
        }
        return try body(BoundArguments(function: name, parameters: parameters, values: values.map { $0! },
                                       rest: rest, interpreter: interpreter))
    }
}

/// A call's arguments matched to a native function's parameters, with typed accessors.
public struct BoundArguments {
    public let function: String
    let parameters: [Parameter]
    let values: [Value]
    /// Extra positional arguments of a variadic function.
    public let rest: [Value]
    public let interpreter: Interpreter

    /// The raw value of parameter `name`.
    public subscript(name: String) -> Value {
        guard let i = parameters.firstIndex(where: { $0.name == name }) else { return .nil }
        return values[i]
    }

    /// Whether `name` holds a value other than nil.
    public func has(_ name: String) -> Bool {
        if case .nil = self[name] { return false }
        return true
    }

    /// "f(): name must be <expected>, got <type> <value>".
    public func typeError(_ name: String, _ expected: String) -> ScryError {
        let value = self[name]
        let shown = value.display.count > 40 ? String(value.display.prefix(37)) + "..." : value.display
        return ScryError(.typeError, "\(function)(): \(name) must be \(expected), got \(value.typeName) \(shown)")
    }

    /// Parameter `name` as an int (an integral float is accepted).
    public func int(_ name: String) throws -> Int {
        switch self[name] {
        case .int(let i): return i
        case .float(let f) where f == f.rounded() && Swift.abs(f) < 9e18: return Int(f)
        default: throw typeError(name, "an int")
        }
    }

    /// Parameter `name` as an int, or nil when it was not given.
    public func optionalInt(_ name: String) throws -> Int? { has(name) ? try int(name) : nil }

    /// Parameter `name` as a number.
    public func double(_ name: String) throws -> Double {
        guard let number = Operators.number(self[name]), !(self[name].isBool) else { throw typeError(name, "a number") }
        return number
    }

    /// Parameter `name` as a number, or nil when it was not given.
    public func optionalDouble(_ name: String) throws -> Double? { has(name) ? try double(name) : nil }

    /// Parameter `name` as a string.
    public func string(_ name: String) throws -> String {
        guard case .string(let s) = self[name] else { throw typeError(name, "a string") }
        return s
    }

    /// Parameter `name` as true or false.
    public func bool(_ name: String) throws -> Bool {
        guard case .bool(let b) = self[name] else { throw typeError(name, "true or false") }
        return b
    }

    /// Parameter `name` as a list (any iterable is accepted).
    public func list(_ name: String) throws -> [Value] {
        switch self[name] {
        case .list(let l): return l.items
        case .range, .host: return try Iteration.array(self[name])
        default: throw typeError(name, "a list")
        }
    }

    /// A list of numbers; a single number is taken as a one-element list.
    public func doubleList(_ name: String) throws -> [Double] {
        if let number = Operators.number(self[name]), !self[name].isBool { return [number] }
        let items: [Value]
        do { items = try list(name) } catch { throw typeError(name, "a number or a list of numbers") }
        return try items.map { item in
            guard let number = Operators.number(item), !item.isBool else { throw typeError(name, "a number or a list of numbers") }
            return number
        }
    }

    /// A list of ints (a shape, say); a single int is taken as a one-element list.
    public func intList(_ name: String) throws -> [Int] {
        if case .int(let i) = self[name] { return [i] }
        let items: [Value]
        do { items = try list(name) } catch { throw typeError(name, "a list of ints") }
        return try items.map { item in
            guard case .int(let i) = item else { throw typeError(name, "a list of ints") }
            return i
        }
    }
}

extension Value {
    var isBool: Bool { if case .bool = self { return true }; return false }
}
