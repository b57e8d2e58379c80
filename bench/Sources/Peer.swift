import Foundation

/// Runs a Python peer script and collects its JSON lines by workload name. Returns an empty
/// result (and says why on stderr) when Python or the peer's library is missing, so that the
/// benchmark still reports Scry's own figures.
func runPeer(_ script: String, arguments: [String] = []) -> [String: [String: Any]] {
    runJSONLines("/usr/bin/env", ["python3", script] + arguments)
}

/// Runs a program and collects the JSON objects it prints, one per line, by workload name.
func runJSONLines(_ program: String, _ arguments: [String], environment: [String: String]? = nil) -> [String: [String: Any]] {
    let script = arguments.first { $0.hasSuffix(".py") } ?? program
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let output = Pipe()
    process.standardOutput = output
    do { try process.run() } catch {
        FileHandle.standardError.write(Data("\(script) not run: \(error)\n".utf8))
        return [:]
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if process.terminationStatus != 0 {
        FileHandle.standardError.write(Data("\(script) exited with status \(process.terminationStatus)\n".utf8))
    }
    var results: [String: [String: Any]] = [:]
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
        if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
           let name = object["workload"] as? String {
            results[name] = object
        }
    }
    return results
}
