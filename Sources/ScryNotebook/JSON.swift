import Foundation

/// A JSON value, written the way Jupyter's own writer (Python's `json.dumps(nb,
/// sort_keys=True, indent=1, ensure_ascii=False)`) writes it, so that a notebook saved by
/// Scry and re-saved by Jupyter (or the reverse) diffs cleanly.
public indirect enum JSON: Equatable {
    case object([String: JSON])
    case array([JSON])
    case string(String)
    case int(Int)
    /// An integer above Int.max (Python's JSON keeps every integer exact).
    case unsigned(UInt64)
    case double(Double)
    case bool(Bool)
    case null

    /// Parses JSON text; errors name the problem.
    public static func parse(_ data: Data) throws -> JSON {
        let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        return try JSON(any: object)
    }

    init(any value: Any) throws {
        switch value {
        case let dictionary as [String: Any]: self = .object(try dictionary.mapValues(JSON.init(any:)))
        case let array as [Any]: self = .array(try array.map(JSON.init(any:)))
        case let string as String: self = .string(string)
        case let number as NSNumber:
            // The Objective-C type code tells JSON's true/false ("c") and floats ("d", "f") apart.
            switch String(cString: number.objCType) {
            case "c", "B": self = .bool(number.boolValue)
            case "d", "f": self = .double(number.doubleValue)
            case "Q" where number.uint64Value > UInt64(Int.max): self = .unsigned(number.uint64Value)
            default: self = .int(number.intValue)
            }
        case is NSNull: self = .null
        default: throw NotebookError.malformed("unsupported JSON value \(value)")
        }
    }

    /// The text, with a final newline as nbformat writes it.
    public var text: String {
        var out = ""
        write(into: &out, indent: 0)
        return out + "\n"
    }

    private func write(into out: inout String, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .unsigned(let u): out += String(u)
        case .double(let d): out += JSON.pythonFloat(d)
        case .string(let s): JSON.quote(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += String(repeating: " ", count: indent + 1)
                item.write(into: &out, indent: indent + 1)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            // Python sorts keys by code point.
            let keys = members.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            for (i, key) in keys.enumerated() {
                out += String(repeating: " ", count: indent + 1)
                JSON.quote(key, into: &out)
                out += ": "
                members[key]!.write(into: &out, indent: indent + 1)
                out += i == keys.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    /// Python's float repr: the shortest text that reads back exactly.
    static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        // Swift switches to exponent form at 2^53, Python only at 1e16 (values there are integral).
        if Swift.abs(d) >= 0x1p53 && Swift.abs(d) < 1e16 { return String(format: "%.1f", d) }
        return "\(d)"
    }

    /// Python's json string escaping with ensure_ascii=False: only quotes, backslashes and
    /// control characters are escaped.
    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

extension JSON {
    /// A string split as Python's `str.splitlines(keepends=True)`, nbformat's rule for
    /// multi-line fields (sources, stream text, text outputs).
    static func lines(_ text: String) -> JSON {
        var result: [JSON] = []
        var current = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let scalar = scalars[i]
            current.append(scalar)
            let breaks: Set<UInt32> = [0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029]
            if breaks.contains(scalar.value) {
                if scalar == "\r", i + 1 < scalars.count, scalars[i + 1] == "\n" {
                    current.append(scalars[i + 1])
                    i += 1
                }
                result.append(.string(String(current)))
                current = String.UnicodeScalarView()
            }
            i += 1
        }
        if !current.isEmpty { result.append(.string(String(current))) }
        return .array(result)
    }

    /// A multi-line field as one string, whether stored as a string or as lines.
    var joinedText: String? {
        switch self {
        case .string(let s): return s
        case .array(let items):
            var out = ""
            for item in items {
                guard case .string(let s) = item else { return nil }
                out += s
            }
            return out
        default: return nil
        }
    }

    subscript(key: String) -> JSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }
}
