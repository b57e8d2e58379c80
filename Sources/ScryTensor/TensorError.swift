/// Every way a tensor operation can refuse its input. Operations throw these instead of
/// trapping, so that an interactive session survives any mistake.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// Two shapes that an operation needs to agree (or broadcast) do not.
    case shapeMismatch(op: String, String)
    /// An axis outside `-rank..<rank`.
    case invalidAxis(op: String, axis: Int, rank: Int)
    /// An index outside its axis.
    case indexOutOfRange(op: String, index: Int, axis: Int, size: Int)
    /// An operand of a type the operation does not accept.
    case dtypeMismatch(op: String, String)
    /// Any other invalid argument, with a message naming it.
    case invalidArgument(op: String, String)
    /// A gradient-related misuse (backward on a tensor that needs no grad, …).
    case autograd(String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, message): return "\(op): \(message)"
        case let .invalidAxis(op, axis, rank):
            return "\(op): axis \(axis) is out of range for a tensor of rank \(rank)"
                + (rank == 0 ? "" : " (valid: \(-rank)...\(rank - 1))")
        case let .indexOutOfRange(op, index, axis, size):
            return "\(op): index \(index) is out of range for axis \(axis) of size \(size)"
        case let .dtypeMismatch(op, message): return "\(op): \(message)"
        case let .invalidArgument(op, message): return "\(op): \(message)"
        case let .autograd(message): return message
        }
    }
}

/// Formats a shape the way users write it: `[2, 3, 4]`.
public func shapeString(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
