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
    ]
}
