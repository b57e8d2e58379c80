/// One entry of a subscript as host objects receive it: `x[i]`, `x[a:b:c]`, `x[...]`.
public enum SubscriptValue {
    case index(Value)
    case slice(start: Int?, stop: Int?, step: Int?)
    case ellipsis
}

/// A value that Swift code hands to Scry (a tensor, a model, a dataset). Each capability is
/// optional: the defaults say "not supported", and the interpreter turns that into a
/// TypeError naming the type and the operation.
public protocol HostObject: AnyObject {
    /// The type name users see (`tensor`, `model`).
    var typeName: String { get }
    /// The display form (`print`, `repr`).
    var display: String { get }
    /// The fuller form the shell shows for a cell's result (a tensor's statistics, a model's
    /// layer table); by default the display form.
    var detailedDisplay: String { get }
    /// An attribute or bound method; nil when there is none of that name.
    func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value?
    /// Sets an attribute; false when there is none of that name.
    func setAttribute(_ name: String, _ value: Value) throws -> Bool
    /// Names for completion and `help`.
    var attributeNames: [String] { get }
    /// `self op other` (or `other op self` when `reversed`); nil when unsupported.
    func binary(_ op: String, _ other: Value, reversed: Bool) throws -> Value?
    /// `-self`; nil when unsupported.
    func negate() throws -> Value?
    /// `self[subscripts]`; nil when the object cannot be indexed.
    func subscriptGet(_ subscripts: [SubscriptValue]) throws -> Value?
    /// `self[subscripts] = value`; false when the object cannot be assigned into.
    func subscriptSet(_ subscripts: [SubscriptValue], _ value: Value) throws -> Bool
    /// `self(…)`; nil when the object is not callable.
    func call(_ arguments: Arguments, _ interpreter: Interpreter) throws -> Value?
    /// The elements `for x in self` visits; nil when not iterable.
    func makeIterator() throws -> AnyIterator<Value>?
    /// `len(self)`; nil when it has no length.
    var length: Int? { get }
    /// Bytes of data it holds, for `:vars`; nil when not meaningful.
    var memoryBytes: Int? { get }
    /// A MIME bundle for values shown as pictures (`image/png` base64 and `text/plain`):
    /// notebooks store it as display_data and the shell draws it; nil for other values.
    func richOutput() throws -> [String: String]?
}

extension HostObject {
    public var display: String { "<\(typeName)>" }
    public var detailedDisplay: String { display }
    public func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? { nil }
    public func setAttribute(_ name: String, _ value: Value) throws -> Bool { false }
    public var attributeNames: [String] { [] }
    public func binary(_ op: String, _ other: Value, reversed: Bool) throws -> Value? { nil }
    public func negate() throws -> Value? { nil }
    public func subscriptGet(_ subscripts: [SubscriptValue]) throws -> Value? { nil }
    public func subscriptSet(_ subscripts: [SubscriptValue], _ value: Value) throws -> Bool { false }
    public func call(_ arguments: Arguments, _ interpreter: Interpreter) throws -> Value? { nil }
    public func makeIterator() throws -> AnyIterator<Value>? { nil }
    public var length: Int? { nil }
    public var memoryBytes: Int? { nil }
    public func richOutput() throws -> [String: String]? { nil }
}

/// The value `e` in `catch e`: the error's name and message.
final class ErrorObject: HostObject {
    let error: ScryError
    init(_ error: ScryError) { self.error = error }
    var typeName: String { "error" }
    var display: String { error.description }
    var attributeNames: [String] { ["name", "message"] }
    func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "name": return .string(error.name.rawValue)
        case "message": return .string(error.message)
        default: return nil
        }
    }
}
