import Foundation
import ScryLang
import ScryRuntime

/// The language's benchmark: a loop and a recursive function against CPython running the
/// same programs in the same run, and the start-up time of `scry -e '1+1'`.
func benchInterpreter() throws {
    let peer = runPeer(benchPath("peers/python_interp.py"))
    let programs = [
        ("interp_loop", """
            fn interp_loop() {
                s = 0
                for i in 0..<3000000 { s += i * i }
                return s
            }
            """, "interp_loop()"),
        ("interp_fib", """
            fn fib(n) {
                if n < 2 { return n }
                return fib(n - 1) + fib(n - 2)
            }
            """, "fib(27)"),
    ]
    for (name, definition, call) in programs {
        let seconds = try Session.runOnLargeStack { () -> Result<Double, Error> in
            Result {
                let interpreter = Session.makeInterpreter()
                try interpreter.execute(definition, name: name)
                return try medianSeconds { try interpreter.execute(call, name: name) }
            }
        }.get()
        emit(comparing(["workload": name, "seconds": rounded(seconds)], with: peer[name],
                       missing: "python3 not available: no ratio"))
    }
    emit(["workload": "startup", "seconds": rounded(try startupSeconds()), "goal_seconds": 0.05,
          "what": "scry -e '1+1', whole process, prelude included"])
}

/// Median wall time of the `scry` executable built beside this benchmark running `-e '1+1'`.
private func startupSeconds() throws -> Double {
    let scry = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("scry")
    guard FileManager.default.isExecutableFile(atPath: scry.path) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: scry.path])
    }
    // posix_spawn directly: Foundation's Process adds tens of milliseconds of its own.
    return try medianSeconds {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(scry.path), strdup("-e"), strdup("1+1"), nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let status = posix_spawn(&pid, scry.path, &actions, nil, argv, environ)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO) }
        var exitStatus: Int32 = 0
        waitpid(pid, &exitStatus, 0)
    }
}
