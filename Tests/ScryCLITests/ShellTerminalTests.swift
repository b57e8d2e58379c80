import Foundation
import XCTest

/// Drives the real `scry` binary in a pseudo-terminal, as a person at a keyboard would.
final class ShellTerminalTests: XCTestCase {
    /// A child process on the slave side of a pty; the test reads and writes the master side.
    final class Terminal {
        let master: Int32
        let pid: pid_t
        private(set) var screen = ""

        init(executable: String, arguments: [String], environment: [String: String], directory: String) throws {
            // Everything the child needs is prepared before fork: after it, only exec runs.
            let argv = ([executable] + arguments).map { strdup($0) } + [nil]
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            var fd: Int32 = -1
            var size = winsize(ws_row: 40, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0)
            let child = forkpty(&fd, nil, nil, &size)
            if child == 0 {
                _ = chdir(directory)
                execve(executable, argv, envp)
                _exit(127)
            }
            argv.forEach { free($0) }
            envp.forEach { free($0) }
            guard child > 0 else { throw POSIXError(.EAGAIN) }
            master = fd
            pid = child
        }

        func send(_ text: String) {
            _ = text.utf8CString.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count - 1) }
        }

        /// Reads until `text` has appeared since the last expectation (or times out).
        @discardableResult
        func expect(_ text: String, timeout: TimeInterval = 20, file: StaticString = #filePath, line: UInt = #line) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if let range = screen.range(of: text) {
                    screen = String(screen[range.upperBound...])
                    return true
                }
                var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 100) > 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = read(master, &buffer, buffer.count)
                if count <= 0 { break }
                screen += String(decoding: buffer[..<count], as: UTF8.self)
            }
            XCTFail("timed out waiting for \(text.debugDescription); screen so far: \(screen.debugDescription)", file: file, line: line)
            return false
        }

        /// The exit status, or −1 (after killing it) when the child is still running after `timeout`:
        /// a shell left waiting for input must fail the test, not hang it.
        func waitForExit(timeout: TimeInterval = 30) -> Int32 {
            var status: Int32 = 0
            let deadline = Date().addingTimeInterval(timeout)
            while waitpid(pid, &status, WNOHANG) == 0 {
                guard Date() < deadline else {
                    kill(pid, SIGKILL)
                    waitpid(pid, &status, 0)
                    close(master)
                    return -1
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            close(master)
            return status
        }
    }

    func testTypingCompletionHistoryInterruptSaveAndReplay() throws {
        let scry = Bundle.main.executableURL!.deletingLastPathComponent().appendingPathComponent("scry").path
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scry-pty-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var environment = ProcessInfo.processInfo.environment
        environment["SCRY_HISTORY"] = folder.appendingPathComponent("history").path
        environment["SCRY_SESSIONS"] = folder.appendingPathComponent("sessions").path
        environment["TERM"] = "xterm"
        environment["NO_COLOR"] = "1"
        let terminal = try Terminal(executable: scry, arguments: [], environment: environment, directory: folder.path)
        // Whatever happens, the child does not outlive the test.
        defer { kill(terminal.pid, SIGKILL) }
        terminal.expect("`demo` is a demo dataset")
        terminal.expect("[1]> ")
        terminal.send("volume = zeros([2, 3])\r")
        terminal.expect("[2]> ")
        terminal.send("volume.sh\t")
        terminal.expect("ape")  // completed in place: "volume.sh" becomes "volume.shape"
        terminal.send("\r")
        terminal.expect("[2, 3]")
        terminal.send("fn twice(x) {\r")
        terminal.expect("...> ")
        terminal.send("return x * 2\r}\r")
        terminal.expect("[4]> ")
        terminal.send("twice(21)\r")
        terminal.expect("42")
        terminal.send("\u{1B}[A")  // Up: the previous line comes back from history
        terminal.expect("twice(21)")
        terminal.send("\r")
        terminal.expect("42")
        terminal.expect("[6]> ")
        // Control keys pressed the instant a prompt appears can reach the terminal before the line
        // editor has switched it to raw mode, where the line discipline takes them itself; a
        // person is never that fast, so the test pauses as one would.
        Thread.sleep(forTimeInterval: 0.3)
        terminal.send("forgotten")
        terminal.send("\u{03}")  // Ctrl-C while typing discards the input
        terminal.expect("input discarded")
        terminal.expect("[6]> ")
        terminal.send("while true { }\r")
        Thread.sleep(forTimeInterval: 0.5)
        terminal.send("\u{03}")  // Ctrl-C while a cell runs interrupts it
        terminal.expect("Interrupted")
        terminal.expect("[7]> ")
        terminal.send("twice(volume.shape[1])\r")
        terminal.expect("6")
        terminal.expect("[8]> ")
        terminal.send(":save tour.ipynb\r")
        terminal.expect("saved tour.ipynb")
        terminal.expect("[8]> ")
        Thread.sleep(forTimeInterval: 0.3)
        terminal.send("\u{04}")  // Ctrl-D on an empty line leaves
        XCTAssertEqual(terminal.waitForExit(), 0)
        if let keep = ProcessInfo.processInfo.environment["SCRY_TEST_NOTEBOOKS"] {
            try? FileManager.default.copyItem(at: folder.appendingPathComponent("tour.ipynb"),
                                              to: URL(fileURLWithPath: keep).appendingPathComponent("shell-session.ipynb"))
        }
        let history = try String(contentsOf: folder.appendingPathComponent("history"), encoding: .utf8)
        XCTAssertEqual(history.components(separatedBy: "twice(21)").count - 1, 1, "history keeps one copy of a repeated entry: \(history)")

        // Every cell was also saved for recovery; --recover lists that session.
        let recover = Process()
        recover.executableURL = URL(fileURLWithPath: scry)
        recover.arguments = ["--recover"]
        recover.environment = environment
        let listing = Pipe()
        recover.standardOutput = listing
        try recover.run()
        let sessions = String(decoding: listing.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        recover.waitUntilExit()
        XCTAssertTrue(sessions.hasPrefix("1  session-"), sessions)
        XCTAssertTrue(sessions.contains("open one with: scry --recover --open N"), sessions)

        let replay = Process()
        replay.executableURL = URL(fileURLWithPath: scry)
        replay.arguments = ["replay", folder.appendingPathComponent("tour.ipynb").path, "--check"]
        let pipe = Pipe()
        replay.standardOutput = pipe
        try replay.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        replay.waitUntilExit()
        XCTAssertEqual(replay.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("skipped: it was interrupted when recorded"), output)
        XCTAssertTrue(output.contains("all outputs match"), output)
    }
}
