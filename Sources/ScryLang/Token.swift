/// A position in source text: 1-based line and column.
public struct SourceLocation: Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) { self.line = line; self.column = column }
    public var description: String { "line \(line), col \(column)" }
}

/// One lexical token.
struct Token: Equatable {
    enum Kind: Equatable {
        case identifier(String)
        case int(Int)
        case float(Double)
        /// A string literal's pieces: text, and `{expr:spec}` interpolations.
        case string([StringPiece])
        case keyword(Keyword)
        case symbol(String)
        case newline
        case end
    }
    let kind: Kind
    let location: SourceLocation
    /// Offset of the token's first character in the source, for error carets.
    let offset: Int
}

/// A piece of a string literal.
enum StringPiece: Equatable {
    case text(String)
    /// `{source}` or `{source:spec}`; `location` is where `source` starts.
    case interpolation(source: String, spec: String?, location: SourceLocation)
}

enum Keyword: String, CaseIterable {
    case fn, `return`, `if`, `else`, `while`, `for`, `in`, `break`, `continue`
    case `true`, `false`, `nil`, and, or, not, `try`, `catch`, finally, `import`, assert
}

extension Token.Kind: CustomStringConvertible {
    /// How a token is named in "expected … but found …" messages.
    var description: String {
        switch self {
        case .identifier(let name): return "name '\(name)'"
        case .int(let value): return "number \(value)"
        case .float(let value): return "number \(value)"
        case .string: return "string"
        case .keyword(let keyword): return "'\(keyword.rawValue)'"
        case .symbol(let symbol): return "'\(symbol)'"
        case .newline: return "end of line"
        case .end: return "end of input"
        }
    }
}
