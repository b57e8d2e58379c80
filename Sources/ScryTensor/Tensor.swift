/// An n-dimensional array (rank 0 to 5) of float32, int64 or bool, with value semantics:
/// copies share storage until one is written to. Shape operations (reshape, permute,
/// slicing, flip, expand) return views over the same storage; element-wise operations accept
/// such views directly. A tensor that `requiresGrad` records the operations applied to it, and
/// `backward()` sends gradients back through them (see Autograd.swift).
public struct Tensor {
    /// The most axes a tensor may have.
    public static let maxRank = 5

    public internal(set) var shape: [Int]
    /// Element strides of each axis (may be 0 for broadcast axes, negative for flipped ones).
    public internal(set) var strides: [Int]
    /// Element offset of the first element in storage.
    var offset: Int
    public internal(set) var dtype: DType
    var storage: Storage
    /// The autograd record: nil for tensors that need no gradient.
    var node: AutogradNode?

    init(storage: Storage, shape: [Int], strides: [Int], offset: Int, dtype: DType) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.dtype = dtype
    }

    /// A contiguous tensor with uninitialised elements; kernels fill every one.
    init(uninitialized shape: [Int], dtype: DType) throws {
        try Tensor.checkShape(shape, op: "tensor")
        let count = shape.reduce(1, *)
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        if overflow { throw TensorError.invalidArgument(op: "tensor", "shape \(shapeString(shape)) is too large") }
        self.init(storage: try Storage.allocate(byteCount: bytes), shape: shape,
                  strides: Tensor.contiguousStrides(shape), offset: 0, dtype: dtype)
    }

    static func checkShape(_ shape: [Int], op: String) throws {
        if shape.count > maxRank {
            throw TensorError.invalidArgument(op: op, "rank \(shape.count) exceeds the maximum of \(maxRank)")
        }
        if let bad = shape.first(where: { $0 < 0 }) {
            throw TensorError.invalidArgument(op: op, "negative dimension \(bad) in shape \(shapeString(shape))")
        }
        var total = 1
        for size in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: size)
            if overflow { throw TensorError.invalidArgument(op: op, "shape \(shapeString(shape)) is too large") }
            total = product
        }
    }

    /// Row-major strides, in elements, of a contiguous tensor of this shape.
    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// Number of axes.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// True when elements lie in row-major order with no gaps (axes of size 1 ignored).
    public var isContiguous: Bool {
        var expected = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// A view of the same elements under a new shape and strides (no autograd record).
    func view(shape: [Int], strides: [Int], offset: Int) -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype)
    }

    /// Resolves a possibly negative axis against `rank`, throwing when it is out of range.
    static func normalizeAxis(_ axis: Int, rank: Int, op: String) throws -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0 && resolved < rank else {
            throw TensorError.invalidAxis(op: op, axis: axis, rank: rank)
        }
        return resolved
    }

    /// Resolves a list of axes (nil: all), rejecting duplicates; the result is sorted.
    static func normalizeAxes(_ axes: [Int]?, rank: Int, op: String) throws -> [Int] {
        guard let axes else { return Array(0..<rank) }
        let resolved = try axes.map { try normalizeAxis($0, rank: rank, op: op) }
        if Set(resolved).count != resolved.count {
            throw TensorError.invalidArgument(op: op, "repeated axis in \(shapeString(axes))")
        }
        return resolved.sorted()
    }

    // MARK: Raw element access for kernels

    var floatPointer: UnsafeMutablePointer<Float> {
        storage.base.assumingMemoryBound(to: Float.self) + offset
    }
    var int64Pointer: UnsafeMutablePointer<Int64> {
        storage.base.assumingMemoryBound(to: Int64.self) + offset
    }
    var boolPointer: UnsafeMutablePointer<UInt8> {
        storage.base.assumingMemoryBound(to: UInt8.self) + offset
    }
    var rawPointer: UnsafeMutableRawPointer { storage.base + offset * dtype.byteSize }
}
