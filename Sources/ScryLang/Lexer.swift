/// Turns source text into tokens. Newlines end statements except inside `(…)` and `[…]`;
/// inside `{…}` (blocks, and dict literals, whose parser skips them) they count again.
struct Lexer {
    private let text: [Unicode.Scalar]
    private let sourceName: String
    private var position = 0
    private var line = 1
    private var lineStart = 0
    /// Open brackets, innermost last.
    private var brackets: [(scalar: Unicode.Scalar, location: SourceLocation)] = []
    private let base: SourceLocation

    /// `base` shifts locations, for code embedded in a string interpolation.
    init(_ source: String, name: String, base: SourceLocation = SourceLocation(line: 1, column: 1)) {
        text = Array(source.unicodeScalars)
        sourceName = name
        self.base = base
    }

    static let symbols: [String] = [
        "..<", "...", "**=", "//=",
        "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=", "@=", "**", "//", "=>", "..",
        "+", "-", "*", "/", "%", "@", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", ";",
    ]

    mutating func tokenize() throws -> [Token] {
        var tokens: [Token] = []
        while true {
            let token = try next()
            // Collapse runs of newlines; a newline right after an opening brace says nothing.
            if token.kind == .newline, tokens.last?.kind == .newline || tokens.isEmpty { continue }
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private var here: SourceLocation {
        let column = position - lineStart + 1
        return line == 1 ? SourceLocation(line: base.line, column: base.column + column - 1)
                         : SourceLocation(line: base.line + line - 1, column: column)
    }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        position + ahead < text.count ? text[position + ahead] : nil
    }

    func error(_ message: String, at location: SourceLocation) -> ScryError {
        var error = ScryError(.syntaxError, message)
        error.source = sourceName
        error.location = location
        return error
    }

    private mutating func next() throws -> Token {
        skipSpaceAndComments()
        let start = here, offset = position
        guard let c = peek() else {
            if let open = brackets.last {
                var failure = error("expected '\(Lexer.closing(open.scalar))' to close '\(open.scalar)' opened at \(open.location)", at: start)
                failure.isAtEndOfInput = true
                throw failure
            }
            return Token(kind: .end, location: start, offset: offset)
        }
        if c == "\n" {
            position += 1
            line += 1
            lineStart = position
            return Token(kind: .newline, location: start, offset: offset)
        }
        if c.properties.isAlphabetic || c == "_" {
            var name = ""
            while let d = peek(), d.properties.isAlphabetic || d == "_" || ("0"..."9").contains(d) {
                name.unicodeScalars.append(d); position += 1
            }
            if let keyword = Keyword(rawValue: name) { return Token(kind: .keyword(keyword), location: start, offset: offset) }
            return Token(kind: .identifier(name), location: start, offset: offset)
        }
        if ("0"..."9").contains(c) { return try number(start, offset) }
        if c == "\"" { return Token(kind: .string(try string(start)), location: start, offset: offset) }
        for symbol in Lexer.symbols where matches(symbol) {
            position += symbol.unicodeScalars.count
            switch symbol {
            case "(", "[", "{": brackets.append((symbol.unicodeScalars.first!, start))
            case ")", "]", "}":
                guard let open = brackets.popLast() else {
                    throw error("unmatched '\(symbol)'", at: start)
                }
                if Lexer.closing(open.scalar) != symbol {
                    throw error("expected '\(Lexer.closing(open.scalar))' to close '\(open.scalar)' opened at \(open.location), found '\(symbol)'", at: start)
                }
            default: break
            }
            return Token(kind: .symbol(symbol), location: start, offset: offset)
        }
        throw error("unexpected character '\(c)'", at: start)
    }

    static func closing(_ open: Unicode.Scalar) -> String {
        switch open {
        case "(": return ")"
        case "[": return "]"
        default: return "}"
        }
    }

    private func matches(_ symbol: String) -> Bool {
        var i = 0
        for s in symbol.unicodeScalars {
            if peek(i) != s { return false }
            i += 1
        }
        return true
    }

    private mutating func skipSpaceAndComments() {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\r" {
                position += 1
            } else if c == "#" {
                while let d = peek(), d != "\n" { position += 1 }
            } else if c == "\\" && peek(1) == "\n" {
                position += 2; line += 1; lineStart = position
            } else if c == "\n", let open = brackets.last, open.scalar != "{" {
                position += 1; line += 1; lineStart = position
            } else {
                return
            }
        }
    }

    private mutating func number(_ start: SourceLocation, _ offset: Int) throws -> Token {
        var digits = ""
        func take() { digits.unicodeScalars.append(peek()!); position += 1 }
        while let d = peek(), ("0"..."9").contains(d) || d == "_" { if d != "_" { take() } else { position += 1 } }
        var isFloat = false
        // A '.' belongs to the number only when a digit follows: `1...3` is a range.
        if peek() == ".", let d = peek(1), ("0"..."9").contains(d) {
            isFloat = true
            take()
            while let d = peek(), ("0"..."9").contains(d) || d == "_" { if d != "_" { take() } else { position += 1 } }
        }
        if let e = peek(), e == "e" || e == "E" {
            let sign = peek(1) == "+" || peek(1) == "-" ? 1 : 0
            if let d = peek(1 + sign), ("0"..."9").contains(d) {
                isFloat = true
                take()
                if sign == 1 { take() }
                while let d = peek(), ("0"..."9").contains(d) { take() }
            }
        }
        if let d = peek(), d.properties.isAlphabetic || d == "_" {
            throw error("invalid number literal: '\(digits)\(d)'", at: start)
        }
        if isFloat {
            return Token(kind: .float(Double(digits) ?? .infinity), location: start, offset: offset)
        }
        guard let value = Int(digits) else {
            throw error("integer literal \(digits) is too large (the largest is \(Int.max))", at: start)
        }
        return Token(kind: .int(value), location: start, offset: offset)
    }

    private mutating func string(_ start: SourceLocation) throws -> [StringPiece] {
        position += 1  // opening quote
        var pieces: [StringPiece] = []
        var textPiece = ""
        while true {
            guard let c = peek(), c != "\n" else {
                var failure = error("unterminated string: expected '\"' before end of \(peek() == nil ? "input" : "line")", at: start)
                failure.isAtEndOfInput = peek() == nil
                throw failure
            }
            position += 1
            switch c {
            case "\"":
                if !textPiece.isEmpty || pieces.isEmpty { pieces.append(.text(textPiece)) }
                return pieces
            case "\\":
                guard let escaped = peek() else { continue }
                position += 1
                switch escaped {
                case "n": textPiece += "\n"
                case "t": textPiece += "\t"
                case "r": textPiece += "\r"
                case "0": textPiece += "\0"
                case "\"", "\\", "{", "}": textPiece.unicodeScalars.append(escaped)
                default: throw error("unknown escape '\\\(escaped)' in string", at: SourceLocation(line: here.line, column: here.column - 2))
                }
            case "{":
                if peek() == "{" { position += 1; textPiece += "{"; continue }
                if !textPiece.isEmpty { pieces.append(.text(textPiece)); textPiece = "" }
                pieces.append(try interpolation())
            case "}":
                if peek() == "}" { position += 1; textPiece += "}"; continue }
                throw error("single '}' in string: write '}}' for a literal brace", at: SourceLocation(line: here.line, column: here.column - 1))
            default:
                textPiece.unicodeScalars.append(c)
            }
        }
    }

    /// `{expr}` or `{expr:spec}`; the ':' of a spec is the first one outside brackets and strings.
    private mutating func interpolation() throws -> StringPiece {
        let location = here
        var source = "", spec: String?
        var depth = 0
        var inString = false
        while true {
            guard let c = peek(), c != "\n" else {
                var failure = error("expected '}' to close '{' in string", at: location)
                failure.isAtEndOfInput = peek() == nil
                throw failure
            }
            position += 1
            if spec != nil {
                if c == "}" { break }
                spec!.unicodeScalars.append(c)
                continue
            }
            if inString {
                if c == "\\", let d = peek() { source.unicodeScalars.append(c); source.unicodeScalars.append(d); position += 1; continue }
                if c == "\"" { inString = false }
            } else if c == "\"" {
                inString = true
            } else if c == "(" || c == "[" || c == "{" {
                depth += 1
            } else if c == ")" || c == "]" || (c == "}" && depth > 0) {
                depth -= 1
            } else if c == "}" {
                break
            } else if c == ":" && depth == 0 {
                spec = ""
                continue
            }
            source.unicodeScalars.append(c)
        }
        if source.allSatisfy({ $0 == " " }) {
            throw error("empty expression in '{}' inside a string (write '{{}}' for literal braces)", at: location)
        }
        return .interpolation(source: source, spec: spec, location: location)
    }
}
