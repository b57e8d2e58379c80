import Foundation

/// A Scry session: its globals (builtins, host bindings, the lazily loaded prelude, the
/// user's top-level names), where `print` writes, and how host errors become Scry errors.
public final class Interpreter {
    /// Builtins, host bindings, prelude definitions and the user's top-level names.
    public let globals = Globals()
    /// Where `print` and `help` write.
    public var write: (String) -> Void = { text in FileHandle.standardOutput.write(Data(text.utf8)) }
    /// A live status line (a progress bar redrawn in place) when output goes to a terminal that
    /// a person watches; nil otherwise (pipes, notebooks), where progress is reported in lines.
    /// Never recorded: only `write` is.
    public var status: ((String) -> Void)?
    /// Turns a host (Swift) error into a Scry error; the runtime layer maps its own types.
    public var hostErrorConverter: (Error) -> ScryError = { error in ScryError(.valueError, "\(error)") }
    /// Calls deeper than this raise an error instead of overflowing the stack.
    public var maxCallDepth = 1000
    var callDepth = 0
    private var preludeIndex: [String: URL] = [:]
    private var loadedFiles: Set<String> = []
    /// Host functions by name, for `help` and completion.
    public private(set) var natives: [String: any Callable] = [:]

    /// A session with the builtins, and the prelude: every `.scry` file under
    /// `preludeDirectory`, loaded on first use of a name it defines.
    public init(preludeDirectory: URL? = nil) {
        Builtins.install(into: self)
        if let preludeDirectory { indexPrelude(preludeDirectory) }
    }

    /// Makes a host function a global (user code may shadow it).
    public func register(_ function: any Callable) {
        natives[function.name] = function
        globals[function.name] = .function(function)
    }

    /// Parses and runs `source` at the top level; returns the value of its last statement when
    /// that is an expression (what the shell displays), else nil.
    @discardableResult
    public func execute(_ source: String, name: String) throws -> Value? {
        let statements = try Parser.parse(source, name: name)
        let scope = Scope(module: globals, name: "<module>")
        let compiler = Compiler(interpreter: self, sourceName: name, scope: scope)
        var body = statements
        var last: (code: ExprCode, line: Int)?
        let code: StmtCode
        do {
            if let final = statements.last, case .expression(let expr) = final.kind {
                body.removeLast()
                last = (try compiler.expression(expr), final.location.line)
            }
            code = try compiler.block(body)
        } catch var error as ScryError {
            // Errors found while compiling ('break' outside a loop…) show their line too.
            if error.sourceLine == nil {
                error.sourceLine = Parser.line(error.location, in: Parser.lines(of: source), base: SourceLocation(line: 1, column: 1))
            }
            throw error
        }
        let frame = Frame(slotCount: 0, cellCount: 0, free: [])
        callDepth = 0
        do {
            _ = try code(frame)
            guard let last else { return nil }
            frame.line = last.line
            return try last.code(frame)
        } catch {
            throw traced(error, TraceEntry(function: "<module>", source: name, line: frame.line))
        }
    }

    /// The syntax error in `source`, if any, without running it (the shell asks this to tell
    /// an incomplete cell, whose error is at the end of input, from a wrong one).
    public static func syntaxError(in source: String, name: String = "<input>") -> ScryError? {
        do {
            _ = try Parser.parse(source, name: name)
            return nil
        } catch let error as ScryError {
            return error
        } catch {
            return ScryError(.syntaxError, "\(error)")
        }
    }

    /// Calls any callable value with arguments.
    public func call(_ callee: Value, _ arguments: Arguments) throws -> Value {
        switch callee {
        case .function(let function):
            try Interrupt.check()
            if function.scryFunction != nil { return try function.call(arguments, self) }
            callDepth += 1
            defer { callDepth -= 1 }
            return try function.call(arguments, self)
        case .host(let object):
            if let result = try object.call(arguments, self) { return result }
        default: break
        }
        throw ScryError(.typeError, "a \(callee.typeName) is not callable")
    }

    /// Runs a Scry function's body in `frame`.
    func run(_ function: ScryFunction, _ frame: Frame) throws -> Value {
        callDepth += 1
        defer { callDepth -= 1 }
        if callDepth > maxCallDepth {
            throw ScryError(.valueError, "maximum call depth (\(maxCallDepth)) exceeded in \(function.name)() (runaway recursion?)")
        }
        try Interrupt.check()
        do {
            var result = Value.nil
            if case .returned = try function.code.body(frame) { result = frame.returnValue }
            function.recycle(frame)
            return result
        } catch {
            throw traced(error, TraceEntry(function: function.name, source: function.code.sourceName, line: frame.line))
        }
    }

