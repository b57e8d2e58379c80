/// A variable shared between a function and the closures made inside it.
final class Cell {
    var value: Value?
    init(_ value: Value? = nil) { self.value = value }
}

/// The storage of one running function (or of module-level code): its local slots, its own
/// cells, the cells it captured, and the value a `return` left.
final class Frame {
    let slots: UnsafeMutablePointer<Value?>
    let slotCount: Int
    var cells: ContiguousArray<Cell>
    var free: ContiguousArray<Cell>
    var returnValue: Value = .nil
    /// The line of the statement running in this frame, for tracebacks.
    var line = 0

    init(slotCount: Int, cellCount: Int, free: ContiguousArray<Cell>) {
        self.slotCount = slotCount
        slots = .allocate(capacity: Swift.max(slotCount, 1))
        slots.initialize(repeating: nil, count: slotCount)
        cells = ContiguousArray((0..<cellCount).map { _ in Cell() })
        self.free = free
    }

    deinit {
        slots.deinitialize(count: slotCount)
        slots.deallocate()
    }

    /// Empties the frame for reuse by another call of the same function.
    func reset() {
        for i in 0..<slotCount { slots[i] = nil }
        returnValue = .nil
    }
}

/// How a compiled statement finished.
enum Flow {
    case normal, breakLoop, continueLoop, returned
}

typealias ExprCode = (Frame) throws -> Value
typealias StmtCode = (Frame) throws -> Flow

/// A function's compiled body and parameter layout, shared by every closure made from it.
final class FunctionCode {
    let name: String
    let doc: String?
    let parameterNames: [String]
    /// Where each parameter lives in a new frame.
    let parameterRefs: [VariableRef]
    let slotCount: Int, cellCount: Int
    let body: StmtCode
    let sourceName: String

    init(name: String, doc: String?, parameterNames: [String], parameterRefs: [VariableRef], slotCount: Int,
         cellCount: Int, body: @escaping StmtCode, sourceName: String) {
        self.name = name; self.doc = doc; self.parameterNames = parameterNames; self.parameterRefs = parameterRefs
        self.slotCount = slotCount; self.cellCount = cellCount; self.body = body
        self.sourceName = sourceName
        parametersAreSlots = parameterRefs.enumerated().allSatisfy { i, ref in
            if case .slot(let slot) = ref { return slot == i }
            return false
        }
    }

    /// True when parameter i lives in slot i (no parameter is a closure cell), so calls can
    /// fill the frame directly.
    let parametersAreSlots: Bool

    /// Frames of finished calls, reused: a call then costs no allocation.
    var framePool: [Frame] = []
}

/// A function written in Scry: compiled code plus its captured cells and default values.
public final class ScryFunction: Callable {
    let code: FunctionCode
    let captured: ContiguousArray<Cell>
    /// Default values, evaluated when the function was made (nil: required).
    let defaults: [Value?]

    init(code: FunctionCode, captured: ContiguousArray<Cell>, defaults: [Value?]) {
        self.code = code; self.captured = captured; self.defaults = defaults
    }

    public var name: String { code.name }
    /// Parameter names in order (completion offers them as keywords).
    public var parameterNames: [String] { code.parameterNames }
    public var doc: String? { code.doc }
    public var scryFunction: ScryFunction? { self }

    /// The signature as `help` shows it: `dice(p, y, eps: 1e-05)`.
    public var signature: String {
        let params = zip(code.parameterNames, defaults).map { name, value in
            value.map { "\(name): \($0.display)" } ?? name
        }
        return "\(code.name)(\(params.joined(separator: ", ")))"
    }

    func newFrame() -> Frame {
        if let frame = code.framePool.popLast() {
            if code.cellCount > 0 { frame.cells = ContiguousArray((0..<code.cellCount).map { _ in Cell() }) }
            if !captured.isEmpty || !frame.free.isEmpty { frame.free = captured }
            return frame
        }
        return Frame(slotCount: code.slotCount, cellCount: code.cellCount, free: captured)
    }

    /// Returns a finished call's frame for reuse (a few per function suffice).
    func recycle(_ frame: Frame) {
        guard code.framePool.count < 16 else { return }
        frame.reset()
        code.framePool.append(frame)
    }

    /// Binds arguments to parameters (positions, keywords, defaults) and runs the body.
    public func call(_ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let frame = newFrame()
        let names = code.parameterNames
        if arguments.positional.count > names.count {
            throw ScryError(.typeError, "\(code.name)() takes \(names.count) argument\(names.count == 1 ? "" : "s") but \(arguments.positional.count) were given")
        }
        var bound = [Value?](repeating: nil, count: names.count)
        for (i, value) in arguments.positional.enumerated() { bound[i] = value }
        for (name, value) in arguments.keywords {
            guard let i = names.firstIndex(of: name) else {
                throw ScryError(.typeError, "\(code.name)() got an unexpected keyword argument '\(name)' (parameters: \(names.joined(separator: ", ")))")
            }
            if bound[i] != nil { throw ScryError(.typeError, "\(code.name)() got multiple values for argument '\(name)'") }
            bound[i] = value
        }
        for i in names.indices {
            guard let value = bound[i] ?? defaults[i] else {
                throw ScryError(.typeError, "\(code.name)() missing required argument '\(names[i])'")
            }
            store(value, code.parameterRefs[i], frame)
        }
        return try interpreter.run(self, frame)
    }

    func store(_ value: Value, _ ref: VariableRef, _ frame: Frame) {
        switch ref {
        case .slot(let i): frame.slots[i] = value
        case .cell(let i): frame.cells[i].value = value
        default: break
        }
    }
}
