import Foundation

/// A recursive-descent parser whose methods follow the grammar, loosest rule first
/// (statement → expression → or → and → not → comparison → range → additive →
/// multiplicative → unary → power → postfix → primary). It stops at the first error, so one
/// mistake never cascades into many.
struct Parser {
    private var tokens: [Token]
    private var current = 0
    private let sourceName: String
    private let sourceLines: [Substring]
    private var depth = 0
    private static let maxDepth = 200

    /// Parses a whole program or cell.
    static func parse(_ source: String, name: String) throws -> [Stmt] {
        var parser = try Parser(source, name: name)
        return try parser.program()
    }

    init(_ source: String, name: String, base: SourceLocation = SourceLocation(line: 1, column: 1)) throws {
        sourceName = name
        sourceLines = Parser.lines(of: source)
        var lexer = Lexer(source, name: name, base: base)
        do {
            tokens = try lexer.tokenize()
        } catch var error as ScryError {
            error.sourceLine = Parser.line(error.location, in: sourceLines, base: base)
            throw error
        }
        self.base = base
    }
    private let base: SourceLocation

    /// The source's lines, split on the newline scalar ("\r\n" is one Character, and files
    /// may use it) without their carriage returns.
    static func lines(of source: String) -> [Substring] {
        source.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
            .map { Substring(String(String.UnicodeScalarView($0)).trimmingCharacters(in: CharacterSet(charactersIn: "\r"))) }
    }

    static func line(_ location: SourceLocation?, in lines: [Substring], base: SourceLocation) -> String? {
        guard let location else { return nil }
        let index = location.line - base.line
        return index >= 0 && index < lines.count ? String(lines[index]) : nil
    }

    // MARK: Token helpers

    private var peek: Token { tokens[current] }
    private var previous: Token { tokens[max(current - 1, 0)] }

    private func check(_ symbol: String) -> Bool {
        if case .symbol(symbol) = peek.kind { return true }
        return false
    }
    private func check(_ keyword: Keyword) -> Bool {
        if case .keyword(keyword) = peek.kind { return true }
        return false
    }
    private mutating func match(_ symbol: String) -> Bool {
        if check(symbol) { current += 1; return true }
        return false
    }
    private mutating func match(_ keyword: Keyword) -> Bool {
        if check(keyword) { current += 1; return true }
        return false
    }
    private mutating func advance() -> Token {
        let token = tokens[current]
        if token.kind != .end { current += 1 }
        return token
    }
    private mutating func skipNewlines() {
        while peek.kind == .newline { current += 1 }
    }

    private func error(_ message: String, at token: Token? = nil) -> ScryError {
        let token = token ?? peek
        var error = ScryError(.syntaxError, message)
        error.source = sourceName
        error.location = token.location
        error.sourceLine = Parser.line(token.location, in: sourceLines, base: base)
        error.isAtEndOfInput = token.kind == .end
        return error
    }

    private mutating func expect(_ symbol: String, _ context: String) throws -> Token {
        guard check(symbol) else { throw error("expected '\(symbol)' \(context), found \(peek.kind)") }
        return advance()
    }

    private mutating func identifier(_ context: String) throws -> String {
        guard case .identifier(let name) = peek.kind else { throw error("expected a name \(context), found \(peek.kind)") }
        current += 1
        return name
    }

    /// Each link of an operator or postfix chain nests the tree one level deeper, as brackets
    /// do: compiling and freeing the tree recurse once per link.
    private mutating func deeper() throws {
        depth += 1
        if depth > Parser.maxDepth { throw error("expression nested too deeply (more than \(Parser.maxDepth) levels)") }
    }

    private mutating func nested<T>(_ body: (inout Parser) throws -> T) throws -> T {
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maxDepth { throw error("expression nested too deeply (more than \(Parser.maxDepth) levels)") }
        return try body(&self)
    }

    // MARK: Statements

    mutating func program() throws -> [Stmt] {
        var statements: [Stmt] = []
        skipSeparators()
        while peek.kind != .end {
            statements.append(try statement())
            try endOfStatement()
        }
        return statements
    }

    private mutating func skipSeparators() {
        while peek.kind == .newline || check(";") { current += 1 }
    }

    private mutating func endOfStatement() throws {
        if peek.kind == .newline || check(";") { skipSeparators(); return }
        if peek.kind == .end || check("}") { return }
        throw error("expected end of statement (a new line or ';'), found \(peek.kind)")
    }

    private mutating func block(_ context: String) throws -> [Stmt] {
        let open = try expect("{", "to open the body of \(context)")
        var statements: [Stmt] = []
        skipSeparators()
        while !check("}") {
            if peek.kind == .end {
                throw error("expected '}' to close '{' opened at \(open.location)")
            }
            statements.append(try statement())
            try endOfStatement()
        }
        current += 1
        return statements
    }

