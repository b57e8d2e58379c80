import ScryLang

/// One name for two functions, chosen by the call's first argument (positional, or the keyword
/// `x`): `sum` of a tensor or of a list, `relu(x)` or the layer `relu()`, `split` of a dataset
/// or of a tensor.
final class ArgumentDispatch: Callable {
    let name: String, doc: String?, signature: String, help: String?
    private let matches: (Value) -> Bool
    private let matching: any Callable, other: any Callable

    init(_ name: String, when matches: @escaping (Value) -> Bool, then matching: any Callable, otherwise other: any Callable,
         doc: String?, signature: String? = nil, help: String? = nil) {
        self.name = name; self.matches = matches; self.matching = matching; self.other = other
        self.doc = doc; self.signature = signature ?? "\(name)(…)"; self.help = help
    }

    func call(_ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let first = arguments.positional.first ?? arguments.keywords.first(where: { $0.name == "x" })?.value
        return try (first.map(matches) == true ? matching : other).call(arguments, interpreter)
    }

    /// Tensors, and images, which stand for their data.
    static func isTensor(_ value: Value) -> Bool {
        if case .host(let object) = value { return object is TensorObject || object is ImageObject }
        return false
    }
}
