import ScryTensor

/// What `model.summary(input_shape)` shows, as torchinfo does: every module call of one forward
/// pass on zeros, in call order and indented by depth, with its output shape and parameter
/// count, then totals and memory estimates.
public struct ModuleSummary {
    public struct Row {
        public let path: String, typeName: String, depth: Int
        public let outputShape: [Int]?
        /// Parameters the module holds itself; nil for a container that holds none.
        public let parameters: Int?
    }
    public let rows: [Row]
    public let totalParameters: Int, trainableParameters: Int
    public let inputBytes: Int, activationBytes: Int, parameterBytes: Int

    /// Runs `module` once (evaluation mode, no gradients) on zeros of `inputShape`.
    public init(_ module: Module, inputShape: [Int]) throws {
        try self.init(module, input: Tensor.zeros(inputShape)) { try module($0) }
    }

    /// Traces `run(input)`, for modules whose call takes more than a tensor.
    public init(_ module: Module, input: Tensor, run: (Tensor) throws -> Any) throws {
        let paths = Dictionary(module.namedModules().map { (ObjectIdentifier($0.module), $0.path) }, uniquingKeysWith: { a, _ in a })
        let tracer = ModuleTracer()
        // Every module's own mode comes back afterwards (a tree may mix train and eval).
        let modes = module.namedModules().map { ($0.module, $0.module.isTraining) }
        module.setTraining(false)
        defer { for (m, training) in modes { m.setTrainingAlone(training) } }
        _ = try withNoGrad { try tracer.trace { try run(input) } }
        rows = tracer.calls.map { call in
            let own = call.module.ownParameters.reduce(0) { $0 + $1.tensor.count }
            return Row(path: paths[ObjectIdentifier(call.module)] ?? "?", typeName: call.module.typeName, depth: call.depth,
                       outputShape: call.outputShape, parameters: own == 0 && !call.module.children.isEmpty ? nil : own)
        }
        let parameters = module.namedParameters()
        totalParameters = parameters.reduce(0) { $0 + $1.tensor.count }
        trainableParameters = parameters.filter { $0.tensor.requiresGrad }.reduce(0) { $0 + $1.tensor.count }
        inputBytes = input.count * 4
        // Outputs are kept for backward and each has a gradient of its size, as torchinfo counts.
        activationBytes = 2 * 4 * tracer.calls.filter { $0.module.children.isEmpty }.reduce(0) { $0 + ($1.outputShape?.reduce(1, *) ?? 0) }
        parameterBytes = module.stateDict().reduce(0) { $0 + $1.tensor.count * $1.tensor.dtype.byteSize }
    }
}
