/// The element type of a tensor: float32 for values, int64 for indices, bool for masks.
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    case float32, int64, bool

    /// Bytes one element occupies in storage (bool is one byte).
    public var byteSize: Int {
        switch self {
        case .float32: return 4
        case .int64: return 8
        case .bool: return 1
        }
    }

    public var description: String { rawValue }

    /// The int64 a float converts to: truncated toward zero, saturating at the int64 range,
    /// NaN giving 0 (never a trap, whatever the input).
    static func saturatingInt64<F: BinaryFloatingPoint>(_ value: F) -> Int64 {
        if value.isNaN { return 0 }
        return Int64(exactly: value.rounded(.towardZero)) ?? (value < 0 ? .min : .max)
    }

    /// The type both operands of an arithmetic op are converted to: float wins, then int64;
    /// two bools add as integers, as in NumPy.
    static func promoted(_ a: DType, _ b: DType) -> DType {
        if a == .float32 || b == .float32 { return .float32 }
        return .int64
    }
}
