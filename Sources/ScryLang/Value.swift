import Foundation

/// A Scry value. Numbers, bools, strings and nil are stored inline; lists and dicts are shared
/// mutable references (as in Python); functions and host objects are references.
public enum Value {
    case `nil`
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case list(ListStorage)
    case dict(DictStorage)
    case range(RangeValue)
    case function(any Callable)
    case host(any HostObject)

    /// The type's name as errors and `type(x)` show it.
    public var typeName: String {
        switch self {
        case .nil: return "nil"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "string"
        case .list: return "list"
        case .dict: return "dict"
        case .range: return "range"
        case .function: return "function"
        case .host(let object): return object.typeName
        }
    }

    /// Whether the value is nil.
    public var isNil: Bool { if case .nil = self { return true }; return false }

    /// An int or a float as a Double; nil for anything else (a bool included).
    public var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .float(let f): return f
        default: return nil
        }
    }

    /// Truthiness: false, nil, 0, 0.0, "" and empty collections are false.
    public var isTruthy: Bool {
        switch self {
        case .nil: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let f): return f != 0
        case .string(let s): return !s.isEmpty
        case .list(let l): return !l.items.isEmpty
        case .dict(let d): return d.count > 0
        case .range(let r): return r.count > 0
        case .function, .host: return true
        }
    }

    /// The text `print` writes: strings as they are, everything else as its display.
    public var printed: String {
        if case .string(let s) = self { return s }
        return display
    }

    /// The display form: strings quoted, containers with their elements' displays (a list
    /// or dict that contains itself shows `[...]` / `{...}` there, as in Python).
    public var display: String {
        var open = Set<ObjectIdentifier>()
        return display(&open)
    }

    private func display(_ open: inout Set<ObjectIdentifier>) -> String {
        switch self {
        case .list(let l):
            // Deep nesting is cut off as a cycle is: the display must not exhaust the stack.
            guard open.count < 200, open.insert(ObjectIdentifier(l)).inserted else { return "[...]" }
            defer { open.remove(ObjectIdentifier(l)) }
            var parts: [String] = []
            for item in l.items { parts.append(item.display(&open)) }
            return "[" + parts.joined(separator: ", ") + "]"
        case .dict(let d):
            guard open.count < 200, open.insert(ObjectIdentifier(d)).inserted else { return "{...}" }
            defer { open.remove(ObjectIdentifier(d)) }
            var parts: [String] = []
            for entry in d.entries { parts.append("\(entry.key.display(&open)): \(entry.value.display(&open))") }
            return "{" + parts.joined(separator: ", ") + "}"
        default:
            return leafDisplay
        }
    }

    private var leafDisplay: String {
        switch self {
        case .nil: return "nil"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let f): return Value.format(f)
        case .string(let s): return Value.quote(s)
        case .list, .dict: return display
        case .range(let r): return r.description
        case .function(let f): return "<fn \(f.name)>"
        case .host(let object): return object.display
        }
    }

    /// Shortest text that reads back as the same double, always with a '.' or exponent.
    static func format(_ f: Double) -> String {
        if f.isNaN { return "nan" }
        if f.isInfinite { return f < 0 ? "-inf" : "inf" }
        if f == f.rounded() && Swift.abs(f) < 1e16 { return String(format: "%.1f", f) }
        return "\(f)"
    }

    /// A string literal that reads back as `s`.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for c in s {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.append(c)
            }
        }
        return out + "\""
    }
}

/// A list's elements, shared by every value that refers to the list.
public final class ListStorage {
    public var items: [Value]
    /// A list holding `items`.
    public init(_ items: [Value]) { self.items = items }
}

/// An insertion-ordered dictionary with int, float, string or bool keys.
public final class DictStorage {
    private(set) var keys: [Value] = []
    private(set) var values: [Value] = []
    private var index: [HashKey: Int] = [:]

    /// An empty dict.
    public init() {}

