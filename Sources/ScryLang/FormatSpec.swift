import Foundation

/// Python's format-spec mini-language for `"{value:spec}"`:
/// `[[fill]align][sign][#][0][width][,|_][.precision][type]` with types s d f F e E g G % x X o b.
enum FormatSpec {
    static func format(_ value: Value, _ spec: String) throws -> String {
        var chars = Array(spec)
        var fill: Character = " ", align: Character?
        func isAlign(_ c: Character) -> Bool { "<>^=".contains(c) }
        if chars.count >= 2, isAlign(chars[1]) { fill = chars[0]; align = chars[1]; chars.removeFirst(2) }
        else if let first = chars.first, isAlign(first) { align = first; chars.removeFirst() }
        var sign: Character = "-"
        if let first = chars.first, "+- ".contains(first) { sign = first; chars.removeFirst() }
        var alternate = false
        if chars.first == "#" { alternate = true; chars.removeFirst() }
        if chars.first == "0" { if align == nil { fill = "0"; align = "=" }; chars.removeFirst() }
        // Widths and precisions beyond this are mistakes, not layouts (and would exhaust memory).
        let limit = 10_000
        var width = 0
        while let c = chars.first, let d = c.wholeNumberValue {
            width = width * 10 + d
            chars.removeFirst()
            if width > limit { throw ScryError(.valueError, "format width in '\(spec)' exceeds \(limit)") }
        }
        var grouping: Character?
        if let c = chars.first, c == "," || c == "_" { grouping = c; chars.removeFirst() }
        var precision: Int?
        if chars.first == "." {
            chars.removeFirst()
            var p = 0, digits = 0
            while let c = chars.first, let d = c.wholeNumberValue {
                p = p * 10 + d; digits += 1; chars.removeFirst()
                if p > limit { throw ScryError(.valueError, "format precision in '\(spec)' exceeds \(limit)") }
            }
            guard digits > 0 else { throw invalid(spec) }
            precision = p
        }
        let type = chars.first
        if chars.count > 1 { throw invalid(spec) }

        var body: String
        var negative = false
        var numeric = true
        switch (type, value) {
        case (nil, .bool(let b)), ("s", .bool(let b)):
            body = b ? "true" : "false"
            numeric = false
        case (nil, .string(let s)), ("s", .string(let s)):
            body = precision.map { String(s.prefix($0)) } ?? s
            numeric = false
        case ("s", _):
            body = value.printed
            numeric = false
        case (nil, .int(let i)), ("d", .int(let i)), ("n", .int(let i)):
            negative = i < 0; body = String(i.magnitude)
        case ("x", .int(let i)), ("X", .int(let i)), ("o", .int(let i)), ("b", .int(let i)):
            negative = i < 0
            let radix = type == "o" ? 8 : (type == "b" ? 2 : 16)
            body = String(i.magnitude, radix: radix, uppercase: type == "X")
            if alternate { body = (type == "o" ? "0o" : (type == "b" ? "0b" : (type == "X" ? "0X" : "0x"))) + body }
        case (_, .int), (_, .float), (_, .bool):
            guard var x = Operators.number(value) else { throw invalid(spec) }
            if type == "d" || type == "x" || type == "X" || type == "o" || type == "b" {
                throw ScryError(.valueError, "format '\(type!)' needs an int, got \(value.typeName) \(value.display)")
            }
            negative = x < 0 || (x == 0 && x.sign == .minus)
            x = Swift.abs(x)
            switch type {
            case "f", "F": body = String(format: "%.\(precision ?? 6)f", x)
            case "e", "E": body = String(format: "%.\(precision ?? 6)\(type!)", x)
            case "g", "G", "n": body = String(format: "%.\(precision ?? 6)\(type == "G" ? "G" : "g")", x)
            case "%": body = String(format: "%.\(precision ?? 6)f", x * 100) + "%"
            case nil: body = precision.map { String(format: "%.\($0 == 0 ? 1 : $0)g", x) } ?? Value.format(x)
            default: throw invalid(spec)
            }
            if x.isNaN { body = "nan"; negative = false }
            if x.isInfinite { body = "inf" }
        default:
            if type != nil { throw ScryError(.valueError, "format '\(spec)' does not apply to a \(value.typeName)") }
            body = value.printed
            numeric = false
        }
        if let grouping, numeric {
            // Only the leading run of digits is grouped (not a fraction or an exponent).
            var integer = Array(body.prefix { $0.isNumber })
            let rest = body.dropFirst(integer.count)
            var grouped = ""
            while integer.count > 3 {
                grouped = String(grouping) + String(integer.suffix(3)) + grouped
                integer.removeLast(3)
            }
            body = String(integer) + grouped + rest
        }
        let prefix = numeric ? (negative ? "-" : (sign == "+" ? "+" : (sign == " " ? " " : ""))) : ""
        let length = prefix.count + body.count
        guard width > length else { return prefix + body }
        let padding = width - length
        switch align ?? (numeric ? ">" : "<") {
        case "<": return prefix + body + String(repeating: fill, count: padding)
        case "^": return String(repeating: fill, count: padding / 2) + prefix + body + String(repeating: fill, count: padding - padding / 2)
        case "=": return prefix + String(repeating: fill, count: padding) + body
        default: return String(repeating: fill, count: padding) + prefix + body
        }
    }

    private static func invalid(_ spec: String) -> ScryError {
        ScryError(.valueError, "invalid format spec '\(spec)'")
    }
}
