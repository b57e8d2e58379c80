import Foundation

/// Methods of lists, dicts and strings (`xs.append(4)`, `d.keys()`, `s.upper()`).
public enum Methods {
    /// The method names of a list, dict or string (empty for other values).
    public static func names(of value: Value) -> [String] {
        switch value {
        case .list: return ["append", "copy", "extend", "index", "insert", "pop", "reverse", "sort"]
        case .dict: return ["copy", "get", "items", "keys", "pop", "values"]
        case .string: return ["endswith", "join", "lower", "replace", "split", "startswith", "strip", "upper"]
        default: return []
        }
    }

    static func lookup(_ base: Value, _ name: String) -> NativeFunction? {
        switch base {
        case .list(let list): return listMethod(list, name)
        case .dict(let dict): return dictMethod(dict, name)
        case .string(let string): return stringMethod(string, name)
        default: return nil
        }
    }

    private static func listMethod(_ list: ListStorage, _ name: String) -> NativeFunction? {
        switch name {
        case "append":
            return NativeFunction("append", [Parameter("value")], doc: "Adds a value at the end.") { a in
                list.items.append(a["value"]); return .nil
            }
        case "extend":
            return NativeFunction("extend", [Parameter("values")], doc: "Adds every value of an iterable at the end.") { a in
                list.items += try Iteration.array(a["values"]); return .nil
            }
        case "insert":
            return NativeFunction("insert", [Parameter("index"), Parameter("value")], doc: "Inserts a value before an index.") { a in
                let i = try a.int("index"), n = list.items.count
                list.items.insert(a["value"], at: Swift.min(Swift.max(i < 0 ? i + n : i, 0), n))
                return .nil
            }
        case "pop":
            return NativeFunction("pop", [Parameter("index", default: .int(-1))], doc: "Removes and returns an element (default: the last).") { a in
                let i = try Indexing.position(a["index"], count: list.items.count, .list(list))
                return list.items.remove(at: i)
            }
        case "index":
            return NativeFunction("index", [Parameter("value")], doc: "Position of the first element equal to a value.") { a in
                guard let i = list.items.firstIndex(where: { Operators.equal($0, a["value"]) }) else {
                    throw ScryError(.valueError, "\(a["value"].display) is not in the list")
                }
                return .int(i)
            }
        case "copy":
            return NativeFunction("copy", doc: "A shallow copy.") { _ in .list(ListStorage(list.items)) }
        case "reverse":
            return NativeFunction("reverse", doc: "Reverses the list in place.") { _ in list.items.reverse(); return .nil }
        case "sort":
            return NativeFunction("sort", [Parameter("reverse", default: .bool(false))], doc: "Sorts numbers or strings in place.") { a in
                list.items = try Builtins.sorted(list.items, reverse: try a.bool("reverse"))
                return .nil
            }
        default: return nil
        }
    }

    private static func dictMethod(_ dict: DictStorage, _ name: String) -> NativeFunction? {
        switch name {
        case "keys": return NativeFunction("keys", doc: "The keys, in insertion order.") { _ in .list(ListStorage(dict.keys)) }
        case "values": return NativeFunction("values", doc: "The values, in insertion order.") { _ in .list(ListStorage(dict.values)) }
        case "items":
            return NativeFunction("items", doc: "[key, value] pairs, in insertion order.") { _ in
                .list(ListStorage(dict.entries.map { .list(ListStorage([$0.key, $0.value])) }))
            }
        case "get":
            return NativeFunction("get", [Parameter("key"), Parameter("default", default: .nil)], doc: "The value of a key, or a default.") { a in
                dict[a["key"]] ?? a["default"]
            }
        case "pop":
            return NativeFunction("pop", [Parameter("key")], doc: "Removes a key and returns its value.") { a in
                guard let value = dict.remove(a["key"]) else { throw ScryError(.keyError, "key \(a["key"].display) is not in the dict") }
                return value
            }
        case "copy":
            return NativeFunction("copy", doc: "A shallow copy.") { _ in
                let copy = DictStorage()
                for entry in dict.entries { try copy.set(entry.key, entry.value) }
                return .dict(copy)
            }
        default: return nil
        }
    }

    private static func stringMethod(_ string: String, _ name: String) -> NativeFunction? {
        switch name {
        case "upper": return NativeFunction("upper", doc: "Upper-case copy.") { _ in .string(string.uppercased()) }
        case "lower": return NativeFunction("lower", doc: "Lower-case copy.") { _ in .string(string.lowercased()) }
        case "strip":
            return NativeFunction("strip", doc: "Copy without leading and trailing white space.") { _ in
                .string(string.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        case "split":
            return NativeFunction("split", [Parameter("separator", default: .nil)], doc: "Pieces between separators (default: runs of white space).") { a in
                let parts: [String]
                if a.has("separator") {
                    let separator = try a.string("separator")
                    guard !separator.isEmpty else { throw ScryError(.valueError, "split(): empty separator") }
                    parts = string.components(separatedBy: separator)
                } else {
                    parts = string.split(whereSeparator: { $0.isWhitespace }).map(String.init)
                }
                return .list(ListStorage(parts.map { .string($0) }))
            }
        case "join":
            return NativeFunction("join", [Parameter("items")], doc: "The items' texts joined by this string.") { a in
                .string(try a.list("items").map(\.printed).joined(separator: string))
            }
        case "replace":
            return NativeFunction("replace", [Parameter("old"), Parameter("new")], doc: "Copy with every 'old' replaced by 'new'.") { a in
                let old = try a.string("old")
                guard !old.isEmpty else { throw ScryError(.valueError, "replace(): empty 'old'") }
                return .string(string.replacingOccurrences(of: old, with: try a.string("new")))
            }
        case "startswith":
            return NativeFunction("startswith", [Parameter("prefix")], doc: "Whether the string starts with a prefix.") { a in .bool(string.hasPrefix(try a.string("prefix"))) }
        case "endswith":
            return NativeFunction("endswith", [Parameter("suffix")], doc: "Whether the string ends with a suffix.") { a in .bool(string.hasSuffix(try a.string("suffix"))) }
        default: return nil
        }
    }
}
