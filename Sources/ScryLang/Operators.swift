import Foundation

/// The meaning of Scry's operators on built-in values, with host objects asked first.
enum Operators {
    static func binary(_ op: String, _ a: Value, _ b: Value) throws -> Value {
        switch (a, b) {
        case let (.int(x), .int(y)): return try integer(op, x, y)
        case let (.float(x), .float(y)): return try float(op, x, y)
        case let (.int(x), .float(y)): return try float(op, Double(x), y)
        case let (.float(x), .int(y)): return try float(op, x, Double(y))
        default: break
        }
        if case .host(let object) = a, let result = try object.binary(op, b, reversed: false) { return result }
        if case .host(let object) = b, let result = try object.binary(op, a, reversed: true) { return result }
        switch (op, a, b) {
        case ("==", _, _): return .bool(equal(a, b))
        case ("!=", _, _): return .bool(!equal(a, b))
        case ("in", _, _): return .bool(try contains(b, a))
        case ("not in", _, _): return .bool(!(try contains(b, a)))
        case ("<", _, _), ("<=", _, _), (">", _, _), (">=", _, _):
            if let order = try compare(a, b) {
                switch op {
                case "<": return .bool(order < 0)
                case "<=": return .bool(order <= 0)
                case ">": return .bool(order > 0)
                default: return .bool(order >= 0)
                }
            }
        case let ("+", .string(x), .string(y)): return .string(x + y)
        case let ("+", .list(x), .list(y)): return .list(ListStorage(x.items + y.items))
        case let ("*", .string(x), .int(n)), let ("*", .int(n), .string(x)):
            try checkSize(x.count, n)
            return .string(String(repeating: x, count: Swift.max(0, n)))
        case let ("*", .list(x), .int(n)), let ("*", .int(n), .list(x)):
            try checkSize(x.items.count, n)
            return .list(ListStorage(Array([[Value]](repeating: x.items, count: Swift.max(0, n)).joined())))
        case let ("%", .string(x), _):
            throw ScryError(.typeError, "'%' formatting of strings is not supported; use \"{…}\" interpolation (string \(Value.quote(String(x.prefix(20)))))")
        default: break
        }
        throw ScryError(.typeError, "unsupported operand types for \(op): \(a.typeName) and \(b.typeName)")
    }

    /// The most elements a list or string built by repetition may have: a typo such as
    /// `[0] * 10**12` must be an error, not an exhausted machine.
    static let maxElements = 100_000_000

    static func checkSize(_ count: Int, _ times: Int) throws {
        let (total, overflow) = count.multipliedReportingOverflow(by: Swift.max(times, 0))
        // The repetition count alone is bounded too: repeating an empty list still loops.
        if overflow || total > maxElements || times > maxElements {
            throw ScryError(.valueError, "result would have more than \(maxElements) elements (\(count) × \(times))")
        }
    }

    private static func overflow(_ op: String, _ x: Int, _ y: Int) -> ScryError {
        ScryError(.valueError, "integer overflow in \(x) \(op) \(y) (use floats for numbers beyond ±9.2e18)")
    }