    private mutating func statement() throws -> Stmt {
        try nested { p in try p.statementBody() }
    }

    private mutating func statementBody() throws -> Stmt {
        let location = peek.location
        switch peek.kind {
        case .keyword(.fn):
            if case .identifier = tokens[current + 1].kind {
                current += 1
                return Stmt(kind: .function(try function(named: true, location: location)), location: location)
            }
        case .keyword(.if):
            current += 1
            return try ifStatement(location)
        case .keyword(.while):
            current += 1
            let condition = try expression()
            return Stmt(kind: .whileLoop(condition, try block("'while'")), location: location)
        case .keyword(.for):
            current += 1
            var names = [try identifier("after 'for'")]
            if match(",") { names.append(try identifier("after ','")) }
            guard match(.in) else { throw error("expected 'in' after the loop variable, found \(peek.kind)") }
            let sequence = try expression()
            return Stmt(kind: .forLoop(names, sequence, try block("'for'")), location: location)
        case .keyword(.break):
            current += 1
            return Stmt(kind: .breakLoop, location: location)
        case .keyword(.continue):
            current += 1
            return Stmt(kind: .continueLoop, location: location)
        case .keyword(.return):
            current += 1
            if peek.kind == .newline || peek.kind == .end || check(";") || check("}") {
                return Stmt(kind: .returnValue(nil), location: location)
            }
            return Stmt(kind: .returnValue(try expression()), location: location)
        case .keyword(.import):
            current += 1
            guard case .string(let pieces) = peek.kind, pieces.count == 1, case .text(let path) = pieces[0] else {
                throw error("expected a file name in quotes after 'import', found \(peek.kind)")
            }
            current += 1
            return Stmt(kind: .importFile(path), location: location)
        case .keyword(.try):
            current += 1
            let body = try block("'try'")
            var name: String?, handler: [Stmt]?, cleanup: [Stmt]?
            if match(.catch) {
                if case .identifier(let n) = peek.kind { name = n; current += 1 }
                handler = try block("'catch'")
            }
            if match(.finally) { cleanup = try block("'finally'") }
            guard handler != nil || cleanup != nil else {
                throw error("expected 'catch' or 'finally' after the 'try' block, found \(peek.kind)")
            }
            return Stmt(kind: .tryCatch(body, errorName: name, handler, finally: cleanup), location: location)
        case .keyword(.assert):
            current += 1
            let condition = try expression()
            let message = match(",") ? try expression() : nil
            return Stmt(kind: .assert(condition, message), location: location)
        default:
            break
        }
        let target = try expression()
        if case .symbol(let symbol) = peek.kind, ["=", "+=", "-=", "*=", "/=", "//=", "%=", "**=", "@="].contains(symbol) {
            let opToken = advance()
            switch target.kind {
            case .name, .index, .attribute: break
            default: throw error("cannot assign to this expression (only to a name, an element x[i] or an attribute x.a)", at: opToken)
            }
            let value = try expression()
            return Stmt(kind: .assign(target, op: symbol == "=" ? nil : String(symbol.dropLast()), value), location: location)
        }
        return Stmt(kind: .expression(target), location: location)
    }

    private mutating func ifStatement(_ location: SourceLocation) throws -> Stmt {
        var branches = [(try expression(), try block("'if'"))]
        var otherwise: [Stmt]?
        while check(.else) {
            current += 1
            if match(.if) {
                branches.append((try expression(), try block("'else if'")))
            } else {
                otherwise = try block("'else'")
                break
            }
        }
        return Stmt(kind: .ifChain(branches, otherwise: otherwise), location: location)
    }

    /// After `fn`: `name(params) { body }`, or for lambdas `(params) => expr` / `(params) { body }`.
    private mutating func function(named: Bool, location: SourceLocation) throws -> FunctionDecl {
        let name = named ? try identifier("after 'fn'") : "<lambda>"
        let open = try expect("(", "to start the parameter list")
        var parameters: [(name: String, defaultValue: Expr?)] = []
        var sawDefault = false
        while !check(")") {
            let nameToken = peek
            let parameter = try identifier("for a parameter")
            if parameters.contains(where: { $0.name == parameter }) {
                throw error("duplicate parameter '\(parameter)'", at: nameToken)
            }
            var defaultValue: Expr?
            if match(":") || match("=") {
                defaultValue = try expression()
                sawDefault = true
            } else if sawDefault {
                throw error("parameter '\(parameter)' without a default follows one with a default", at: nameToken)
            }
            parameters.append((parameter, defaultValue))
            if !match(",") { break }
        }
        guard match(")") else { throw error("expected ')' to close '(' opened at \(open.location), found \(peek.kind)") }
        var body: [Stmt]
        if !named && match("=>") {
            let value = try expression()
            body = [Stmt(kind: .returnValue(value), location: value.location)]
        } else {
            body = try block(named ? "function '\(name)'" : "the function")
        }
        var doc: String?
        if case .expression(let first)? = body.first?.kind, case .string(let text) = first.kind {
            doc = text
            body.removeFirst()
        }
        return FunctionDecl(name: name, parameters: parameters, body: body, doc: doc, location: location)
    }

