import Foundation
import ScryLang
import ScryNotebook
import ScryRuntime

/// The shell without its terminal: takes what the user typed, decides whether it is
/// complete (the parser's rule: an error at the end of input asks for more), runs cells and
/// meta commands, records the session, and writes what the user should see. Tests drive it
/// directly; the terminal front end (LineEditor) only reads lines and shows prompts.
public final class ShellCore {
    public private(set) var session: NotebookSession
    /// Where a `:save` without a path writes, once one was given.
    public private(set) var savePath: String?
    /// Cells run since the last save.
    public private(set) var unsavedCells = 0
    /// Set by `:quit`.
    public private(set) var quitRequested = false
    private let write: (String) -> Void
    private let status: ((String) -> Void)?
    private let color: Bool
    private let recovery: Recovery?
    private var builtinNames: Set<String>
    /// The line editor's history, for `:history`.
    public var history: () -> [String] = { [] }

    /// `color`: ANSI colours for errors; `recovery`: where each cell's session is autosaved;
    /// `status`: where live progress lines go (a terminal), never recorded in the notebook.
    public init(write: @escaping (String) -> Void, status: ((String) -> Void)? = nil, color: Bool = false, recovery: Recovery? = nil,
                seed: Int = 0) {
        self.write = write
        self.status = status
        self.color = color
        self.recovery = recovery
        session = NotebookSession(seed: seed)
        builtinNames = Set(session.interpreter.globals.definedNames)
        attachOutput()
    }

    private func attachOutput() {
        let recorded = session.interpreter.write
        session.interpreter.write = { [write] text in
            recorded(text)
            write(text)
        }
        session.interpreter.status = status
    }

    /// The prompt for the next line: `[n]> `, or `...> ` while a cell is incomplete.
    public func prompt(continuing: Bool) -> String {
        continuing ? "...> " : "[\(session.notebook.cells.filter { if case .code = $0 { return true }; return false }.count + 1)]> "
    }

    /// Whether `text` is a whole cell, or a syntax error at its end asks for more input.
    public static func isComplete(_ text: String) -> Bool {
        if text.trimmingCharacters(in: .whitespaces).hasPrefix(":") || text.hasPrefix("?") { return true }
        guard let error = Interpreter.syntaxError(in: text) else { return true }
        return !error.isAtEndOfInput
    }

    /// Runs a complete input: a meta command or a code cell.
    public func submit(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return }
        if trimmed.hasPrefix("?") {
            meta("help", String(trimmed.dropFirst()).trimmingCharacters(in: .whitespaces))
            return
        }
        if trimmed.hasPrefix(":") {
            let body = trimmed.dropFirst()
            let name = String(body.prefix { !$0.isWhitespace })
            meta(name, body.dropFirst(name.count).trimmingCharacters(in: .whitespaces))
            return
        }
        runCell(text)
    }

    private func runCell(_ text: String) {
        let result = session.runWithValue(text)
        unsavedCells += 1
        for output in result.outputs {
            switch output {
            case .executeResult:
                if let value = result.value { write(ShellDisplay.show(value) + "\n") }
            case .displayData(let data, _):
                write(ShellDisplay.picture(data, cell: session.notebook.cells.count))
            case let .error(name, _, traceback):
                // After an interrupt the terminal has echoed ^C: start on a line of its own.
                let report = (name == ErrorName.interrupted.rawValue ? "\n" : "") + traceback.joined(separator: "\n")
                write((color ? "\u{1B}[31m" + report + "\u{1B}[0m" : report) + "\n")
            default:
                break  // printed text was shown as it was printed
            }
        }
        recovery?.save(session.notebook)
    }

    // MARK: Meta commands

    public static let metaCommands = ["help", "vars", "time", "reset", "save", "load", "md", "history", "quit"]

    private func meta(_ name: String, _ argument: String) {
        switch name {
        case "help":
            if argument.isEmpty {
                write("""
                    Meta commands:
                      :help [name]  documentation (also ?name)     :vars         variables in this session
                      :time code    run code and report its time   :reset        start a fresh session
                      :save [path]  save the session as a notebook :load path    run a notebook's code cells
                      :md text      add a markdown cell            :history      lines typed so far
                      :quit         leave (Ctrl-D too)
                    Ctrl-C interrupts a running cell; Tab completes names, attributes, keywords and paths.

                    """)
            } else {
                write(session.interpreter.helpText(for: .string(argument)) + "\n")
            }
        case "vars":
            write(variablesTable() + "\n")
        case "time":
            let start = DispatchTime.now().uptimeNanoseconds
            runCell(argument)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            write(String(format: "time: %.3f s\n", seconds))
        case "reset":
            session = NotebookSession(seed: 0)
            builtinNames = Set(session.interpreter.globals.definedNames)
            attachOutput()
            unsavedCells = 0
            write("session reset\n")
        case "save":
            save(argument.isEmpty ? nil : argument)
        case "load":
            load(argument)
        case "md":
            session.addMarkdown(argument)
            unsavedCells += 1
            recovery?.save(session.notebook)
        case "history":
            for (i, line) in history().enumerated() { write("\(i + 1)  \(line)\n") }
        case "quit", "q", "exit":
            quitRequested = true
        default:
            write("unknown meta command ':\(name)'" + Attributes.suggestion(name, ShellCore.metaCommands) + "; :help lists them\n")
        }
    }

    /// Saves the session as a notebook (default: the last path, else `session.ipynb`).
    @discardableResult
    public func save(_ path: String?) -> Bool {
        let target = path ?? savePath ?? "session.ipynb"
        do {
            try session.notebook.write(to: target)
            savePath = target
            unsavedCells = 0
            write("saved \(target)\n")
            return true
        } catch {
            write("cannot save: \(error)\n")
            return false
        }
    }

    /// Runs the code cells of a notebook into this session (markdown cells are kept too).
    public func load(_ path: String) {
        guard !path.isEmpty else { write("usage: :load path.ipynb\n"); return }
        do {
            let notebook = try Notebook.read(path)
            for cell in notebook.cells {
                switch cell {
                case let .code(_, source, _, outputs):
                    // A cell interrupted when recorded (a runaway loop) would run away again.
                    if outputs.contains(where: { if case .error("Interrupted", _, _) = $0 { return true }; return false }) {
                        write("skipped a cell that was interrupted when recorded\n")
                        continue
                    }
                    runCell(source)
                case .markdown(_, let source): session.addMarkdown(source)
                }
            }
            write("loaded \(path)\n")
        } catch {
            write("cannot load: \(error)\n")
        }
    }

    /// Name, type, shape and memory of each variable the user defined.
    func variablesTable() -> String {
        let globals = session.interpreter.globals
        let names = globals.definedNames.filter { !builtinNames.contains($0) || globals[$0].map(isUserValue) == true }
        guard !names.isEmpty else { return "no variables yet" }
        var rows = [["name", "type", "shape", "memory"]]
        for name in names {
            guard let value = globals[name] else { continue }
            let (shape, memory) = ShellDisplay.shapeAndMemory(value, session.interpreter)
            rows.append([name, value.typeName, shape, memory])
        }
        return ShellDisplay.table(rows)
    }

    private func isUserValue(_ value: Value) -> Bool {
        if case .function(let f) = value { return f.scryFunction != nil }
        return true
    }

    /// Completions for the line being typed (see Completion): the typed part of the word
    /// they replace, and the candidates.
    public func completions(line: String, cursor: Int) -> (word: String, candidates: [String]) {
        Completion(interpreter: session.interpreter).complete(line: line, cursor: cursor)
    }
}
