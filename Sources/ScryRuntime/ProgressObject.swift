import Foundation
import ScryLang

/// `progress(total, label: "epoch 3")`: a progress bar redrawn in place on a terminal (done of
/// total, rate, time left, the running loss); elsewhere (pipes, notebooks) it stays silent
/// until `finish(line)` writes its one summary line.
final class ProgressObject: HostObject {
    let total: Int, label: String
    private(set) var done = 0
    private let started = Date()
    private weak var interpreter: Interpreter?
    private var lastDrawn = Date.distantPast

    init(total: Int, label: String, interpreter: Interpreter) {
        self.total = total; self.label = label; self.interpreter = interpreter
    }

    var typeName: String { "progress" }
    var display: String { "<progress \(label): \(done)/\(total)>" }
    var attributeNames: [String] { ["done", "finish", "total", "update"] }

    func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "done": return .int(done)
        case "total": return .int(total)
        case "update":
            return .function(NativeFunction("update", [Parameter("steps", default: .int(1)), Parameter("loss", default: .nil)],
                                            doc: "Advances the bar by steps and shows the running loss.") { a in
                self.done += try a.int("steps")
                self.draw(loss: try a.optionalDouble("loss"))
                return .nil
            })
        case "finish":
            return .function(NativeFunction("finish", [Parameter("line", default: .string(""))],
                                            doc: "Clears the bar and writes line (the epoch's summary) on its own line.") { a in
                if let status = self.interpreter?.status { status("\r\u{1B}[2K") }
                let line = try a.string("line")
                if !line.isEmpty { self.interpreter?.write(line + "\n") }
                return .nil
            })
        default: return nil
        }
    }

    /// Redraws at most ten times a second: a terminal write per batch would cost more than
    /// small batches do.
    private func draw(loss: Double?) {
        guard let status = interpreter?.status else { return }
        let now = Date()
        guard done >= total || now.timeIntervalSince(lastDrawn) >= 0.1 else { return }
        lastDrawn = now
        let elapsed = now.timeIntervalSince(started), rate = elapsed > 0 ? Double(done) / elapsed : 0
        let width = 24, filled = total > 0 ? Swift.min(width, done * width / total) : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        var text = "\r\u{1B}[2K\(label) \(bar) \(done)/\(total)"
        text += String(format: "  %.1f it/s", rate)
        if rate > 0, done < total { text += "  ETA " + ProgressObject.clock(Double(total - done) / rate) }
        if let loss { text += String(format: "  loss %.4f", loss) }
        status(text)
    }

    /// Seconds as m:ss (or h:mm:ss).
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    nonisolated(unsafe) static let functions: [NativeFunction] = [
        NativeFunction("progress", [Parameter("total"), Parameter("label", default: .string(""))],
                       doc: "A progress bar over total steps, drawn in place on a terminal; p.update(loss: x) per step, p.finish(line) at the end.") { a in
            let total = try a.int("total")
            guard total >= 0 else { throw ScryError(.valueError, "progress(): total must be non-negative, got \(total)") }
            return .host(ProgressObject(total: total, label: try a.string("label"), interpreter: a.interpreter))
        },
    ]
}
