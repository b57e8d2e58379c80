/// One node of the recorded computation graph, in the manner of micrograd: the inputs that
/// need gradients and a closure mapping the output's gradient to theirs. Leaves (tensors the
/// user marked `requiresGrad`) have no closure and accumulate their gradient in `grad`.
final class AutogradNode {
    let op: String
    let inputs: [AutogradNode?]
    let backward: ((Tensor) throws -> [Tensor?])?
    /// Accumulated gradient (leaves, and nodes asked to retain theirs).
    var grad: Tensor?
    var retainsGrad: Bool

    init(leaf: ()) {
        op = "leaf"; inputs = []; backward = nil; retainsGrad = true
    }

    init(op: String, inputs: [AutogradNode?], backward: @escaping (Tensor) throws -> [Tensor?]) {
        self.op = op; self.inputs = inputs; self.backward = backward; retainsGrad = false
    }

    var isLeaf: Bool { backward == nil }
}

/// Whether operations record themselves for backward; see `withNoGrad`.
public enum Autograd {
    @TaskLocal static var isEnabled = true
}

/// Runs `body` without recording operations for autodiff (inference, optimizer updates).
public func withNoGrad<T>(_ body: () throws -> T) rethrows -> T {
    try Autograd.$isEnabled.withValue(false, operation: body)
}

extension Tensor {
    /// Whether gradients flow to this tensor. Setting it to true makes this tensor a leaf that
    /// accumulates its gradient in `grad`; only float32 tensors can require gradients.
    public var requiresGrad: Bool {
        get { node != nil }
        set {
            if newValue {
                if node == nil && dtype == .float32 { node = AutogradNode(leaf: ()) }
            } else {
                node = nil
            }
        }
    }

    /// Returns this tensor marked as a leaf requiring gradients.
    public func requiringGrad(_ flag: Bool = true) throws -> Tensor {
        if flag && dtype != .float32 {
            throw TensorError.dtypeMismatch(op: "requiresGrad", "only float32 tensors can require gradients, not \(dtype)")
        }
        var copy = self
        copy.requiresGrad = flag
        return copy
    }

    /// The gradient accumulated by `backward()` (leaves, or tensors that `retainGrad()`).
    public var grad: Tensor? { node?.grad }

    /// Whether this tensor was produced by a recorded operation (as opposed to a leaf).
    public var isLeaf: Bool { node?.isLeaf ?? true }

    /// Keeps the gradient of this intermediate tensor after `backward()`.
    public func retainGrad() { node?.retainsGrad = true }

    /// Replaces the accumulated gradient (gradient clipping); no effect unless this tensor
    /// requires gradients.
    public func setGrad(_ gradient: Tensor?) { node?.grad = gradient?.detach() }

    /// Clears the accumulated gradient.
    public func zeroGrad() { node?.grad = nil }

    /// The same values cut off from the graph: no gradient flows through the result.
    public func detach() -> Tensor {
        var copy = self
        copy.node = nil
        return copy
    }

    /// Records `output` as the result of `op` on `inputs` when any input needs a gradient.
    /// `backward` receives the output's gradient and returns one per input (nil: none).
    func recordOp(_ op: String, _ output: Tensor, _ inputs: [Tensor],
                  _ backward: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        Tensor.record(op, output, inputs, backward)
    }

    /// Records `output` as a custom operation on `inputs`: `backward` maps the output's
    /// gradient to one per input. Layers use it for hooks and for replaced backward rules
    /// (guided backpropagation).
    public static func custom(_ op: String, output: Tensor, inputs: [Tensor],
                              backward: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        record(op, output.detach(), inputs, backward)
    }

    /// Takes `values` (same shape) while keeping this tensor's gradient slot, so an optimizer
    /// step updates a parameter without changing its identity in the graph.
    public mutating func assignValues(_ values: Tensor) throws {
        guard values.shape == shape else {
            throw TensorError.shapeMismatch(op: "assign", "values \(shapeString(values.shape)) do not match \(shapeString(shape))")
        }
        let keep = node
        self = try values.to(dtype).detach()
        node = keep
    }

    static func record(_ op: String, _ output: Tensor, _ inputs: [Tensor],
                       _ backward: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        guard output.dtype == .float32, inputs.contains(where: { $0.node != nil }), Autograd.isEnabled else {
            return output
        }
        var result = output
        result.node = AutogradNode(op: op, inputs: inputs.map(\.node), backward: backward)
        return result
    }