    public var count: Int { keys.count }
    public var entries: [(key: Value, value: Value)] { Array(zip(keys, values)).map { (key: $0.0, value: $0.1) } }

    /// The value of `key`, or nil when the dict has no such key.
    public subscript(key: Value) -> Value? {
        guard let hash = HashKey(key), let i = index[hash] else { return nil }
        return values[i]
    }

    /// Sets `key` to `value`; a key of an unhashable type is a TypeError.
    public func set(_ key: Value, _ value: Value) throws {
        guard let hash = HashKey(key) else {
            throw ScryError(.typeError, "a \(key.typeName) cannot be a dict key (use a string, int, float or bool)")
        }
        if let i = index[hash] {
            values[i] = value
        } else {
            index[hash] = keys.count
            keys.append(key)
            values.append(value)
        }
    }

    @discardableResult
    /// Removes `key`, returning its value.
    public func remove(_ key: Value) -> Value? {
        guard let hash = HashKey(key), let i = index.removeValue(forKey: hash) else { return nil }
        keys.remove(at: i)
        let removed = values.remove(at: i)
        for (k, v) in index where v > i { index[k] = v - 1 }
        return removed
    }
}

/// The hashable form of a dict key; 1 and 1.0 are the same key, as in Python.
enum HashKey: Hashable {
    case int(Int), float(Double), string(String), bool(Bool)

    init?(_ value: Value) {
        switch value {
        case .int(let i): self = .int(i)
        case .float(let f): if f == f.rounded(), let i = Int(exactly: f) { self = .int(i) } else { self = .float(f) }
        case .string(let s): self = .string(s)
        case .bool(let b): self = .bool(b)
        default: return nil
        }
    }
}

/// An integer range with a step: `a..<b`, `a...b`, `range(start, stop, step)`.
public struct RangeValue: CustomStringConvertible {
    public let start: Int, stop: Int, step: Int
    /// Number of elements, computed once without overflow.
    public let count: Int

    /// A range; one with more elements than an int can count is a ValueError.
    public init(start: Int, stop: Int, step: Int) throws {
        guard step != 0 else { throw ScryError(.valueError, "range step cannot be zero") }
        let span = Int128(stop) - Int128(start), by = Int128(step)
        let elements = by > 0 ? (span > 0 ? (span - 1) / by + 1 : 0) : (span < 0 ? (-span - 1) / -by + 1 : 0)
        guard elements <= Int128(Int.max) else {
            throw ScryError(.valueError, "range(\(start), \(stop), \(step)) has too many elements")
        }
        self.start = start; self.stop = stop; self.step = step
        count = Int(elements)
    }

    /// The i-th integer of the range.
    public func element(_ i: Int) -> Int { start + i * step }

    public var description: String {
        step == 1 ? "\(start)..<\(stop)" : "range(\(start), \(stop), \(step))"
    }
}

/// Something that can be called: Scry functions, host functions, bound methods.
public protocol Callable: AnyObject {
    var name: String { get }
    /// One-line documentation, shown by `help`.
    var doc: String? { get }
    func call(_ arguments: Arguments, _ interpreter: Interpreter) throws -> Value
    /// The function itself when it is written in Scry (calls to those take a faster path).
    var scryFunction: ScryFunction? { get }
    /// How `help` shows the call: `name(a, b: 1)`.
    var signature: String { get }
    /// A longer help text shown after the signature and doc line.
    var help: String? { get }
}

extension Callable {
    public var scryFunction: ScryFunction? { nil }
    public var signature: String { "\(name)(…)" }
    public var help: String? { nil }
}

/// Positional and keyword arguments of one call.
public struct Arguments {
    public var positional: [Value]
    public var keywords: [(name: String, value: Value)]
    public init(_ positional: [Value] = [], keywords: [(name: String, value: Value)] = []) {
        self.positional = positional
        self.keywords = keywords
    }
}
