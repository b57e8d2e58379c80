extension Compiler {
    func expression(_ expr: Expr) throws -> ExprCode {
        switch expr.kind {
        case .int(let v): let value = Value.int(v); return { _ in value }
        case .float(let v): let value = Value.float(v); return { _ in value }
        case .string(let v): let value = Value.string(v); return { _ in value }
        case .bool(let v): let value = Value.bool(v); return { _ in value }
        case .nilLiteral: return { _ in .nil }
        case .name(let name): return load(scope.resolve(name), name: name)
        case .interpolated(let pieces): return try interpolation(pieces)
        case .list(let items):
            let codes = try items.map(expression)
            return { frame in .list(ListStorage(try codes.map { try $0(frame) })) }
        case .dict(let entries):
            let codes = try entries.map { (try expression($0.0), try expression($0.1)) }
            return { frame in
                let dict = DictStorage()
                for (key, value) in codes { try dict.set(try key(frame), try value(frame)) }
                return .dict(dict)
            }
        case let .unary(_, operand):
            let code = try expression(operand)
            return { frame in try Operators.negate(try code(frame)) }
        case .not(let operand):
            let code = try expression(operand)
            return { frame in .bool(!(try code(frame).isTruthy)) }
        case let .and(a, b):
            let left = try expression(a), right = try expression(b)
            return { frame in
                let x = try left(frame)
                return x.isTruthy ? try right(frame) : x
            }
        case let .or(a, b):
            let left = try expression(a), right = try expression(b)
            return { frame in
                let x = try left(frame)
                return x.isTruthy ? x : try right(frame)
            }
        case let .binary(op, a, b):
            return binary(op, try operand(a), try operand(b))
        case let .range(a, b, closed):
            let low = try expression(a), high = try expression(b)
            return { frame in
                let start = try low(frame), end = try high(frame)
                guard case .int(let x) = start, case .int(let y) = end else {
                    throw ScryError(.typeError, "range bounds must be ints, got \(start.typeName) and \(end.typeName)")
                }
                if closed && y == .max { throw ScryError(.valueError, "range end \(y) is too large") }
                return .range(try RangeValue(start: x, stop: closed ? y + 1 : y, step: 1))
            }
        case let .call(callee, arguments):
            return try call(callee, arguments)
        case let .attribute(object, name):
            let code = try expression(object)
            let interpreter = self.interpreter
            return { [unowned interpreter] frame in try Attributes.get(try code(frame), name, interpreter) }
        case let .index(object, subscripts):
            let code = try expression(object)
            let subs = try self.subscripts(subscripts)
            return { frame in try Indexing.get(try code(frame), try subs(frame)) }
        case .function(let decl):
            return try function(decl)
        }
    }

    /// Binary operators, with the int and float cases inline (the loops' hot path) and their
    /// operands fetched without a closure call when they are variables or constants.
    private func binary(_ op: String, _ left: Operand, _ right: Operand) -> ExprCode {
        switch op {
        case "+":
            return { frame in
                let a = try left.value(frame), b = try right.value(frame)
                if case .int(let x) = a, case .int(let y) = b {
                    let (r, o) = x.addingReportingOverflow(y)
                    if !o { return .int(r) }
                }
                if case .float(let x) = a, case .float(let y) = b { return .float(x + y) }
                return try Operators.binary(op, a, b)
            }
        case "-":
            return { frame in
                let a = try left.value(frame), b = try right.value(frame)
                if case .int(let x) = a, case .int(let y) = b {
                    let (r, o) = x.subtractingReportingOverflow(y)
                    if !o { return .int(r) }
                }
                if case .float(let x) = a, case .float(let y) = b { return .float(x - y) }
                return try Operators.binary(op, a, b)
            }
        case "*":
            return { frame in
                let a = try left.value(frame), b = try right.value(frame)
                if case .int(let x) = a, case .int(let y) = b {
                    let (r, o) = x.multipliedReportingOverflow(by: y)
                    if !o { return .int(r) }
                }
                if case .float(let x) = a, case .float(let y) = b { return .float(x * y) }
                return try Operators.binary(op, a, b)
            }
        case "<", "<=", ">", ">=", "==", "!=":
            let comparison: (Int, Int) -> Bool = Operators.comparison(op)!
            return { frame in
                let a = try left.value(frame), b = try right.value(frame)
                if case .int(let x) = a, case .int(let y) = b { return .bool(comparison(x, y)) }
                return try Operators.binary(op, a, b)
            }
        default:
            return { frame in try Operators.binary(op, try left.value(frame), try right.value(frame)) }
        }
    }

    /// A test (`if`, `while`): comparisons of ints answer a Bool without making a Value.
    func condition(_ expr: Expr) throws -> (Frame) throws -> Bool {
        if case let .binary(op, a, b) = expr.kind, let compare: (Int, Int) -> Bool = Operators.comparison(op) {
            let left = try operand(a), right = try operand(b)
            return { frame in
                let x = try left.value(frame), y = try right.value(frame)
                if case .int(let i) = x, case .int(let j) = y { return compare(i, j) }
                return try Operators.binary(op, x, y).isTruthy
            }
        }
        let code = try expression(expr)
        return { frame in try code(frame).isTruthy }
    }

    /// An operand: a local slot or a constant is read in place; anything else is a closure.
    func operand(_ expr: Expr) throws -> Operand {
        switch expr.kind {
        case .int(let v): return .constant(.int(v))
        case .float(let v): return .constant(.float(v))
        case .name(let name):
            switch scope.resolve(name) {
            case .slot(let i): return .slot(i, name)
            case .global(let i): return .global(i, Unowned(interpreter))
            default: break
            }
        default: break
        }
        return .code(try expression(expr))
    }

    func subscripts(_ items: [Subscript]) throws -> (Frame) throws -> [SubscriptValue] {
        func bound(_ code: ExprCode?, _ frame: Frame) throws -> Int? {
            guard let code else { return nil }
            switch try code(frame) {
            case .nil: return nil
            case .int(let i): return i
            case let other: throw ScryError(.typeError, "slice bounds must be ints or nil, not \(other.typeName)")
            }
        }
        let codes: [(Frame) throws -> SubscriptValue] = try items.map { item in
            switch item {
            case .value(let e):
                let code = try expression(e)
                return { frame in .index(try code(frame)) }
            case let .slice(a, b, c):
                let start = try a.map(expression), stop = try b.map(expression), step = try c.map(expression)
                return { frame in .slice(start: try bound(start, frame), stop: try bound(stop, frame), step: try bound(step, frame)) }
            case .ellipsis:
                return { _ in .ellipsis }
            }
        }
        if codes.count == 1, let only = codes.first { return { frame in [try only(frame)] } }
        return { frame in try codes.map { try $0(frame) } }
    }

    private func call(_ callee: Expr, _ arguments: [Argument]) throws -> ExprCode {
        let function = try operand(callee)
        let positional = try arguments.filter { $0.name == nil }.map { try expression($0.value) }
        let keywords = try arguments.compactMap { arg in try arg.name.map { ($0, try expression(arg.value)) } }
        let interpreter = self.interpreter
        // Fast paths: a Scry function called with exactly its parameters, all in slots, gets
        // them written straight into its frame (one closure per arity: no argument array).
        func direct(_ target: Value, _ count: Int) -> ScryFunction? {
            guard case .function(let callable) = target, let scry = callable.scryFunction,
                  scry.code.parameterNames.count == count, scry.code.parametersAreSlots else { return nil }
            return scry
        }
        if keywords.isEmpty && positional.count == 1 {
            let a0 = positional[0]
            return { [unowned interpreter] frame in
                let target = try function.value(frame)
                if let scry = direct(target, 1) {
                    let argument = try a0(frame)
                    let newFrame = scry.newFrame()
                    newFrame.slots[0] = argument
                    return try interpreter.run(scry, newFrame)
                }
                return try interpreter.call(target, Arguments([try a0(frame)]))
            }
        }
        if keywords.isEmpty && positional.count == 2 {
            let a0 = positional[0], a1 = positional[1]
            return { [unowned interpreter] frame in
                let target = try function.value(frame)
                if let scry = direct(target, 2) {
                    let first = try a0(frame), second = try a1(frame)
                    let newFrame = scry.newFrame()
                    newFrame.slots[0] = first
                    newFrame.slots[1] = second
                    return try interpreter.run(scry, newFrame)
                }
                return try interpreter.call(target, Arguments([try a0(frame), try a1(frame)]))
            }
        }
        if keywords.isEmpty {
            return { [unowned interpreter] frame in try interpreter.call(try function.value(frame), Arguments(try positional.map { try $0(frame) })) }
        }
        return { [unowned interpreter] frame in
            let target = try function.value(frame)
            let args = Arguments(try positional.map { try $0(frame) },
                                 keywords: try keywords.map { (name: $0.0, value: try $0.1(frame)) })
            return try interpreter.call(target, args)
        }
    }

    /// Code that makes a closure: compiles the body in its own scope and, at run time,
    /// evaluates the defaults and captures the cells it needs from the creating frame.
    func function(_ decl: FunctionDecl) throws -> ExprCode {
        let defaults = try decl.parameters.map { try $0.defaultValue.map(expression) }
        let inner = Scope(function: decl.name, parent: scope, parameters: decl.parameters.map(\.name), body: decl.body)
        let outer = scope, outerLoops = loopDepth
        scope = inner
        // `break` in a function body never reaches a loop around the function.
        loopDepth = 0
        defer { scope = outer; loopDepth = outerLoops }
        let body = try block(decl.body)
        let code = FunctionCode(name: decl.name, doc: decl.doc, parameterNames: decl.parameters.map(\.name),
                                parameterRefs: decl.parameters.map { inner.resolve($0.name) },
                                slotCount: inner.slotCount, cellCount: inner.cellCount, body: body,
                                sourceName: sourceName)
        let origins = inner.freeOrigins
        return { frame in
            var captured = ContiguousArray<Cell>()
            captured.reserveCapacity(origins.count)
            for origin in origins {
                switch origin {
                case .cell(let i): captured.append(frame.cells[i])
                case .free(let i): captured.append(frame.free[i])
                default: break
                }
            }
            let values = try defaults.map { try $0?(frame) }
            return .function(ScryFunction(code: code, captured: captured, defaults: values))
        }
    }

    private func interpolation(_ pieces: [InterpolatedPiece]) throws -> ExprCode {
        let parts: [(String?, ExprCode?, String?)] = try pieces.map { piece in
            switch piece {
            case .text(let text): return (text, nil, nil)
            case let .value(expr, spec): return (nil, try expression(expr), spec)
            }
        }
        return { frame in
            var out = ""
            for (text, code, spec) in parts {
                if let text { out += text; continue }
                let value = try code!(frame)
                out += try spec.map { try FormatSpec.format(value, $0) } ?? value.printed
            }
            return .string(out)
        }
    }
}

/// How compiled code reaches an operand.
enum Operand {
    case slot(Int, String)
    case global(Int, Unowned<Interpreter>)
    case constant(Value)
    case code(ExprCode)

    @inline(__always)
    func value(_ frame: Frame) throws -> Value {
        switch self {
        case let .slot(i, name):
            guard let v = frame.slots[i] else {
                throw ScryError(.nameError, "local variable '\(name)' is used before it is assigned")
            }
            return v
        case let .global(i, interpreter):
            if let v = interpreter.object.globals.values[i] { return v }
            return try interpreter.object.missingGlobal(i)
        case .constant(let v): return v
        case .code(let code): return try code(frame)
        }
    }
}

/// A reference that does not keep its object alive: compiled code reaches its interpreter this
/// way, since the interpreter's globals hold that code (a strong reference would be a cycle).
struct Unowned<Object: AnyObject> {
    unowned let object: Object
    init(_ object: Object) { self.object = object }
}