    /// Back-propagates from this tensor: `seed` is its gradient (default 1 for a one-element
    /// tensor). Leaves accumulate into `grad`, so call `zeroGrad` between steps.
    public func backward(_ seed: Tensor? = nil) throws {
        let (root, start) = try backwardStart(seed, "backward")
        try withNoGrad {
            let order = Tensor.topologicalOrder(from: root)
            var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): start]
            for current in order.reversed() {
                guard let gradient = pending.removeValue(forKey: ObjectIdentifier(current)) else { continue }
                if current.retainsGrad {
                    current.grad = try current.grad.map { try $0 + gradient } ?? gradient
                }
                guard let backward = current.backward else { continue }
                try Tensor.propagate(backward(gradient), from: current, into: &pending)
            }
        }
    }

    /// The gradients of this tensor with respect to `targets` alone, as torch.autograd.grad
    /// gives them: the graph is walked only along paths that lead to a target, and no tensor's
    /// `grad` changes. A target this tensor does not depend on gets zeros.
    public func gradients(withRespectTo targets: [Tensor], seed: Tensor? = nil) throws -> [Tensor] {
        let (root, start) = try backwardStart(seed, "gradients")
        let wanted = Set(targets.compactMap { $0.node.map(ObjectIdentifier.init) })
        return try withNoGrad {
            let order = Tensor.topologicalOrder(from: root)
            // A node matters when a target is itself or among its inputs' ancestors.
            var matters = Set<ObjectIdentifier>()
            for node in order where wanted.contains(ObjectIdentifier(node)) || node.inputs.contains(where: { $0.map { matters.contains(ObjectIdentifier($0)) } ?? false }) {
                matters.insert(ObjectIdentifier(node))
            }
            var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): start]
            var found: [ObjectIdentifier: Tensor] = [:]
            for current in order.reversed() where matters.contains(ObjectIdentifier(current)) {
                guard let gradient = pending.removeValue(forKey: ObjectIdentifier(current)) else { continue }
                if wanted.contains(ObjectIdentifier(current)) { found[ObjectIdentifier(current)] = gradient }
                guard let backward = current.backward,
                      current.inputs.contains(where: { $0.map { matters.contains(ObjectIdentifier($0)) } ?? false }) else { continue }
                try Tensor.propagate(backward(gradient), from: current, into: &pending)
            }
            return try targets.map { target in
                try target.node.flatMap { found[ObjectIdentifier($0)] } ?? Tensor.zeros(target.shape)
            }
        }
    }

    /// The root node and the seed gradient of a backward pass from this tensor.
    private func backwardStart(_ seed: Tensor?, _ op: String) throws -> (AutogradNode, Tensor) {
        guard let root = node else {
            throw TensorError.autograd("\(op): this tensor does not require grad (mark an input with requiresGrad)")
        }
        if let seed {
            guard seed.shape == shape else {
                throw TensorError.shapeMismatch(op: op, "gradient shape \(shapeString(seed.shape)) does not match tensor shape \(shapeString(shape))")
            }
            return (root, try seed.to(.float32).detach())
        }
        guard count == 1 else {
            throw TensorError.autograd("\(op): a tensor of shape \(shapeString(shape)) needs an explicit gradient; only one-element tensors default to 1")
        }
        return (root, try Tensor.ones(shape))
    }

    /// Adds a node's input gradients to those pending for its inputs.
    private static func propagate(_ inputGrads: [Tensor?], from current: AutogradNode, into pending: inout [ObjectIdentifier: Tensor]) throws {
        for (input, inputGrad) in zip(current.inputs, inputGrads) {
            guard let input, let inputGrad else { continue }
            let key = ObjectIdentifier(input)
            pending[key] = try pending[key].map { try $0 + inputGrad } ?? inputGrad
        }
    }

    /// Nodes reachable from `root`, each after all of its inputs (iterative: graphs from long
    /// loops are deep).
    private static func topologicalOrder(from root: AutogradNode) -> [AutogradNode] {
        var order: [AutogradNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(AutogradNode, Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
        while let (current, next) = stack.popLast() {
            if next < current.inputs.count {
                stack.append((current, next + 1))
                if let input = current.inputs[next], visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
            } else {
                order.append(current)
            }
        }
        return order
    }
}
