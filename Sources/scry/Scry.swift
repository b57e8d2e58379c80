import ArgumentParser
import Foundation
import ScryLang
import ScryRuntime
import ScryTensor

/// The `scry` command: runs a script (`scry file.scry args…`) or a snippet (`scry -e 'code'`).
/// Subcommands added later take precedence over a script argument.
@main
struct Scry: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scry",
        abstract: "Scry: an interactive deep-learning environment for medical imaging.",
        discussion: """
        scry script.scry [args…]   run a script (its arguments are in `args`)
        scry -e 'code'             run a snippet and print its value
        Threads: SCRY_THREADS (default: all cores) sets OpenBLAS's threads and Scry's own.
        """,
        version: scryVersion)

    @Option(name: .customShort("e"), help: "Code to run; the value of its last expression is printed.")
    var code: String?

    @Argument(help: "A .scry script to run, then its arguments.")
    var script: String?

    @Argument(parsing: .captureForPassthrough, help: .hidden)
    var arguments: [String] = []

    func validate() throws {
        if let script, !script.hasSuffix(".scry") {
            throw ValidationError("'\(script)' is not a .scry script or a subcommand")
        }
    }

    func run() throws {
        guard code != nil || script != nil else {
            print("scry \(scryVersion) (tensors: \(Threads.count) threads)")
            print(Scry.helpMessage())
            return
        }
        let status = Session.runOnLargeStack { () -> Int32 in
            let interpreter = Session.makeInterpreter()
            interpreter.globals["args"] = .list(ListStorage(arguments.map { .string($0) }))
            do {
                if let code {
                    if let value = try interpreter.execute(code, name: "<-e>"), !value.isNil {
                        print(value.display)
                    }
                } else if let script {
                    let source = try String(contentsOfFile: script, encoding: .utf8)
                    try interpreter.execute(source, name: script)
                }
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
}

/// The version printed by `scry --version` and recorded in notebooks.
let scryVersion = "0.1.0"
