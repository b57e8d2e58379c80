/// `x[…]` and `x[…] = v` for lists, strings, dicts and host objects.
enum Indexing {
    static func get(_ base: Value, _ subscripts: [SubscriptValue]) throws -> Value {
        switch base {
        case .list(let list):
            let items = list.items
            switch try single(subscripts, base) {
            case .index(let key): return items[try position(key, count: items.count, base)]
            case let .slice(start, stop, step): return .list(ListStorage(try slice(items, start, stop, step)))
            case .ellipsis: return base
            }
        case .string(let string):
            let characters = Array(string)
            switch try single(subscripts, base) {
            case .index(let key): return .string(String(characters[try position(key, count: characters.count, base)]))
            case let .slice(start, stop, step): return .string(String(try slice(characters, start, stop, step)))
            case .ellipsis: return base
            }
        case .range(let range):
            guard case .index(let key) = try single(subscripts, base) else {
                throw ScryError(.typeError, "ranges support single indices only; use list(r) to slice")
            }
            return .int(range.element(try position(key, count: range.count, base)))
        case .dict(let dict):
            guard case .index(let key) = try single(subscripts, base) else {
                throw ScryError(.typeError, "dicts are indexed by keys, not slices")
            }
            guard let value = dict[key] else { throw ScryError(.keyError, "key \(key.display) is not in the dict") }
            return value
        case .host(let object):
            if let value = try object.subscriptGet(subscripts) { return value }
        default: break
        }
        throw ScryError(.typeError, "a \(base.typeName) cannot be indexed")
    }

    static func set(_ base: Value, _ subscripts: [SubscriptValue], _ value: Value) throws {
        switch base {
        case .list(let list):
            guard case .index(let key) = try single(subscripts, base) else {
                throw ScryError(.typeError, "assigning to a list slice is not supported; assign elements one by one")
            }
            list.items[try position(key, count: list.items.count, base)] = value
            return
        case .dict(let dict):
            guard case .index(let key) = try single(subscripts, base) else {
                throw ScryError(.typeError, "dicts are indexed by keys, not slices")
            }
            try dict.set(key, value)
            return
        case .host(let object):
            if try object.subscriptSet(subscripts, value) { return }
        default: break
        }
        throw ScryError(.typeError, "a \(base.typeName) does not support item assignment")
    }

    private static func single(_ subscripts: [SubscriptValue], _ base: Value) throws -> SubscriptValue {
        guard subscripts.count == 1 else {
            throw ScryError(.typeError, "a \(base.typeName) takes one index, not \(subscripts.count)")
        }
        return subscripts[0]
    }

    /// A valid position for `key` (negative counts from the end).
    static func position(_ key: Value, count: Int, _ base: Value) throws -> Int {
        guard case .int(let i) = key else {
            throw ScryError(.typeError, "\(base.typeName) indices must be ints, not \(key.typeName)")
        }
        let resolved = i < 0 ? i + count : i
        guard resolved >= 0 && resolved < count else {
            throw ScryError(.indexError, "\(base.typeName) index \(i) is out of range for a \(base.typeName) of length \(count)")
        }
        return resolved
    }

    /// Python's slice of `items`.
    static func slice<T>(_ items: [T], _ start: Int?, _ stop: Int?, _ step: Int?) throws -> [T] {
        let by = step ?? 1
        guard by != 0 else { throw ScryError(.valueError, "slice step cannot be zero") }
        let count = items.count
        func clamp(_ value: Int?, _ fallback: Int) -> Int {
            guard var v = value else { return fallback }
            if v < 0 { v += count }
            return by > 0 ? Swift.min(Swift.max(v, 0), count) : Swift.min(Swift.max(v, -1), count - 1)
        }
        var i = clamp(start, by > 0 ? 0 : count - 1)
        let end = clamp(stop, by > 0 ? count : -1)
        var result: [T] = []
        while by > 0 ? i < end : i > end {
            result.append(items[i])
            let (next, overflow) = i.addingReportingOverflow(by)
            if overflow { break }
            i = next
        }
        return result
    }
}

/// `x.name` for built-in values (their methods) and host objects.
public enum Attributes {
    static func get(_ base: Value, _ name: String, _ interpreter: Interpreter) throws -> Value {
        if case .host(let object) = base {
            if let value = try object.attribute(name, interpreter) { return value }
        } else if let method = Methods.lookup(base, name) {
            return .function(method)
        }
        throw ScryError(.typeError, "\(base.typeName) has no attribute '\(name)'" + suggestion(name, names(of: base)))
    }

    static func set(_ base: Value, _ name: String, _ value: Value) throws {
        if case .host(let object) = base, try object.setAttribute(name, value) { return }
        throw ScryError(.typeError, "cannot set attribute '\(name)' on a \(base.typeName)")
    }

    static func names(of value: Value) -> [String] {
        if case .host(let object) = value { return object.attributeNames }
        return Methods.names(of: value)
    }

    /// " (did you mean 'x'?)" when a candidate is close to `name`, else "".
    public static func suggestion(_ name: String, _ candidates: [String]) -> String {
        guard let best = candidates.min(by: { editDistance($0, name) < editDistance($1, name) }),
              editDistance(best, name) <= Swift.max(1, name.count / 3) else { return "" }
        return " (did you mean '\(best)'?)"
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        var row = Array(0...y.count)
        for i in 1...Swift.max(x.count, 1) where !x.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...Swift.max(y.count, 1) where !y.isEmpty {
                let old = row[j]
                row[j] = Swift.min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return row[y.count]
    }
}

/// What `for … in` visits for each kind of value.
public enum Iteration {
    /// `pairs`: a dict yields [key, value] lists, for `for k, v in d`.
    public static func iterator(_ value: Value, pairs: Bool = false) throws -> AnyIterator<Value> {
        switch value {
        case .list(let list):
            var i = 0
            let items = list.items
            return AnyIterator { defer { i += 1 }; return i < items.count ? items[i] : nil }
        case .range(let range):
            var i = 0
            return AnyIterator { defer { i += 1 }; return i < range.count ? .int(range.element(i)) : nil }
        case .string(let string):
            var iterator = string.makeIterator()
            return AnyIterator { iterator.next().map { .string(String($0)) } }
        case .dict(let dict):
            var i = 0
            let entries = dict.entries
            return AnyIterator {
                defer { i += 1 }
                guard i < entries.count else { return nil }
                return pairs ? .list(ListStorage([entries[i].key, entries[i].value])) : entries[i].key
            }
        case .host(let object):
            if let iterator = try object.makeIterator() { return iterator }
        default: break
        }
        throw ScryError(.typeError, "a \(value.typeName) is not iterable")
    }

    /// All the elements `for` would visit, as an array.
    public static func array(_ value: Value) throws -> [Value] {
        if case .list(let list) = value { return list.items }
        if case .range(let range) = value { try Operators.checkSize(range.count, 1) }
        return Array(try iterator(value))
    }
}
