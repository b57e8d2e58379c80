import ArgumentParser
import ScryTensor

/// The `scry` command: for now it reports its version and how it will be used.
@main
struct Scry: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scry",
        abstract: "Scry: an interactive deep-learning environment for medical imaging.",
        discussion: """
        Usage (as the shell and language arrive):
          scry                  open the interactive shell
          scry script.scry      run a script
          scry -e 'code'        run a snippet
        Threads: SCRY_THREADS (default: all cores) sets OpenBLAS's threads and Scry's own.
        """,
        version: scryVersion)

    func run() throws {
        print("scry \(scryVersion) (tensors: \(Threads.count) threads)")
        print(Scry.helpMessage())
    }
}

/// The version printed by `scry --version` and recorded in notebooks.
let scryVersion = "0.1.0"