    // MARK: Expressions

    mutating func expression() throws -> Expr {
        try nested { p in try p.or() }
    }

    private mutating func or() throws -> Expr {
        var left = try and()
        let depthBefore = depth
        defer { depth = depthBefore }
        while check(.or) {
            try deeper()
            let location = advance().location
            left = Expr(kind: .or(left, try and()), location: location)
        }
        return left
    }

    private mutating func and() throws -> Expr {
        var left = try not()
        let depthBefore = depth
        defer { depth = depthBefore }
        while check(.and) {
            try deeper()
            let location = advance().location
            left = Expr(kind: .and(left, try not()), location: location)
        }
        return left
    }

    private mutating func not() throws -> Expr {
        if check(.not) {
            let location = advance().location
            return Expr(kind: .not(try nested { p in try p.not() }), location: location)
        }
        return try comparison()
    }

    private mutating func comparison() throws -> Expr {
        let left = try range()
        let location = peek.location
        var op: String?
        if case .symbol(let s) = peek.kind, ["==", "!=", "<", "<=", ">", ">="].contains(s) { op = s }
        if check(.in) { op = "in" }
        if check(.not), case .keyword(.in) = tokens[current + 1].kind { op = "not in"; current += 1 }
        guard let op else { return left }
        current += 1
        let right = try range()
        if case .symbol(let s) = peek.kind, ["==", "!=", "<", "<=", ">", ">="].contains(s) {
            throw error("comparisons do not chain: write 'a < b and b < c'")
        }
        return Expr(kind: .binary(op, left, right), location: location)
    }

    private mutating func range() throws -> Expr {
        let left = try additive()
        if check("..<") || check("...") {
            let token = advance()
            let right = try additive()
            return Expr(kind: .range(left, right, closed: token.kind == .symbol("...")), location: token.location)
        }
        return left
    }

    private mutating func additive() throws -> Expr {
        var left = try multiplicative()
        let depthBefore = depth
        defer { depth = depthBefore }
        while check("+") || check("-") {
            try deeper()
            let token = advance()
            guard case .symbol(let op) = token.kind else { break }
            left = Expr(kind: .binary(op, left, try multiplicative()), location: token.location)
        }
        return left
    }

    private mutating func multiplicative() throws -> Expr {
        var left = try unary()
        let depthBefore = depth
        defer { depth = depthBefore }
        while check("*") || check("/") || check("//") || check("%") || check("@") {
            try deeper()
            let token = advance()
            guard case .symbol(let op) = token.kind else { break }
            left = Expr(kind: .binary(op, left, try unary()), location: token.location)
        }
        return left
    }

    private mutating func unary() throws -> Expr {
        if check("-") || check("+") {
            let token = advance()
            let operand = try nested { p in try p.unary() }
            if case .symbol("+") = token.kind { return operand }
            return Expr(kind: .unary("-", operand), location: token.location)
        }
        return try power()
    }

    private mutating func power() throws -> Expr {
        let base = try postfix()
        if check("**") {
            let token = advance()
            // Right-associative, and the exponent may carry its own sign: 2 ** -1.
            let exponent = try nested { p in try p.unary() }
            return Expr(kind: .binary("**", base, exponent), location: token.location)
        }
        return base
    }

    private mutating func postfix() throws -> Expr {
        var expr = try primary()
        let depthBefore = depth
        defer { depth = depthBefore }
        while true {
            if check("(") || check("[") || check(".") { try deeper() }
            if check("(") {
                let open = advance()
                expr = Expr(kind: .call(expr, try arguments(open)), location: open.location)
            } else if check("[") {
                let open = advance()
                expr = Expr(kind: .index(expr, try subscripts(open)), location: open.location)
            } else if check(".") {
                let dot = advance()
                expr = Expr(kind: .attribute(expr, try identifier("after '.'")), location: dot.location)
            } else {
                return expr
            }
        }
    }