    /// The error as a Scry error (host errors converted, messages kept) with one more
    /// traceback line: each frame adds its own as the error passes through it.
    func traced(_ error: Error, _ entry: TraceEntry) -> ScryError {
        var scryError = (error as? ScryError) ?? hostErrorConverter(error)
        if scryError.name != .syntaxError { scryError.trace.append(entry) }
        return scryError
    }

    /// A global by name, loading the prelude file that defines it when it is not yet loaded.
    public func global(_ name: String) throws -> Value {
        if let value = globals[name] { return value }
        return try missingGlobal(globals.index(of: name))
    }

    /// A global read before any assignment: the prelude may define it; otherwise NameError.
    func missingGlobal(_ index: Int) throws -> Value {
        let name = globals.name(at: index)
        if let file = preludeIndex[name], !loadedFiles.contains(file.standardizedFileURL.path) {
            // The user's own definitions of other names in that file win over the prelude's.
            let shadowed = preludeIndex.filter { $0.value == file }.keys.compactMap { key in globals[key].map { (key, $0) } }
            try load(file)
            for (key, value) in shadowed { globals[key] = value }
            if let value = globals.values[index] { return value }
        }
        throw ScryError(.nameError, "name '\(name)' is not defined" + Attributes.suggestion(name, globals.definedNames + Array(preludeIndex.keys)))
    }

    /// Runs a file once per session, at the top level.
    func load(_ file: URL) throws {
        let path = file.standardizedFileURL.path
        guard !loadedFiles.contains(path) else { return }
        loadedFiles.insert(path)
        let source: String
        do { source = try String(contentsOf: file, encoding: .utf8) } catch {
            loadedFiles.remove(path)
            throw ScryError(.ioError, "cannot read \(path): \(error.localizedDescription)")
        }
        let savedDepth = callDepth
        defer { callDepth = savedDepth }
        do {
            try execute(source, name: path)
        } catch let error as ScryError {
            loadedFiles.remove(path)
            throw error
        }
    }

    /// `import "path"`, relative to the importing file's folder (or the working directory).
    func importFile(_ path: String, from importer: String) throws {
        let base = importer.hasSuffix(".scry") ? URL(fileURLWithPath: importer).deletingLastPathComponent()
                                                : URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ScryError(.ioError, "import: no file \(url.standardizedFileURL.path)")
        }
        try load(url)
    }

    /// Finds the names each prelude file defines (top-level `fn name` and `name =` lines)
    /// without parsing it, so that start-up stays fast.
    private func indexPrelude(_ directory: URL) {
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return }
        // In path order, so that which file defines a name never depends on the file system.
        let files = enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "scry" }.sorted { $0.path < $1.path }
        for file in files {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                var name: Substring?
                if line.hasPrefix("fn ") {
                    name = line.dropFirst(3).prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                } else if let first = line.first, first.isLetter || first == "_" {
                    let candidate = line.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                    if line.dropFirst(candidate.count).drop(while: { $0 == " " }).hasPrefix("="),
                       !line.dropFirst(candidate.count).drop(while: { $0 == " " }).hasPrefix("==") {
                        name = candidate
                    }
                }
                if let name, !name.isEmpty, preludeIndex[String(name)] == nil {
                    preludeIndex[String(name)] = file
                    _ = globals.index(of: String(name))
                }
            }
        }
    }

    /// Names a user can complete: globals that hold a value and prelude names.
    public var completionNames: [String] {
        Array(Set(globals.definedNames).union(preludeIndex.keys)).sorted()
    }

    /// The text `help(value)` prints.
    public func helpText(for value: Value) -> String {
        switch value {
        case .nil:
            return "Scry help: help(name) shows a function's parameters and documentation.\nFunctions: "
                + natives.keys.sorted().joined(separator: ", ")
        case .function(let f) where f.scryFunction != nil:
            let f = f.scryFunction!
            return [f.signature, f.doc].compactMap { $0 }.joined(separator: "\n")
        case .function(let f):
            return [f.signature, f.doc, f.help].compactMap { $0 }.joined(separator: "\n")
        case .string(let name):
            if let global = globals[name] { return helpText(for: global) }
            if let file = preludeIndex[name], (try? load(file)) != nil, let global = globals[name] { return helpText(for: global) }
            return "no help for \(Value.quote(name)): no such name"
        case .host(let object):
            let names = object.attributeNames
            return "\(object.typeName)" + (names.isEmpty ? "" : "\nattributes and methods: " + names.joined(separator: ", "))
        default:
            let methods = Methods.names(of: value)
            return value.typeName + (methods.isEmpty ? "" : "\nmethods: " + methods.joined(separator: ", "))
        }
    }
}
