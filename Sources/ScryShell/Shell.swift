import Foundation
import ScryLang
import ScryNotebook
import ScryRuntime

/// The interactive shell: prompts, reads lines until a cell is complete, runs it, and on
/// Ctrl-D (or `:quit`) offers to save a session that has unsaved cells.
public enum Shell {
    /// Runs the shell on the terminal until the user leaves; `loading` first runs a
    /// notebook's cells into the session (recovery).
    public static func run(loading: String? = nil) {
        let environment = ProcessInfo.processInfo.environment
        let historyPath = environment["SCRY_HISTORY"] ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".scry_history").path
        let color = isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"] == nil
        let core = ShellCore(write: say, status: isatty(STDOUT_FILENO) == 1 ? say : nil, color: color, recovery: Recovery())
        let editor = LineEditor(historyPath: historyPath)
        core.history = { editor.entries }
        LineEditor.completer = { line, cursor in core.completions(line: line, cursor: cursor) }
        installInterruptHandler()
        if let loading { core.load(loading) }
        say("Scry \(scryVersion) — :help for help, Tab completes, Ctrl-C interrupts, Ctrl-D leaves.\n"
            + "`demo` is a demo dataset: 20 2D segmentation phantoms (try `demo`, `show(demo[0].image)`).\n")
        var buffer = ""
        while !core.quitRequested {
            switch editor.read(prompt: core.prompt(continuing: !buffer.isEmpty)) {
            case .interrupted:
                buffer = ""
                say("^C (input discarded)\n")
            case .end:
                if !buffer.isEmpty { buffer = ""; say("\n"); continue }
                say("\n")
                offerToSave(core, editor)
                return
            case .line(let line):
                buffer += buffer.isEmpty ? line : "\n" + line
                guard ShellCore.isComplete(buffer) else { continue }
                editor.remember(buffer)
                let cell = buffer
                buffer = ""
                core.submit(cell)
            }
        }
        offerToSave(core, editor)
    }

    /// Writes straight to the terminal (unbuffered), in order with everything else shown.
    private static func say(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Asks until the session is saved or the user declines (a failed save asks again).
    private static func offerToSave(_ core: ShellCore, _ editor: LineEditor) {
        while core.unsavedCells > 0 {
            let suggestion = core.savePath ?? "session.ipynb"
            guard case .line(let answer) = editor.read(prompt: "Save this session (\(core.unsavedCells) unsaved cell\(core.unsavedCells == 1 ? "" : "s")) as \(suggestion)? [Y/n/other path] ") else {
                return
            }
            let trimmed = answer.trimmingCharacters(in: .whitespaces)
            if trimmed.lowercased() == "n" || trimmed.lowercased() == "no" { return }
            core.save(trimmed.isEmpty || trimmed.lowercased() == "y" || trimmed.lowercased() == "yes" ? nil : trimmed)
        }
    }
}