    private mutating func arguments(_ open: Token) throws -> [Argument] {
        var arguments: [Argument] = []
        while !check(")") {
            var name: String?
            if case .identifier(let n) = peek.kind, case .symbol(":") = tokens[current + 1].kind {
                name = n
                current += 2
                if arguments.contains(where: { $0.name == n }) {
                    throw error("keyword argument '\(n)' given twice", at: previous)
                }
            } else if arguments.contains(where: { $0.name != nil }) {
                throw error("positional argument after a keyword argument")
            }
            arguments.append(Argument(name: name, value: try expression()))
            if !match(",") { break }
        }
        guard match(")") else { throw error("expected ')' to close '(' opened at \(open.location), found \(peek.kind)") }
        return arguments
    }

    private mutating func subscripts(_ open: Token) throws -> [Subscript] {
        var items: [Subscript] = []
        repeat {
            if check("]") { break }
            if check("..."), case .symbol(let s) = tokens[current + 1].kind, s == "," || s == "]" {
                current += 1
                items.append(.ellipsis)
                continue
            }
            var start: Expr?
            if !check(":") { start = try expression() }
            if match(":") {
                var stop: Expr?, step: Expr?
                if !check(":") && !check(",") && !check("]") { stop = try expression() }
                if match(":") && !check(",") && !check("]") { step = try expression() }
                items.append(.slice(start, stop, step))
            } else if let start {
                items.append(.value(start))
            }
        } while match(",")
        guard match("]") else { throw error("expected ']' to close '[' opened at \(open.location), found \(peek.kind)") }
        if items.isEmpty { throw error("expected an index inside '[]'", at: previous) }
        return items
    }

    private mutating func primary() throws -> Expr {
        let token = peek
        let location = token.location
        switch token.kind {
        case .int(let value): current += 1; return Expr(kind: .int(value), location: location)
        case .float(let value): current += 1; return Expr(kind: .float(value), location: location)
        case .keyword(.true): current += 1; return Expr(kind: .bool(true), location: location)
        case .keyword(.false): current += 1; return Expr(kind: .bool(false), location: location)
        case .keyword(.nil): current += 1; return Expr(kind: .nilLiteral, location: location)
        case .identifier(let name): current += 1; return Expr(kind: .name(name), location: location)
        case .string(let pieces):
            current += 1
            return try stringLiteral(pieces, location)
        case .keyword(.fn):
            current += 1
            return Expr(kind: .function(try function(named: false, location: location)), location: location)
        case .symbol("("):
            current += 1
            let inner = try expression()
            guard match(")") else { throw error("expected ')' to close '(' opened at \(location), found \(peek.kind)") }
            return inner
        case .symbol("["):
            current += 1
            var items: [Expr] = []
            skipNewlines()
            while !check("]") {
                items.append(try expression())
                skipNewlines()
                if !match(",") { break }
                skipNewlines()
            }
            guard match("]") else { throw error("expected ']' to close '[' opened at \(location), found \(peek.kind)") }
            return Expr(kind: .list(items), location: location)
        case .symbol("{"):
            current += 1
            var entries: [(Expr, Expr)] = []
            skipNewlines()
            while !check("}") {
                let key = try expression()
                skipNewlines()
                _ = try expect(":", "after a dict key")
                skipNewlines()
                entries.append((key, try expression()))
                skipNewlines()
                if !match(",") { break }
                skipNewlines()
            }
            guard match("}") else { throw error("expected '}' to close '{' opened at \(location), found \(peek.kind)") }
            return Expr(kind: .dict(entries), location: location)
        case .end:
            throw error("expected an expression before end of input")
        default:
            throw error("expected an expression, found \(token.kind)")
        }
    }

    private func stringLiteral(_ pieces: [StringPiece], _ location: SourceLocation) throws -> Expr {
        if pieces.count == 1, case .text(let text) = pieces[0] { return Expr(kind: .string(text), location: location) }
        var parts: [InterpolatedPiece] = []
        for piece in pieces {
            switch piece {
            case .text(let text): parts.append(.text(text))
            case let .interpolation(source, spec, at):
                do {
                    var parser = try Parser(source, name: sourceName, base: at)
                    parser.depth = depth
                    let expr = try parser.expression()
                    if parser.peek.kind != .end {
                        throw parser.error("unexpected \(parser.peek.kind) in '{…}' inside a string")
                    }
                    parts.append(.value(expr, spec: spec))
                } catch var error as ScryError {
                    // Report against the whole line, not the fragment inside the braces,
                    // whose end is the closing brace.
                    error.sourceLine = Parser.line(error.location, in: sourceLines, base: base)
                    error.message = error.message.replacingOccurrences(of: "end of input", with: "'}'")
                    error.isAtEndOfInput = false
                    throw error
                }
            }
        }
        return Expr(kind: .interpolated(parts), location: location)
    }
}
