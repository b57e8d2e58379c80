import Foundation
import ScryLang

/// The process's memory as Linux reports it, for `scry run`'s closing line and for checks
/// that training does not grow.
enum MemoryBindings {
    /// A /proc/self/status field (VmRSS, VmHWM) in MB; 0 where the system has none.
    static func statusMB(_ field: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes / 1024
    }

    nonisolated(unsafe) static let functions: [NativeFunction] = [
        NativeFunction("peak_memory", doc: "The most resident memory this process has used so far, in MB.") { _ in .float(statusMB("VmHWM")) },
        NativeFunction("resident_memory", doc: "The resident memory of this process now, in MB.") { _ in .float(statusMB("VmRSS")) },
        NativeFunction("reset_peak_memory", doc: "Starts peak_memory() afresh from the resident memory now (to measure one piece of work's peak) and returns it in MB; nil where the system cannot.") { _ in
            // Linux resets VmHWM to VmRSS when "5" is written to clear_refs.
            guard (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)) != nil else { return .nil }
            return .float(statusMB("VmHWM"))
        },
        NativeFunction("total_memory", doc: "This machine's physical memory, in MB.") { _ in
            .float(Double(ProcessInfo.processInfo.physicalMemory) / 1_048_576)
        },
    ]
}
