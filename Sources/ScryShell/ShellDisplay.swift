import Foundation
import ScryLang
import ScryRuntime

/// How the shell shows values: host values in their fuller form (a tensor's statistics),
/// long lists and dicts truncated, tables aligned.
public enum ShellDisplay {
    /// The most characters a list or dict display takes before it is cut.
    static let maxCharacters = 2000

    public static func show(_ value: Value) -> String {
        switch value {
        case .host(let object): return object.detailedDisplay
        case .list(let list) where list.items.count > 100:
            let head = list.items.prefix(50).map(\.display), tail = list.items.suffix(10).map(\.display)
            return truncate("[" + (head + ["… \(list.items.count - 60) more …"] + tail).joined(separator: ", ") + "]")
        default:
            return truncate(value.display)
        }
    }

    private static func truncate(_ text: String) -> String {
        text.count <= maxCharacters ? text : String(text.prefix(maxCharacters)) + " … (\(text.count) characters)"
    }

    /// A picture in the terminal: inline where the terminal draws images (the kitty graphics
    /// protocol, iTerm2's inline images, both detected from the environment), otherwise saved
    /// to a file whose path and size are printed.
    static func picture(_ data: [String: String], cell: Int,
                        environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        guard let base64 = data["image/png"] else { return (data["text/plain"] ?? "") + "\n" }
        let label = data["text/plain"] ?? "picture"
        if environment["KITTY_WINDOW_ID"] != nil || environment["TERM"] == "xterm-kitty" {
            // Kitty takes the base64 PNG in chunks of at most 4096 bytes.
            let chunks = stride(from: 0, to: base64.count, by: 4096).map { start -> String in
                let from = base64.index(base64.startIndex, offsetBy: start)
                return String(base64[from..<(base64.index(from, offsetBy: 4096, limitedBy: base64.endIndex) ?? base64.endIndex)])
            }
            var out = ""
            for (i, chunk) in chunks.enumerated() {
                let more = i < chunks.count - 1 ? 1 : 0
                out += "\u{1B}_G" + (i == 0 ? "a=T,f=100,m=\(more)" : "m=\(more)") + ";" + chunk + "\u{1B}\\"
            }
            return out + "\n" + label + "\n"
        }
        if environment["TERM_PROGRAM"] == "iTerm.app" || environment["LC_TERMINAL"] == "iTerm2" {
            return "\u{1B}]1337;File=inline=1;size=\(base64.count * 3 / 4):" + base64 + "\u{07}\n" + label + "\n"
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scry-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("cell-\(cell).png")
        guard let bytes = Data(base64Encoded: base64), (try? bytes.write(to: file)) != nil else { return label + "\n" }
        return "\(label) saved as \(file.path) (\(self.bytes(bytes.count)))\n"
    }

    /// Shape (for sized values) and memory, as `:vars` lists them.
    static func shapeAndMemory(_ value: Value, _ interpreter: Interpreter) -> (String, String) {
        switch value {
        case .list(let l): return ("[\(l.items.count)]", "")
        case .dict(let d): return ("[\(d.count)]", "")
        case .string(let s): return ("[\(s.count)]", "")
        case .host(let object):
            let shape = object.attributeNames.contains("shape") ? (try? object.attribute("shape", interpreter))?.display ?? "" : ""
            return (shape, object.memoryBytes.map(bytes) ?? "")
        default: return ("", "")
        }
    }

    static func bytes(_ count: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(count), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// Rows as aligned columns; the first row is the header, underlined.
    public static func table(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        return TableText.render(header: header, rows: Array(rows.dropFirst()))
    }
}
