import ScryTensor

/// Child modules named 0, 1, 2… applied in order.
public final class Sequential: Module {
    public init(_ modules: [Module], typeName: String = "Sequential") {
        super.init(typeName)
        for (i, module) in modules.enumerated() { register(child: String(i), module) }
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        var y = x
        for (_, module) in children { y = try module(y) }
        return y
    }
}
