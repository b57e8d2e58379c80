import ArgumentParser
import Foundation
import ScryLang
import ScryNotebook
import ScryRuntime
import ScryShell
import ScryTensor

/// The `scry` command. Subcommands (`replay`, `export`, `import`) take precedence; anything
/// else runs a script (`scry file.scry args…`) or a snippet (`scry -e 'code'`).
@main
struct Scry: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scry",
        abstract: "Scry: an interactive deep-learning environment for medical imaging.",
        discussion: """
        scry script.scry [args…]   run a script (its arguments are in `args`)
        scry -e 'code'             run a snippet and print its value
        scry run -c config.yaml -i data.csv -m outdir --train | --infer
                                   train or infer as a GaNDLF configuration says
        Threads: SCRY_THREADS (default: all cores) sets OpenBLAS's threads and Scry's own.
        """,
        version: scryVersion,
        subcommands: [RunCommand.self, ReplayCommand.self, ExportCommand.self, ImportCommand.self, GaNDLFRunCommand.self, ConfigCommand.self,
                      ConstructCSVCommand.self, SplitCSVCommand.self, PreprocessCommand.self, GenerateMetricsCommand.self,
                      RecoverConfigCommand.self, ConfigGeneratorCommand.self],
        defaultSubcommand: RunCommand.self)
}

/// Runs a script or a snippet (the default subcommand).
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-script", abstract: "Run a .scry script or an -e snippet.", shouldDisplay: false)

    @Option(name: .customShort("e"), help: "Code to run; the value of its last expression is printed.")
    var code: String?

    @Argument(help: "A .scry script to run, then its arguments.")
    var script: String?

    @Argument(parsing: .captureForPassthrough, help: .hidden)
    var arguments: [String] = []

    @Flag(help: "List the sessions saved for recovery, or with --open N run recovery notebook N into a new shell.")
    var recover = false

    @Option(help: "With --recover: the number of the recovery notebook to open.")
    var open: Int?

    func validate() throws {
        if let script, !script.hasSuffix(".scry") {
            throw ValidationError("'\(script)' is not a .scry script or a subcommand")
        }
    }

    func run() throws {
        if recover {
            try recoverSession()
            return
        }
        guard code != nil || script != nil else {
            _ = Session.runOnLargeStack { Shell.run() }
            return
        }
        try inSession { [code, script, arguments] interpreter in
            interpreter.globals["args"] = .list(ListStorage(arguments.map { .string($0) }))
            if let code {
                if let value = try interpreter.execute(code, name: "<-e>"), !value.isNil {
                    print(value.display)
                }
            } else if let script {
                let source = try String(contentsOfFile: script, encoding: .utf8)
                try interpreter.execute(source, name: script)
            }
        }
    }
}

/// Runs `body` in a fresh session on a large stack; a Scry error is reported on standard error
/// and becomes the exit status 1.
func inSession(_ body: @escaping (Interpreter) throws -> Void) throws {
    let status = Session.runOnLargeStack { () -> Int32 in
        let interpreter = Session.makeInterpreter()
        do {
            try body(interpreter)
            return 0
        } catch let error as ScryError {
            FileHandle.standardError.write(Data((error.report + "\n").utf8))
            return 1
        } catch {
            FileHandle.standardError.write(Data("IOError: \(error.localizedDescription)\n".utf8))
            return 1
        }
    }
    if status != 0 { throw ExitCode(status) }
}

extension RunCommand {
    /// `scry --recover`: lists recovery notebooks, newest first; `--open N` runs one into a shell.
    func recoverSession() throws {
        let files = Recovery.list()
        guard let number = open else {
            if files.isEmpty { print("no sessions to recover in \(Recovery.defaultDirectory().path)") }
            for (i, file) in files.enumerated() {
                let cells = (try? Notebook.read(file.path))?.cells.count ?? 0
                print("\(i + 1)  \(file.lastPathComponent)  (\(cells) cell\(cells == 1 ? "" : "s"))")
            }
            if !files.isEmpty { print("open one with: scry --recover --open N") }
            return
        }
        guard number >= 1 && number <= files.count else {
            throw ValidationError("--open \(number): there are \(files.count) recovery notebooks")
        }
        _ = Session.runOnLargeStack { Shell.run(loading: files[number - 1].path) }
    }
}

/// `scry replay nb.ipynb [--check] [--update]`.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run a notebook's code cells in a fresh session, optionally checking or updating their outputs.")

    @Argument(help: "The notebook (.ipynb).")
    var notebook: String

    @Flag(help: "Compare every new output with the stored one; stop at the first mismatch (exit code 1).")
    var check = false

    @Flag(help: "Store the new outputs in the notebook (written atomically).")
    var update = false

    func run() throws {
        let outcome = try Session.runOnLargeStack { () -> Result<Replay.Outcome, Error> in
            Result { try Replay.run(notebook, check: check, update: update) { print($0) } }
        }.get()
        if let mismatch = outcome.mismatch {
            FileHandle.standardError.write(Data((mismatch.description + "\n").utf8))
            throw ExitCode(1)
        }
        print("replayed \(outcome.cellsRun) code cell\(outcome.cellsRun == 1 ? "" : "s")" + (check ? ", all outputs match" : "")
              + (update ? ", outputs updated" : ""))
    }
}

/// `scry export nb.ipynb [-o script.scry]`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a notebook's cells as a .scry script (cells start with '# %%').")

    @Argument(help: "The notebook (.ipynb).")
    var notebook: String

    @Option(name: .shortAndLong, help: "The script to write (default: the notebook's name with .scry).")
    var output: String?

    func run() throws {
        let script = ScriptFormat.export(try Notebook.read(notebook))
        let target = output ?? URL(fileURLWithPath: notebook).deletingPathExtension().appendingPathExtension("scry").path
        try Notebook.writeAtomically(Data(script.utf8), to: target)
        print("wrote \(target)")
    }
}

/// `scry import script.scry [-o nb.ipynb]`.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Make a notebook (without outputs) from a .scry script with '# %%' cells.")

    @Argument(help: "The script (.scry).")
    var script: String

    @Option(name: .shortAndLong, help: "The notebook to write (default: the script's name with .ipynb).")
    var output: String?

    func run() throws {
        let text: String
        do { text = try String(contentsOfFile: script, encoding: .utf8) } catch {
            throw ValidationError("cannot read \(script): \(error.localizedDescription)")
        }
        let target = output ?? URL(fileURLWithPath: script).deletingPathExtension().appendingPathExtension("ipynb").path
        try ScriptFormat.import(text).write(to: target)
        print("wrote \(target)")
    }
}