    static func integer(_ op: String, _ x: Int, _ y: Int) throws -> Value {
        switch op {
        case "+": let (r, o) = x.addingReportingOverflow(y); if o { throw overflow(op, x, y) }; return .int(r)
        case "-": let (r, o) = x.subtractingReportingOverflow(y); if o { throw overflow(op, x, y) }; return .int(r)
        case "*": let (r, o) = x.multipliedReportingOverflow(by: y); if o { throw overflow(op, x, y) }; return .int(r)
        case "/":
            if y == 0 { throw ScryError(.valueError, "division by zero") }
            return .float(Double(x) / Double(y))
        case "//":
            if y == 0 { throw ScryError(.valueError, "division by zero") }
            if x == .min && y == -1 { throw overflow(op, x, y) }
            let q = x / y
            return .int((x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q)
        case "%":
            if y == 0 { throw ScryError(.valueError, "modulo by zero") }
            if y == -1 { return .int(0) }
            let r = x % y
            return .int(r != 0 && (r < 0) != (y < 0) ? r + y : r)
        case "**":
            if y < 0 { return .float(pow(Double(x), Double(y))) }
            var result = 1, base = x, exponent = y
            while exponent > 0 {
                if exponent & 1 == 1 {
                    let (r, o) = result.multipliedReportingOverflow(by: base); if o { throw overflow(op, x, y) }; result = r
                }
                exponent >>= 1
                if exponent > 0 { let (b, o) = base.multipliedReportingOverflow(by: base); if o { throw overflow(op, x, y) }; base = b }
            }
            return .int(result)
        default:
            if let compare: (Int, Int) -> Bool = comparison(op) { return .bool(compare(x, y)) }
            throw ScryError(.typeError, "unsupported operand types for \(op): int and int")
        }
    }

    static func float(_ op: String, _ x: Double, _ y: Double) throws -> Value {
        switch op {
        case "+": return .float(x + y)
        case "-": return .float(x - y)
        case "*": return .float(x * y)
        case "/":
            if y == 0 { throw ScryError(.valueError, "division by zero") }
            return .float(x / y)
        case "//":
            if y == 0 { throw ScryError(.valueError, "division by zero") }
            return .float((x / y).rounded(.down))
        case "%":
            if y == 0 { throw ScryError(.valueError, "modulo by zero") }
            let r = fmod(x, y)
            return .float(r != 0 && (r < 0) != (y < 0) ? r + y : r)
        case "**": return .float(pow(x, y))
        default:
            if let compare: (Double, Double) -> Bool = comparison(op) { return .bool(compare(x, y)) }
            throw ScryError(.typeError, "unsupported operand types for \(op): float and float")
        }
    }

    /// The comparison an operator names (`<`, `==`, …), for any ordered type; nil for others.
    static func comparison<T: Comparable>(_ op: String) -> ((T, T) -> Bool)? {
        switch op {
        case "<": return (<)
        case "<=": return (<=)
        case ">": return (>)
        case ">=": return (>=)
        case "==": return (==)
        case "!=": return (!=)
        default: return nil
        }
    }

    static func negate(_ a: Value) throws -> Value {
        switch a {
        case .int(let x):
            if x == .min { throw ScryError(.valueError, "integer overflow in -(\(x))") }
            return .int(-x)
        case .float(let x): return .float(-x)
        case .host(let object): if let result = try object.negate() { return result }
        default: break
        }
        throw ScryError(.typeError, "bad operand type for unary -: \(a.typeName)")
    }

    /// Structural equality; numbers compare by value across int and float. Containers nested
    /// deeper than 500 levels (cycles) compare unequal rather than recursing forever.
    static func equal(_ a: Value, _ b: Value, depth: Int = 0) -> Bool {
        if depth > 500 { return false }
        switch (a, b) {
        case (.nil, .nil): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.float(x), .float(y)): return x == y
        case let (.int(x), .float(y)), let (.float(y), .int(x)): return Double(x) == y
        case let (.string(x), .string(y)): return x == y
        case let (.list(x), .list(y)):
            return x === y || (x.items.count == y.items.count && zip(x.items, y.items).allSatisfy { equal($0, $1, depth: depth + 1) })
        case let (.dict(x), .dict(y)):
            return x === y || (x.count == y.count && x.entries.allSatisfy { entry in y[entry.key].map { equal($0, entry.value, depth: depth + 1) } ?? false })
        case let (.range(x), .range(y)): return x.start == y.start && x.stop == y.stop && x.step == y.step
        case let (.function(x), .function(y)): return x === y
        case let (.host(x), .host(y)): return x === y
        default: return false
        }
    }

    /// Ordering of numbers, strings and lists (lexicographic); nil when the two don't order.
    static func compare(_ a: Value, _ b: Value, depth: Int = 0) throws -> Int? {
        if depth > 500 { throw ScryError(.valueError, "cannot order lists nested more than 500 deep (a list that contains itself?)") }
        switch (a, b) {
        case let (.int(x), .int(y)): return x < y ? -1 : (x > y ? 1 : 0)
        case let (.string(x), .string(y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.int, .float), (.float, .int), (.float, .float):
            let x = number(a)!, y = number(b)!
            return x < y ? -1 : (x > y ? 1 : 0)
        case let (.list(x), .list(y)):
            for (u, v) in zip(x.items, y.items) {
                guard let order = try compare(u, v, depth: depth + 1) else { return nil }
                if order != 0 { return order }
            }
            return x.items.count < y.items.count ? -1 : (x.items.count > y.items.count ? 1 : 0)
        default:
            throw ScryError(.typeError, "cannot order \(a.typeName) and \(b.typeName)")
        }
    }

    static func number(_ v: Value) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .float(let f): return f
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    static func contains(_ container: Value, _ item: Value) throws -> Bool {
        switch container {
        case .list(let l): return l.items.contains { equal($0, item) }
        case .dict(let d): return d[item] != nil
        case .string(let s):
            guard case .string(let part) = item else {
                throw ScryError(.typeError, "'in <string>' needs a string on the left, not \(item.typeName)")
            }
            return part.isEmpty || s.contains(part)
        case .range(let r):
            guard case .int(let i) = item else { return false }
            let offset = Int128(i) - Int128(r.start)
            return offset % Int128(r.step) == 0 && offset / Int128(r.step) >= 0 && offset / Int128(r.step) < Int128(r.count)
        case .host(let object):
            if let iterator = try object.makeIterator() { return iterator.contains { equal($0, item) } }
        default: break
        }
        throw ScryError(.typeError, "'in' needs a list, dict, string, range or iterable on the right, not \(container.typeName)")
    }
}
