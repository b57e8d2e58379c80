/// One entry of a subscript such as `x[0, :, 10:20]`.
public enum TensorIndex: Equatable, Sendable {
    /// A single position (negative counts from the end); the axis is removed.
    case at(Int)
    /// A Python-style slice: start, stop and step, each optional; negative positions count
    /// from the end, a negative step walks backwards.
    case slice(start: Int?, stop: Int?, step: Int?)
    /// A new axis of size 1.
    case newAxis
    /// As many full slices as needed to cover the remaining axes.
    case ellipsis

    /// The full slice `:`.
    public static let all = TensorIndex.slice(start: nil, stop: nil, step: nil)
}

extension Tensor {
    /// The sub-tensor a subscript selects, as a view (no copy). Differentiable: the gradient is
    /// scattered back into a zero tensor of the input's shape.
    public func index(_ indices: [TensorIndex]) throws -> Tensor {
        let ellipses = indices.filter { $0 == .ellipsis }.count
        guard ellipses <= 1 else { throw TensorError.invalidArgument(op: "index", "at most one ellipsis (...) is allowed") }
        let consuming = indices.filter { $0 != .newAxis && $0 != .ellipsis }.count
        guard consuming <= rank else {
            throw TensorError.invalidArgument(op: "index", "\(consuming) indices given for a tensor of rank \(rank) (shape \(shapeString(shape)))")
        }
        var expanded: [TensorIndex] = []
        for index in indices {
            if index == .ellipsis {
                expanded += [TensorIndex](repeating: .all, count: rank - consuming)
            } else {
                expanded.append(index)
            }
        }
        var newShape: [Int] = [], newStrides: [Int] = []
        var position = offset
        var axis = 0
        for index in expanded {
            switch index {
            case .newAxis:
                newShape.append(1); newStrides.append(0)
            case .ellipsis:
                break
            case .at(let i):
                let resolved = i < 0 ? i + shape[axis] : i
                guard resolved >= 0 && resolved < shape[axis] else {
                    throw TensorError.indexOutOfRange(op: "index", index: i, axis: axis, size: shape[axis])
                }
                position += resolved * strides[axis]
                axis += 1
            case let .slice(start, stop, step):
                let (first, length, by) = try Tensor.resolveSlice(start, stop, step, size: shape[axis], axis: axis)
                if length > 0 { position += first * strides[axis] }
                newShape.append(length); newStrides.append(strides[axis] * by)
                axis += 1
            }
        }
        newShape += shape[axis...]; newStrides += strides[axis...]
        try Tensor.checkShape(newShape, op: "index")
        let output = view(shape: newShape, strides: newStrides, offset: position)
        let input = self
        return recordOp("index", output, [self]) { g in [try input.scatterIntoZeros(g, indices: expanded)] }
    }

    /// Python's slice resolution: (first position, element count, step).
    static func resolveSlice(_ start: Int?, _ stop: Int?, _ step: Int?, size: Int, axis: Int) throws -> (Int, Int, Int) {
        let by = step ?? 1
        guard by != 0 && by != .min else { throw TensorError.invalidArgument(op: "index", "slice step cannot be zero (axis \(axis))") }
        func clampPosition(_ value: Int?, default fallback: Int) -> Int {
            guard var v = value else { return fallback }
            if v < 0 { v += size }
            return by > 0 ? Swift.min(Swift.max(v, 0), size) : Swift.min(Swift.max(v, -1), size - 1)
        }
        let first = clampPosition(start, default: by > 0 ? 0 : size - 1)
        let end = clampPosition(stop, default: by > 0 ? size : -1)
        // Written so that no intermediate overflows, whatever the step.
        let length = by > 0 ? (end > first ? (end - first - 1) / by + 1 : 0) : (first > end ? (first - end - 1) / -by + 1 : 0)
        return (first, length, by)
    }

    /// A zero tensor shaped like this one with `values` written where `indices` select.
    func scatterIntoZeros(_ values: Tensor, indices: [TensorIndex]) throws -> Tensor {
        let zeros = try Tensor.zeros(shape, dtype: values.dtype)
        let target = try zeros.index(indices)
        try values.expand(target.shape).copyElements(into: target)
        return zeros
    }

    /// Writes `values` (broadcast) into the region `indices` select, copy-on-write. Writing
    /// cuts the tensor from the autograd graph.
    public mutating func assign(_ values: Tensor, at indices: [TensorIndex]) throws {
        _ = try index(indices)
        try makeUniqueContiguous()
        let target = try detach().index(indices)
        let source = try values.to(dtype).expand(target.shape).materialized()
        source.copyElements(into: target)
        node = nil
    }

    /// Picks the entries `indices` (int64, rank 1) along `axis`, in that order; a copy.
    public func indexSelect(axis: Int, indices: Tensor) throws -> Tensor {
        let a = try Tensor.normalizeAxis(axis, rank: rank, op: "index_select")
        guard indices.dtype == .int64, indices.rank <= 1 else {
            throw TensorError.dtypeMismatch(op: "index_select", "indices must be an int64 tensor of rank 0 or 1, got \(indices.dtype) of shape \(shapeString(indices.shape))")
        }
        let flatIndices = try indices.materialized()
        let picks = (0..<flatIndices.count).map { Int(flatIndices.int64Pointer[$0]) }
        let size = shape[a]
        let resolved = try picks.map { i -> Int in
            let r = i < 0 ? i + size : i
            guard r >= 0 && r < size else { throw TensorError.indexOutOfRange(op: "index_select", index: i, axis: a, size: size) }
            return r
        }
        var outShape = shape
        outShape[a] = resolved.count
        let result = try Tensor(uninitialized: outShape, dtype: dtype)
        for (j, i) in resolved.enumerated() {
            let source = view(shape: Tensor.removing(a, from: shape), strides: Tensor.removing(a, from: strides),
                              offset: offset + i * strides[a])
            let target = result.view(shape: Tensor.removing(a, from: outShape), strides: Tensor.removing(a, from: result.strides),
                                     offset: j * result.strides[a])
            source.copyElements(into: target)
        }
        let inputShape = shape
        return recordOp("index_select", result, [self]) { g in
            [try Tensor.indexAdd(g, axis: a, indices: resolved, shape: inputShape)]
        }
    }

    /// Zeros of `shape` with slices of `values` added at `indices` along `axis` (repeats add up).
    private static func indexAdd(_ values: Tensor, axis: Int, indices: [Int], shape: [Int]) throws -> Tensor {
        let result = try zeros(shape)
        let source = try values.materialized()
        for (j, i) in indices.enumerated() {
            let target = result.view(shape: removing(axis, from: shape), strides: removing(axis, from: result.strides),
                                     offset: i * result.strides[axis])
            let slice = source.view(shape: removing(axis, from: source.shape), strides: removing(axis, from: source.strides),
                                    offset: j * source.strides[axis])
            let sum = try target.add(slice)
            sum.copyElements(into: target)
        }
        return result
    }

    static func removing(_ axis: Int, from values: [Int]) -> [Int] {
        var copy = values
        copy.remove(at: axis)
        return copy
    }
}
