/// Turns the syntax tree into Swift closures, one per node, with every variable resolved to
/// a slot, a cell or a global index ahead of time, so that running code never looks a name up.
final class Compiler {
    let interpreter: Interpreter
    let sourceName: String
    var scope: Scope
    var loopDepth = 0

    init(interpreter: Interpreter, sourceName: String, scope: Scope) {
        self.interpreter = interpreter
        self.sourceName = sourceName
        self.scope = scope
    }

    func syntaxError(_ message: String, _ location: SourceLocation) -> ScryError {
        var error = ScryError(.syntaxError, message)
        error.source = sourceName
        error.location = location
        return error
    }

    // MARK: Statements

    /// One closure running the statements in order; a non-normal flow (break, continue,
    /// return) ends it early. Each statement first records its line in the frame, which is
    /// where a traceback reads it. Closures are composed rather than kept in an array (one
    /// taken out of an array is called through a reabstraction thunk), in a balanced tree so
    /// that long cells do not make deep call chains.
    func block(_ statements: [Stmt]) throws -> StmtCode {
        try sequence(statements[...])
    }

    private func sequence(_ statements: ArraySlice<Stmt>) throws -> StmtCode {
        let start = statements.startIndex
        switch statements.count {
        case 0:
            return { _ in .normal }
        case 1:
            let line = statements[start].location.line
            if case .returnValue(let value?) = statements[start].kind, !scope.isModule {
                let code = try expression(value)
                return { frame in
                    frame.line = line
                    frame.returnValue = try code(frame)
                    return .returned
                }
            }
            let body = try statementBody(statements[start])
            return { frame in
                frame.line = line
                return try body(frame)
            }
        case 2:
            let first = try statementBody(statements[start]), firstLine = statements[start].location.line
            let second = try statementBody(statements[start + 1]), secondLine = statements[start + 1].location.line
            return { frame in
                frame.line = firstLine
                let flow = try first(frame)
                guard case .normal = flow else { return flow }
                frame.line = secondLine
                return try second(frame)
            }
        default:
            let middle = start + statements.count / 2
            let first = try sequence(statements[..<middle]), second = try sequence(statements[middle...])
            return { frame in
                let flow = try first(frame)
                if case .normal = flow { return try second(frame) }
                return flow
            }
        }
    }

    private func statementBody(_ statement: Stmt) throws -> StmtCode {
        switch statement.kind {
        case .expression(let expr):
            let code = try expression(expr)
            return { frame in _ = try code(frame); return .normal }
        case let .assign(target, op, value):
            return try assignment(target, op, value)
        case let .ifChain(branches, otherwise):
            // Folded from the last branch: each test falls through to the rest of the chain.
            var chain: StmtCode? = try otherwise.map(block)
            for (condition, body) in branches.reversed() {
                let test = try self.condition(condition), then = try block(body)
                if let rest = chain {
                    chain = { frame in try test(frame) ? try then(frame) : try rest(frame) }
                } else {
                    chain = { frame in try test(frame) ? try then(frame) : .normal }
                }
            }
            return chain!
        case let .whileLoop(condition, body):
            let test = try self.condition(condition)
            loopDepth += 1
            let compiled = try block(body)
            loopDepth -= 1
            return { frame in
                while try test(frame) {
                    try Interrupt.check()
                    switch try compiled(frame) {
                    case .breakLoop: return .normal
                    case .returned: return .returned
                    default: continue
                    }
                }
                return .normal
            }
        case let .forLoop(names, sequence, body):
            return try forLoop(names, sequence, body, statement.location)
        case .breakLoop, .continueLoop:
            let isBreak: Bool = { if case .breakLoop = statement.kind { return true }; return false }()
            guard loopDepth > 0 else {
                throw syntaxError("'\(isBreak ? "break" : "continue")' outside a loop", statement.location)
            }
            return isBreak ? { _ in .breakLoop } : { _ in .continueLoop }
        case .returnValue(let value):
            guard !scope.isModule else { throw syntaxError("'return' outside a function", statement.location) }
            guard let value else { return { frame in frame.returnValue = .nil; return .returned } }
            let code = try expression(value)
            return { frame in frame.returnValue = try code(frame); return .returned }
        case .function(let decl):
            let make = try function(decl)
            let store = self.store(scope.resolve(decl.name), name: decl.name)
            return { frame in try store(frame, try make(frame)); return .normal }
        case .importFile(let path):
            let interpreter = self.interpreter, importer = sourceName
            return { [unowned interpreter] _ in try interpreter.importFile(path, from: importer); return .normal }
        case let .tryCatch(body, errorName, handler, cleanup):
            let compiledBody = try block(body)
            let bind = errorName.map { self.store(scope.resolve($0), name: $0) }
            let compiledHandler = try handler.map(block)
            let compiledCleanup = try cleanup.map(block)
            // Interrupted is not caught: Ctrl-C must stop `while true { try { … } catch { } }`.
            let interpreter = self.interpreter
            let guarded: StmtCode = compiledHandler.map { compiledHandler in
                { [unowned interpreter] frame in
                    do {
                        return try compiledBody(frame)
                    } catch {
                        let caught = (error as? ScryError) ?? interpreter.hostErrorConverter(error)
                        if caught.name == .interrupted { throw caught }
                        try bind?(frame, .host(ErrorObject(caught)))
                        return try compiledHandler(frame)
                    }
                }
            } ?? compiledBody
            guard let compiledCleanup else { return guarded }
            // The finally block runs however the rest ends, Ctrl-C included, and is not itself
            // interrupted (a request made meanwhile is raised after it); a break, continue or
            // return in it wins, as in Python.
            return { frame in
                let flow: Flow
                do {
                    flow = try guarded(frame)
                } catch {
                    let ending = try Interrupt.critical { try compiledCleanup(frame) }
                    if ending != .normal { return ending }
                    throw error
                }
                let ending = try Interrupt.critical { try compiledCleanup(frame) }
                return ending == .normal ? flow : ending
            }
        case let .assert(condition, message):
            let test = try expression(condition)
            let text = try message.map(expression)
            return { frame in
                if try !test(frame).isTruthy {
                    throw ScryError(.assertionError, try text?(frame).printed ?? "assertion failed")
                }
                return .normal
            }
        }
    }

