/// The fixed set of error names Scry programs see, catch and notebooks record.
public enum ErrorName: String, Sendable, CaseIterable {
    case syntaxError = "SyntaxError"
    case nameError = "NameError"
    case typeError = "TypeError"
    case valueError = "ValueError"
    case indexError = "IndexError"
    case keyError = "KeyError"
    case shapeError = "ShapeError"
    case ioError = "IOError"
    case assertionError = "AssertionError"
    case interrupted = "Interrupted"
}

/// One line of a traceback: a Scry function (or `<module>`), its source and a line.
public struct TraceEntry: Equatable, Sendable {
    public var function: String
    public var source: String
    public var line: Int
}

/// An error raised while parsing or running Scry code: its name, its message, where it
/// happened and the Scry frames it passed through (innermost first).
public struct ScryError: Error, Sendable, CustomStringConvertible {
    public var name: ErrorName
    public var message: String
    /// Source name (file path or `cell 3`) and location of a syntax error, with its line's text.
    public var source: String?
    public var location: SourceLocation?
    public var sourceLine: String?
    /// Frames, innermost first; filled in as the error unwinds.
    public var trace: [TraceEntry] = []
    /// A syntax error found at the end of the input: more input may complete it (the REPL's
    /// rule for asking for another line).
    public var isAtEndOfInput = false

    /// An error of a given name and message, not yet placed in a traceback.
    public init(_ name: ErrorName, _ message: String) {
        self.name = name
        self.message = message
    }

    /// "Name: message", as `e.name` and `e.message` show it.
    public var description: String { "\(name.rawValue): \(message)" }

    /// The full report a user sees: the syntax error's place and caret, or the traceback.
    public var report: String {
        var lines: [String] = []
        if name == .syntaxError, let location {
            lines.append("\(source ?? "<input>"), \(location): \(message)")
            if let sourceLine {
                lines.append("    " + sourceLine)
                lines.append("    " + String(repeating: " ", count: max(0, location.column - 1)) + "^")
            }
            lines.append("SyntaxError: \(message)")
            return lines.joined(separator: "\n")
        }
        if !trace.isEmpty {
            lines.append("Traceback (most recent call last):")
            // Runaway recursion repeats one line; show it three times and count the rest.
            var previous: TraceEntry?
            var repeats = 0
            func flush() {
                if repeats > 3 { lines.append("  [previous line repeated \(repeats - 3) more times]") }
            }
            for entry in trace.reversed() {
                if entry == previous {
                    repeats += 1
                    if repeats > 3 { continue }
                } else {
                    flush()
                    repeats = 1
                }
                previous = entry
                lines.append("  \(entry.source), line \(entry.line), in \(entry.function)")
            }
            flush()
        }
        lines.append(description)
        return lines.joined(separator: "\n")
    }
}
