import ScryTensor

/// Removes the hook it was returned for.
public final class HookHandle {
    private let remover: () -> Void
    init(_ remover: @escaping () -> Void) { self.remover = remover }
    public func remove() { remover() }
}

/// Watches every module call of a forward pass, parents before children (summaries use it).
public final class ModuleTracer: @unchecked Sendable {
    public struct Call {
        public let module: Module
        public let depth: Int
        public var outputShape: [Int]?
    }
    public private(set) var calls: [Call] = []
    private var depth = 0

    public init() {}

    @TaskLocal static var current: ModuleTracer?

    /// Runs `body` with this tracer recording module calls.
    public func trace<T>(_ body: () throws -> T) rethrows -> T {
        try ModuleTracer.$current.withValue(self, operation: body)
    }

    func enter(_ module: Module) -> Int {
        calls.append(Call(module: module, depth: depth))
        depth += 1
        return calls.count - 1
    }

    func exit(_ index: Int, _ output: Tensor?) {
        depth -= 1
        calls[index].outputShape = output?.shape
    }
}

nonisolated(unsafe) private var nextHookID = 0

extension Module {
    /// Calls `body` after each forward pass with this module's output (an activation).
    @discardableResult
    public func addForwardHook(_ body: @escaping (Module, Tensor) throws -> Void) -> HookHandle {
        nextHookID += 1
        let id = nextHookID
        forwardHooks.append((id, body))
        return HookHandle { [weak self] in self?.forwardHooks.removeAll { $0.id == id } }
    }

    /// Calls `body` during backward with the gradient flowing into this module's output.
    @discardableResult
    public func addBackwardHook(_ body: @escaping (Module, Tensor) throws -> Void) -> HookHandle {
        nextHookID += 1
        let id = nextHookID
        backwardHooks.append((id, body))
        return HookHandle { [weak self] in self?.backwardHooks.removeAll { $0.id == id } }
    }

    /// Runs one forward computation of this module with its hooks, backward override and
    /// tracing; `input` is the tensor an override differentiates with respect to. Results that
    /// hold no tensor (a Scry module returning a list) pass through without hooks.
    public func run<Result: ModuleOutput>(input: Tensor?, _ body: () throws -> Result) throws -> Result {
        let tracer = ModuleTracer.current
        let call = tracer?.enter(self)
        var result: Result
        if let override = backwardOverride, let input {
            let raw = try withNoGrad(body)
            guard let rawTensor = raw.moduleTensor else { throw TensorError.invalidArgument(op: typeName, "a replaced backward needs a tensor output") }
            let saved = input.detach()
            result = raw.replacingModuleTensor(Tensor.custom("\(typeName) (replaced backward)", output: rawTensor, inputs: [input]) { g in
                [try override(saved, rawTensor, g)]
            })
        } else {
            result = try body()
        }
        guard var output = result.moduleTensor else {
            if let call { tracer?.exit(call, nil) }
            return result
        }
        for hook in forwardHooks { try hook.body(self, output) }
        if !backwardHooks.isEmpty && output.requiresGrad {
            let hooks = backwardHooks
            // The graph keeps the module alive until backward has run, even if the session drops it.
            output = Tensor.custom("\(typeName) (gradient hook)", output: output, inputs: [output]) { [self] g in
                for hook in hooks { try hook.body(self, g) }
                return [g]
            }
        }
        if let call { tracer?.exit(call, output) }
        lastOutputShape = output.shape
        return result.replacingModuleTensor(output)
    }
}

extension Tensor {
    /// Runs an operation of `dimensions` spatial axes on [N, C, x, y, 1] too (a 2D image stored
    /// as a one-slice volume, as NIfTI keeps it), through [N, C, x, y], the axis put back after.
    public func planar(dimensions: Int?, _ body: (Tensor) throws -> Tensor) throws -> Tensor {
        guard let dimensions, rank == dimensions + 3, shape.last == 1 else { return try body(self) }
        return try body(squeeze(axes: [rank - 1])).unsqueeze(rank - 1)
    }
}

/// What a module call returns: a tensor, or a value that may hold one (a Scry value).
public protocol ModuleOutput {
    var moduleTensor: Tensor? { get }
    func replacingModuleTensor(_ tensor: Tensor) -> Self
}

extension Tensor: ModuleOutput {
    public var moduleTensor: Tensor? { self }
    public func replacingModuleTensor(_ tensor: Tensor) -> Tensor { tensor }
}
