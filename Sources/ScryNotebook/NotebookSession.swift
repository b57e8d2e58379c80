import Foundation
import ScryLang
import ScryRuntime
import ScryTensor

/// A session that records what it runs as notebook cells: printed text as `stream`, the value
/// of a cell's last expression as `execute_result` (unless the cell ends with `;`), an
/// uncaught error as `error`.
public final class NotebookSession {
    public let interpreter: Interpreter
    public private(set) var notebook: Notebook
    private var executionCount = 0
    private var printed = ""

    /// A fresh session with a seeded random generator; its seed, thread count and start time
    /// go into the notebook's `metadata.scry`.
    public init(seed: Int = 0, threads: Int? = nil) {
        if let threads { Threads.set(threads) }
        Random.seed(UInt64(max(seed, 0)))
        interpreter = Session.makeInterpreter()
        let formatter = ISO8601DateFormatter()
        notebook = Notebook(metadata: Notebook.defaultMetadata(scry: [
            "version": .string(scryVersion), "seed": .int(seed), "threads": .int(Threads.count),
            "started": .string(formatter.string(from: Date())),
        ]))
        interpreter.write = { [unowned self] text in self.printed += text }
    }

    /// Runs one code cell, appends it to the notebook and returns its outputs.
    @discardableResult
    public func run(_ source: String) -> [NotebookOutput] {
        runWithValue(source).outputs
    }

    /// Runs one code cell like `run`, also returning the value it displays (if any).
    public func runWithValue(_ source: String) -> (outputs: [NotebookOutput], value: Value?) {
        executionCount += 1
        let count = executionCount
        printed = ""
        var outputs: [NotebookOutput] = []
        var result: Value?
        var failure: ScryError?
        do {
            result = try interpreter.execute(source, name: "cell \(count)")
        } catch let error as ScryError {
            failure = error
        } catch {
            failure = ScryError(.valueError, "\(error)")
        }
        if !printed.isEmpty { outputs.append(.stream(name: "stdout", text: printed)) }
        var shown: Value?
        if let result, !result.isNil, !NotebookSession.endsWithSemicolon(source) {
            shown = result
            // `_` holds the last result, as in Python's and Julia's shells.
            interpreter.globals["_"] = result
            if case .host(let object) = result, let bundle = try? object.richOutput() {
                outputs.append(.displayData(data: bundle, metadata: .object([:])))
            } else {
                outputs.append(.executeResult(executionCount: count, data: ["text/plain": Self.plainText(result)], metadata: .object([:])))
            }
        }
        if let failure {
            outputs.append(.error(name: failure.name.rawValue, value: failure.message,
                                  traceback: failure.report.components(separatedBy: "\n")))
        }
        notebook.cells.append(.code(id: "cell-\(notebook.cells.count + 1)", source: source, executionCount: count, outputs: outputs))
        return (outputs, shown)
    }

    /// A result's text/plain form: the shell's fuller display for host values.
    static func plainText(_ value: Value) -> String {
        if case .host(let object) = value { return object.detailedDisplay }
        return value.display
    }

    /// Adds a markdown cell.
    public func addMarkdown(_ text: String) {
        notebook.cells.append(.markdown(id: "cell-\(notebook.cells.count + 1)", source: text))
    }

    /// Whether the cell's last code character is `;` (comments after it aside).
    static func endsWithSemicolon(_ source: String) -> Bool {
        let lines = source.split(whereSeparator: \.isNewline).map { line -> Substring in
            guard let hash = line.firstIndex(of: "#"), !line[..<hash].contains("\"") else { return line }
            return line[..<hash]
        }
        return lines.last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty })?
            .trimmingCharacters(in: .whitespaces).hasSuffix(";") ?? false
    }
}
