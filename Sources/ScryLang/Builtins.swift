import Foundation

/// The functions every session starts with (besides the prelude and the host bindings).
enum Builtins {
    static func install(into interpreter: Interpreter) {
        for function in all { interpreter.register(function) }
    }

    static var all: [NativeFunction] { [
        NativeFunction("print", [Parameter("sep", default: .string(" ")), Parameter("end", default: .string("\n"))],
                       variadic: true, doc: "Writes values, separated by `sep` and followed by `end`.") { a in
            let values = a.rest
            a.interpreter.write(values.map(\.printed).joined(separator: try a.string("sep")) + (try a.string("end")))
            return .nil
        },
        NativeFunction("len", [Parameter("value")], doc: "Number of elements of a list, dict, string, range or host value.") { a in
            switch a["value"] {
            case .list(let l): return .int(l.items.count)
            case .dict(let d): return .int(d.count)
            case .string(let s): return .int(s.count)
            case .range(let r): return .int(r.count)
            case .host(let object): if let n = object.length { return .int(n) }
            default: break
            }
            throw a.typeError("value", "a list, dict, string, range or sized value")
        },
        NativeFunction("range", [Parameter("start"), Parameter("stop", default: .nil), Parameter("step", default: .int(1))],
                       doc: "Integers from start (default 0) up to stop, by step: range(5), range(2, 10, 2).") { a in
            let step = try a.int("step")
            if a.has("stop") { return .range(try RangeValue(start: try a.int("start"), stop: try a.int("stop"), step: step)) }
            return .range(try RangeValue(start: 0, stop: try a.int("start"), step: step))
        },
        NativeFunction("list", [Parameter("values", default: .nil)], doc: "A new list from an iterable (empty without one).") { a in
            .list(ListStorage(a.has("values") ? try Iteration.array(a["values"]) : []))
        },
        NativeFunction("str", [Parameter("value")], doc: "A value's text, as print writes it.") { a in .string(a["value"].printed) },
        NativeFunction("repr", [Parameter("value")], doc: "A value's display form (strings quoted).") { a in .string(a["value"].display) },
        NativeFunction("int", [Parameter("value")], doc: "An int from a number (truncated), bool or string.") { a in
            switch a["value"] {
            case .int: return a["value"]
            case .bool(let b): return .int(b ? 1 : 0)
            case .float(let f):
                guard f.isFinite, Swift.abs(f) < 9.2e18 else { throw ScryError(.valueError, "int(): \(Value.format(f)) is out of the int range") }
                return .int(Int(f))
            case .string(let s):
                guard let i = Int(s.trimmingCharacters(in: .whitespaces)) else { throw ScryError(.valueError, "int(): \(Value.quote(s)) is not an integer") }
                return .int(i)
            default: throw a.typeError("value", "a number or string")
            }
        },
        NativeFunction("float", [Parameter("value")], doc: "A float from a number, bool or string.") { a in
            if case .string(let s) = a["value"] {
                guard let f = Double(s.trimmingCharacters(in: .whitespaces)) else { throw ScryError(.valueError, "float(): \(Value.quote(s)) is not a number") }
                return .float(f)
            }
            return .float(try a.double("value"))
        },
        NativeFunction("bool", [Parameter("value")], doc: "Truthiness of a value.") { a in .bool(a["value"].isTruthy) },
        NativeFunction("type", [Parameter("value")], doc: "The name of a value's type.") { a in .string(a["value"].typeName) },
        NativeFunction("call", [Parameter("function"), Parameter("positional", default: .list(ListStorage([]))),
                                Parameter("keywords", default: .nil)],
                       doc: "Calls a function with a list of positional arguments and a dict of keyword arguments (options read from a configuration, passed on).") { a in
            var keywords: [(name: String, value: Value)] = []
            if case .dict(let dict) = a["keywords"] {
                for (key, value) in dict.entries {
                    guard case .string(let name) = key else { throw ScryError(.typeError, "call(): keyword names must be strings, got \(key.printed)") }
                    keywords.append((name, value))
                }
            } else if !a["keywords"].isNil {
                throw ScryError(.typeError, "call(): keywords must be a dict of names to values")
            }
            return try a.interpreter.call(a["function"], Arguments(try Iteration.array(a["positional"]), keywords: keywords))
        },
        NativeFunction("builtin", [Parameter("name")],
                       doc: "The host function of that name even where a variable hides it (library code calls builtin(\"loss\")(…) so that a user's loss = … cannot break it).") { a in
            let name = try a.string("name")
            guard let function = a.interpreter.natives[name] else { throw ScryError(.nameError, "no built-in function \(Value.quote(name))") }
            return .function(function)
        },
        NativeFunction("getattr", [Parameter("value"), Parameter("name"), Parameter("default", default: .nil)],
                       doc: "value.name for a name known only at run time; default when the value has no such attribute.") { a in
            let base = a["value"], name = try a.string("name")
            if case .host(let object) = base { return try object.attribute(name, a.interpreter) ?? a["default"] }
            return Methods.lookup(base, name).map { .function($0) } ?? a["default"]
        },
        NativeFunction("abs", [Parameter("value")], doc: "Absolute value of a number.") { a in
            switch a["value"] {
            case .int(let i):
                guard i != .min else { throw ScryError(.valueError, "integer overflow in abs(\(i))") }
                return .int(Swift.abs(i))
            case .float(let f): return .float(Swift.abs(f))
            default: throw a.typeError("value", "a number")
            }
        },
        NativeFunction("min", variadic: true, doc: "Smallest of the arguments, or of one iterable.") { a in try extreme(a.rest, largest: false) },
        NativeFunction("max", variadic: true, doc: "Largest of the arguments, or of one iterable.") { a in try extreme(a.rest, largest: true) },
        NativeFunction("sum", [Parameter("values"), Parameter("start", default: .int(0))], doc: "Sum of an iterable's values.") { a in
            try Iteration.array(a["values"]).reduce(a["start"]) { try Operators.binary("+", $0, $1) }
        },
        NativeFunction("round", [Parameter("value"), Parameter("digits", default: .nil)],
                       doc: "A number rounded half to even: to an int, or to a number of decimal digits.") { a in
            let x = try a.double("value")
            guard a.has("digits") else {
                let r = x.rounded(.toNearestOrEven)
                guard r.isFinite, Swift.abs(r) < 9.2e18 else { throw ScryError(.valueError, "round(): \(x) has no int value") }
                return .int(Int(r))
            }
            let scale = pow(10, Double(try a.int("digits")))
            return .float((x * scale).rounded(.toNearestOrEven) / scale)
        },
        NativeFunction("sorted", [Parameter("values"), Parameter("reverse", default: .bool(false))], doc: "A sorted list of an iterable's numbers or strings.") { a in
            .list(ListStorage(try sorted(try Iteration.array(a["values"]), reverse: try a.bool("reverse"))))
        },
        NativeFunction("reversed", [Parameter("values")], doc: "A list of an iterable's values in reverse order.") { a in
            .list(ListStorage(try Iteration.array(a["values"]).reversed()))
        },
        NativeFunction("enumerate", [Parameter("values"), Parameter("start", default: .int(0))], doc: "[index, value] pairs of an iterable.") { a in
            let start = try a.int("start")
            return .list(ListStorage(try Iteration.array(a["values"]).enumerated().map { item in
                let (index, overflow) = start.addingReportingOverflow(item.offset)
                if overflow { throw ScryError(.valueError, "enumerate(): index overflows an int") }
                return .list(ListStorage([.int(index), item.element]))
            }))
        },
        NativeFunction("zip", [Parameter("first"), Parameter("second")], doc: "[a, b] pairs of two iterables, as long as the shorter.") { a in
            .list(ListStorage(zip(try Iteration.array(a["first"]), try Iteration.array(a["second"])).map { .list(ListStorage([$0, $1])) }))
        },
        NativeFunction("map", [Parameter("function"), Parameter("values")], doc: "A list of a function's results over an iterable.") { a in
            .list(ListStorage(try Iteration.array(a["values"]).map { try a.interpreter.call(a["function"], Arguments([$0])) }))
        },
        NativeFunction("filter", [Parameter("function"), Parameter("values")], doc: "A list of the values for which a function is truthy.") { a in
            .list(ListStorage(try Iteration.array(a["values"]).filter { try a.interpreter.call(a["function"], Arguments([$0])).isTruthy }))
        },
        NativeFunction("error", [Parameter("message"), Parameter("name", default: .string("ValueError"))],
                       doc: "Raises an error (a ValueError unless `name` says otherwise).") { a in
            let name = try a.string("name")
            guard let kind = ErrorName(rawValue: name) else {
                throw ScryError(.valueError, "error(): unknown error name \(Value.quote(name)) (one of \(ErrorName.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            throw ScryError(kind, a["message"].printed)
        },
        NativeFunction("uninterruptible", [Parameter("function")],
                       doc: "Calls a function with interrupts deferred: a Ctrl-C meanwhile stops the program just after it returns.",
                       help: "For library code whose steps must not be left half-done (an optimizer update, a checkpoint write).") { a in
            try Interrupt.critical { try a.interpreter.call(a["function"], Arguments()) }
        },
        NativeFunction("help", [Parameter("value", default: .nil)], doc: "Shows the documentation of a function or value.") { a in
            a.interpreter.write(a.interpreter.helpText(for: a["value"]) + "\n")
            return .nil
        },
    ] }

    static func extreme(_ arguments: [Value], largest: Bool) throws -> Value {
        let values = arguments.count == 1 ? try Iteration.array(arguments[0]) : arguments
        guard var best = values.first else { throw ScryError(.valueError, "\(largest ? "max" : "min")() of an empty sequence") }
        for value in values.dropFirst() {
            let order = try Operators.compare(value, best) ?? 0
            if largest ? order > 0 : order < 0 { best = value }
        }
        return best
    }

    static func sorted(_ values: [Value], reverse: Bool) throws -> [Value] {
        var failure: Error?
        let result = values.sorted { a, b in
            do { return (try Operators.compare(a, b) ?? 0) < 0 } catch { failure = error; return false }
        }
        if let failure { throw failure }
        return reverse ? result.reversed() : result
    }
}
