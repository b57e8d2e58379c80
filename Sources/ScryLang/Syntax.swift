/// The syntax tree the parser builds and the compiler turns into closures.
struct Expr {
    indirect enum Kind {
        case int(Int), float(Double), string(String), bool(Bool), nilLiteral
        /// A string with `{expr:spec}` interpolations.
        case interpolated([InterpolatedPiece])
        case name(String)
        case list([Expr])
        case dict([(Expr, Expr)])
        case unary(String, Expr)
        case binary(String, Expr, Expr)
        case and(Expr, Expr), or(Expr, Expr), not(Expr)
        case range(Expr, Expr, closed: Bool)
        case call(Expr, [Argument])
        case attribute(Expr, String)
        case index(Expr, [Subscript])
        case function(FunctionDecl)
    }
    let kind: Kind
    let location: SourceLocation
}

enum InterpolatedPiece {
    case text(String)
    case value(Expr, spec: String?)
}

struct Argument {
    let name: String?
    let value: Expr
}

enum Subscript {
    case value(Expr)
    case slice(Expr?, Expr?, Expr?)
    case ellipsis
}

/// A function: named (`fn f(…) { … }`) or anonymous (`fn(…) => e`, `fn(…) { … }`).
final class FunctionDecl {
    let name: String
    let parameters: [(name: String, defaultValue: Expr?)]
    let body: [Stmt]
    let doc: String?
    let location: SourceLocation

    init(name: String, parameters: [(name: String, defaultValue: Expr?)], body: [Stmt], doc: String?,
         location: SourceLocation) {
        self.name = name; self.parameters = parameters; self.body = body; self.doc = doc; self.location = location
    }
}

struct Stmt {
    indirect enum Kind {
        case expression(Expr)
        /// `target = value` or `target op= value`; targets are names, indexings, attributes.
        case assign(Expr, op: String?, Expr)
        case ifChain([(Expr, [Stmt])], otherwise: [Stmt]?)
        case whileLoop(Expr, [Stmt])
        case forLoop([String], Expr, [Stmt])
        case breakLoop, continueLoop
        case returnValue(Expr?)
        case function(FunctionDecl)
        case importFile(String)
        /// `try { } catch e { } finally { }`: catch or finally may be left out, not both.
        case tryCatch([Stmt], errorName: String?, [Stmt]?, finally: [Stmt]?)
        case assert(Expr, Expr?)
    }
    let kind: Kind
    let location: SourceLocation
}