    private func forLoop(_ names: [String], _ sequence: Expr, _ body: [Stmt], _ location: SourceLocation) throws -> StmtCode {
        let source = try expression(sequence)
        let stores = names.map { self.store(scope.resolve($0), name: $0) }
        loopDepth += 1
        let compiled = try block(body)
        loopDepth -= 1
        let single = stores.count == 1 ? stores[0] : nil
        let pair = stores.count == 2 ? (stores[0], stores[1]) : nil
        // Returns false when the loop should stop.
        func step(_ frame: Frame, _ element: Value) throws -> Flow {
            try Interrupt.check()
            if let single {
                try single(frame, element)
            } else if let pair {
                let (first, second) = try Compiler.unpackPair(element)
                try pair.0(frame, first)
                try pair.1(frame, second)
            }
            return try compiled(frame)
        }
        return { frame in
            let iterable = try source(frame)
            if case .range(let r) = iterable, single != nil {
                var i = r.start
                let n = r.count
                for _ in 0..<n {
                    switch try step(frame, .int(i)) {
                    case .breakLoop: return .normal
                    case .returned: return .returned
                    default: break
                    }
                    i &+= r.step
                }
                return .normal
            }
            let iterator = try Iteration.iterator(iterable, pairs: pair != nil)
            while let element = try iterator.next() {
                switch try step(frame, element) {
                case .breakLoop: return .normal
                case .returned: return .returned
                default: continue
                }
            }
            return .normal
        }
    }

    static func unpackPair(_ value: Value) throws -> (Value, Value) {
        if case .list(let l) = value, l.items.count == 2 { return (l.items[0], l.items[1]) }
        throw ScryError(.typeError, "cannot unpack \(value.typeName) \(value.display) into two loop variables")
    }

    // MARK: Variables

    /// Code that stores a value into the variable `ref`.
    func store(_ ref: VariableRef, name: String) -> (Frame, Value) throws -> Void {
        switch ref {
        case .slot(let i): return { frame, value in frame.slots[i] = value }
        case .cell(let i): return { frame, value in frame.cells[i].value = value }
        case .free(let i): return { frame, value in frame.free[i].value = value }
        case .global(let i):
            let globals = interpreter.globals
            return { _, value in globals.values[i] = value }
        }
    }

    /// Code that reads the variable `ref`, with a NameError when it holds nothing yet.
    func load(_ ref: VariableRef, name: String) -> ExprCode {
        func unbound() -> ScryError {
            ScryError(.nameError, "local variable '\(name)' is used before it is assigned")
        }
        switch ref {
        case .slot(let i): return { frame in guard let v = frame.slots[i] else { throw unbound() }; return v }
        case .cell(let i): return { frame in guard let v = frame.cells[i].value else { throw unbound() }; return v }
        case .free(let i): return { frame in guard let v = frame.free[i].value else { throw unbound() }; return v }
        case .global(let i):
            let globals = interpreter.globals, interpreter = self.interpreter
            return { [unowned interpreter] _ in
                if let v = globals.values[i] { return v }
                return try interpreter.missingGlobal(i)
            }
        }
    }

    private func assignment(_ target: Expr, _ op: String?, _ value: Expr) throws -> StmtCode {
        let compute = try expression(value)
        switch target.kind {
        case .name(let name):
            let ref = scope.resolve(name)
            let store = self.store(ref, name: name)
            guard let op else { return { frame in try store(frame, try compute(frame)); return .normal } }
            let load = self.load(ref, name: name)
            if case .slot(let i) = ref, op == "+" {
                return { frame in
                    let rhs = try compute(frame)
                    guard let current = frame.slots[i] else { throw ScryError(.nameError, "local variable '\(name)' is used before it is assigned") }
                    if case .int(let a) = current, case .int(let b) = rhs {
                        let (sum, overflow) = a.addingReportingOverflow(b)
                        if !overflow { frame.slots[i] = .int(sum); return .normal }
                    }
                    frame.slots[i] = try Operators.binary("+", current, rhs)
                    return .normal
                }
            }
            return { frame in try store(frame, try Operators.binary(op, try load(frame), try compute(frame))); return .normal }
        case let .index(container, subscripts):
            let object = try expression(container)
            let subs = try self.subscripts(subscripts)
            return { frame in
                let base = try object(frame)
                let keys = try subs(frame)
                var newValue = try compute(frame)
                if let op { newValue = try Operators.binary(op, try Indexing.get(base, keys), newValue) }
                try Indexing.set(base, keys, newValue)
                return .normal
            }
        case let .attribute(container, name):
            let object = try expression(container)
            let interpreter = self.interpreter
            return { [unowned interpreter] frame in
                let base = try object(frame)
                var newValue = try compute(frame)
                if let op { newValue = try Operators.binary(op, try Attributes.get(base, name, interpreter), newValue) }
                try Attributes.set(base, name, newValue)
                return .normal
            }
        default:
            throw syntaxError("cannot assign to this expression", target.location)
        }
    }
}
