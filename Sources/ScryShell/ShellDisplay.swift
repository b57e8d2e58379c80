import Foundation
import ScryLang

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
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        let rule = widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.dropFirst().map(line)).joined(separator: "\n")
    }
}
