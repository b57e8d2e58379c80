extension Tensor {
    /// Storage offset of the element at `index` (one entry per axis, negative counts from the end).
    func elementOffset(_ index: [Int], op: String) throws -> Int {
        guard index.count == rank else {
            throw TensorError.invalidArgument(op: op, "\(index.count) indices given for a tensor of rank \(rank)")
        }
        var position = offset
        for axis in 0..<rank {
            let i = index[axis] < 0 ? index[axis] + shape[axis] : index[axis]
            guard i >= 0 && i < shape[axis] else {
                throw TensorError.indexOutOfRange(op: op, index: index[axis], axis: axis, size: shape[axis])
            }
            position += i * strides[axis]
        }
        return position
    }

    /// Reads the element at storage offset `position` as a Double.
    func value(atOffset position: Int) -> Double {
        switch dtype {
        case .float32: return Double(storage.base.assumingMemoryBound(to: Float.self)[position])
        case .int64: return Double(storage.base.assumingMemoryBound(to: Int64.self)[position])
        case .bool: return storage.base.assumingMemoryBound(to: UInt8.self)[position] != 0 ? 1 : 0
        }
    }

    /// The element at `index`, as a Double.
    public func element(at index: [Int]) throws -> Double {
        value(atOffset: try elementOffset(index, op: "element"))
    }

    /// The value of a one-element tensor (PyTorch's `item()`).
    public func item() throws -> Double {
        guard count == 1 else {
            throw TensorError.invalidArgument(op: "item", "only one-element tensors convert to a number; this one has shape \(shapeString(shape))")
        }
        return value(atOffset: offset)
    }

    /// Makes this tensor the sole owner of contiguous storage, copying if it shares it.
    mutating func makeUniqueContiguous() throws {
        if !isKnownUniquelyReferenced(&storage) || !isContiguous || offset != 0 {
            let copy = try materialized()
            storage = copy.storage
            strides = copy.strides
            offset = 0
        }
    }

    /// Writes one element (copy-on-write: other tensors sharing the storage are unaffected).
    /// Writing cuts the tensor from the autograd graph, as an in-place edit would invalidate it.
    public mutating func setElement(_ newValue: Double, at index: [Int]) throws {
        _ = try elementOffset(index, op: "setElement")
        try makeUniqueContiguous()
        let position = try elementOffset(index, op: "setElement")
        switch dtype {
        case .float32: storage.base.assumingMemoryBound(to: Float.self)[position] = Float(newValue)
        case .int64: storage.base.assumingMemoryBound(to: Int64.self)[position] = DType.saturatingInt64(newValue)
        case .bool: storage.base.assumingMemoryBound(to: UInt8.self)[position] = newValue != 0 ? 1 : 0
        }
        if node?.isLeaf == false { node = nil }
    }

    /// All elements in row-major order, as float32.
    public func floats() throws -> [Float] {
        let values = try to(.float32).materialized()
        return Array(UnsafeBufferPointer(start: values.floatPointer, count: count))
    }

    /// All elements in row-major order, as Doubles.
    public func scalars() -> [Double] {
        var result: [Double] = []
        result.reserveCapacity(count)
        forEachOffset { result.append(value(atOffset: $0)) }
        return result
    }

    /// Calls `body` with the storage offset of each element in row-major order.
    func forEachOffset(_ body: (Int) -> Void) {
        if count == 0 { return }
        var index = [Int](repeating: 0, count: rank)
        var position = offset
        while true {
            body(position)
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                position += strides[axis]
                if index[axis] < shape[axis] { break }
                position -= index[axis] * strides[axis]
                index[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }
}
