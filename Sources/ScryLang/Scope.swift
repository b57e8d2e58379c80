/// Where a variable lives at run time: a frame slot, a cell shared with closures (own or
/// captured from an enclosing function), or the session's global table.
enum VariableRef {
    case slot(Int), cell(Int), free(Int), global(Int)
}

/// Names and storage of one function body (or of the module / cell level, where every name is
/// global). Function scopes are Python's with one difference: assigning to a name that an
/// enclosing function defines updates that variable (no `nonlocal` needed).
final class Scope {
    let parent: Scope?
    let isModule: Bool
    let functionName: String
    private(set) var slots: [String: Int] = [:]
    private(set) var cells: [String: Int] = [:]
    private(set) var free: [String: Int] = [:]
    /// For each captured cell, where the creating frame finds it.
    private(set) var freeOrigins: [VariableRef] = []
    let globals: Globals

    init(module globals: Globals, name: String) {
        parent = nil; isModule = true; functionName = name; self.globals = globals
    }

    /// A function scope: `parameters` and the names its body assigns become locals, those
    /// that nested functions mention become cells.
    init(function name: String, parent: Scope, parameters: [String], body: [Stmt]) {
        self.parent = parent; isModule = false; functionName = name; globals = parent.globals
        let captured = SyntaxWalk.namesInNestedFunctions(body)
        var locals = parameters
        for assigned in SyntaxWalk.assignedNames(body) where !locals.contains(assigned) {
            if parent.resolveEnclosing(assigned) == nil { locals.append(assigned) }
        }
        for local in locals {
            if captured.contains(local) { cells[local] = cells.count } else { slots[local] = slots.count }
        }
    }

    var slotCount: Int { slots.count }
    var cellCount: Int { cells.count }

    func resolve(_ name: String) -> VariableRef {
        if isModule { return .global(globals.index(of: name)) }
        if let i = slots[name] { return .slot(i) }
        if let i = cells[name] { return .cell(i) }
        if let i = free[name] { return .free(i) }
        if let outer = parent?.resolveEnclosing(name) {
            free[name] = freeOrigins.count
            freeOrigins.append(outer)
            return .free(freeOrigins.count - 1)
        }
        return .global(globals.index(of: name))
    }

    /// The cell through which a nested function reaches `name`, if a function scope (this one
    /// or an enclosing one) defines it.
    fileprivate func resolveEnclosing(_ name: String) -> VariableRef? {
        if isModule { return nil }
        if let i = cells[name] { return .cell(i) }
        if let i = free[name] { return .free(i) }
        if slots[name] != nil { return nil }
        guard let outer = parent?.resolveEnclosing(name) else { return nil }
        free[name] = freeOrigins.count
        freeOrigins.append(outer)
        return .free(freeOrigins.count - 1)
    }
}

/// Queries over the syntax tree that scope analysis needs.
enum SyntaxWalk {
    /// Names assigned directly in `body` (not inside nested functions).
    static func assignedNames(_ body: [Stmt]) -> [String] {
        var names: [String] = []
        func add(_ name: String) { if !names.contains(name) { names.append(name) } }
        func visit(_ statements: [Stmt]) {
            for statement in statements {
                switch statement.kind {
                case .assign(let target, _, _): if case .name(let n) = target.kind { add(n) }
                case .forLoop(let vars, _, let body): vars.forEach(add); visit(body)
                case .function(let decl): add(decl.name)
                case .ifChain(let branches, let otherwise): branches.forEach { visit($0.1) }; visit(otherwise ?? [])
                case .whileLoop(_, let body): visit(body)
                case .tryCatch(let body, let name, let handler, let cleanup):
                    visit(body); name.map(add); visit(handler ?? []); visit(cleanup ?? [])
                default: break
                }
            }
        }
        visit(body)
        return names
    }

    /// Every name mentioned inside functions nested (at any depth) in `body`.
    static func namesInNestedFunctions(_ body: [Stmt]) -> Set<String> {
        var names = Set<String>()
        func statements(_ list: [Stmt], nested: Bool) { list.forEach { statement($0, nested: nested) } }
        func function(_ decl: FunctionDecl) {
            decl.parameters.forEach { names.insert($0.name); $0.defaultValue.map { expression($0, nested: false) } }
            statements(decl.body, nested: true)
        }
        func statement(_ s: Stmt, nested: Bool) {
            switch s.kind {
            case .expression(let e): expression(e, nested: nested)
            case let .assign(t, _, v): expression(t, nested: nested); expression(v, nested: nested)
            case let .ifChain(branches, otherwise):
                for (c, b) in branches { expression(c, nested: nested); statements(b, nested: nested) }
                statements(otherwise ?? [], nested: nested)
            case let .whileLoop(c, b): expression(c, nested: nested); statements(b, nested: nested)
            case let .forLoop(vars, seq, b):
                if nested { vars.forEach { names.insert($0) } }
                expression(seq, nested: nested); statements(b, nested: nested)
            case .returnValue(let e): e.map { expression($0, nested: nested) }
            case .function(let decl): if nested { names.insert(decl.name) }; function(decl)
            case let .tryCatch(b, n, h, f):
                if nested, let n { names.insert(n) }
                statements(b, nested: nested); statements(h ?? [], nested: nested); statements(f ?? [], nested: nested)
            case let .assert(c, m): expression(c, nested: nested); m.map { expression($0, nested: nested) }
            case .breakLoop, .continueLoop, .importFile: break
            }
        }
        func expression(_ e: Expr, nested: Bool) {
            switch e.kind {
            case .name(let n): if nested { names.insert(n) }
            case .interpolated(let pieces):
                for case .value(let v, _) in pieces { expression(v, nested: nested) }
            case .list(let items): items.forEach { expression($0, nested: nested) }
            case .dict(let entries): entries.forEach { expression($0.0, nested: nested); expression($0.1, nested: nested) }
            case let .unary(_, x), let .not(x), let .attribute(x, _): expression(x, nested: nested)
            case let .binary(_, a, b), let .and(a, b), let .or(a, b), let .range(a, b, _):
                expression(a, nested: nested); expression(b, nested: nested)
            case let .call(f, args): expression(f, nested: nested); args.forEach { expression($0.value, nested: nested) }
            case let .index(x, subs):
                expression(x, nested: nested)
                for sub in subs {
                    switch sub {
                    case .value(let v): expression(v, nested: nested)
                    case let .slice(a, b, c): [a, b, c].compactMap { $0 }.forEach { expression($0, nested: nested) }
                    case .ellipsis: break
                    }
                }
            case .function(let decl): function(decl)
            case .int, .float, .string, .bool, .nilLiteral: break
            }
        }
        statements(body, nested: false)
        return names
    }
}

/// The session's global variables: builtins, prelude definitions and top-level names, each
/// at a fixed index that compiled code keeps.
public final class Globals {
    private(set) var names: [String: Int] = [:]
    var values: ContiguousArray<Value?> = []
    private(set) var nameList: [String] = []

    func index(of name: String) -> Int {
        if let i = names[name] { return i }
        names[name] = values.count
        values.append(nil)
        nameList.append(name)
        return values.count - 1
    }

    /// The value of a global, or nil when it holds none; setting defines it.
    public subscript(name: String) -> Value? {
        get { names[name].flatMap { values[$0] } }
        set { values[index(of: name)] = newValue }
    }

    /// Names that currently hold a value, in definition order.
    public var definedNames: [String] { nameList.filter { self[$0] != nil } }

    func name(at index: Int) -> String { nameList[index] }
}
