import Foundation

extension Tensor: CustomStringConvertible {
    /// Shape and dtype, then a NumPy-style view of the values, abbreviated with `...` along
    /// any axis longer than six when the tensor has more than 1000 elements.
    public var description: String {
        "tensor(shape: \(shapeString(shape)), dtype: \(dtype))\n" + valuesDescription()
    }

    /// The values alone, NumPy style: `[[1.0000, 2.0000], [3.0000, 4.0000]]` over several lines.
    public func valuesDescription(edgeItems: Int = 3, threshold: Int = 1000) -> String {
        let edgeItems = Swift.max(edgeItems, 1)
        let summarize = count > threshold
        var width = 0
        var texts: [Int: String] = [:]
        // Format only the elements that will be shown, and pad them to a common width.
        func visit(_ axis: Int, _ position: Int, _ body: (Int) -> Void) {
            if axis == rank { body(position); return }
            for i in shownIndices(axis, summarize, edgeItems) where i >= 0 {
                visit(axis + 1, position + i * strides[axis], body)
            }
        }
        visit(0, offset) { position in
            let text = dtype == .int64 ? String(storage.base.assumingMemoryBound(to: Int64.self)[position])
                                       : format(value(atOffset: position))
            texts[position] = text
            width = Swift.max(width, text.count)
        }
        func render(_ axis: Int, _ position: Int) -> String {
            if axis == rank {
                let text = texts[position] ?? ""
                return String(repeating: " ", count: width - text.count) + text
            }
            let indent = String(repeating: " ", count: axis + 1)
            let separator = axis == rank - 1 ? ", " : "," + String(repeating: "\n", count: rank - axis - 1) + indent
            let parts = shownIndices(axis, summarize, edgeItems).map { i in
                i < 0 ? "..." : render(axis + 1, position + i * strides[axis])
            }
            return "[" + parts.joined(separator: separator) + "]"
        }
        return render(0, offset)
    }

    /// Indices of `axis` to show; -1 marks the elision.
    private func shownIndices(_ axis: Int, _ summarize: Bool, _ edgeItems: Int) -> [Int] {
        let size = shape[axis]
        if summarize && size > 2 * edgeItems {
            return Array(0..<edgeItems) + [-1] + Array((size - edgeItems)..<size)
        }
        return Array(0..<size)
    }

    private func format(_ value: Double) -> String {
        switch dtype {
        case .bool: return value != 0 ? "true" : "false"
        case .int64: return String(DType.saturatingInt64(value))
        case .float32:
            if value.isNaN { return "nan" }
            if value.isInfinite { return value < 0 ? "-inf" : "inf" }
            let magnitude = Swift.abs(value)
            if magnitude != 0 && (magnitude >= 1e8 || magnitude < 1e-4) { return String(format: "%.4e", value) }
            return String(format: "%.4f", value)
        }
    }
}
