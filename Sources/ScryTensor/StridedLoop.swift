/// Walks the elements of one shape for several operands at once, each with its own strides
/// (0 on broadcast axes). Axes that are contiguous for every operand are merged first, so that
/// same-shape contiguous operands become one long row; the kernel then handles each row with
/// a tight inner loop, and rows are shared among threads in large chunks.
struct StridedLoop {
    /// Length of each row (the merged innermost axis).
    let inner: Int
    /// Each operand's stride along the row.
    let innerStrides: [Int]
    /// Number of rows.
    let rows: Int
    private let outerShape: [Int]
    private let outerStrides: [[Int]]
    private let baseOffsets: [Int]

    /// `strides[k]` and `offsets[k]` describe operand k over `shape`.
    init(shape: [Int], strides: [[Int]], offsets: [Int]) {
        var dims: [(size: Int, strides: [Int])] = []
        for axis in shape.indices where shape[axis] != 1 {
            let axisStrides = strides.map { $0[axis] }
            if let last = dims.last,
               zip(last.strides, axisStrides).allSatisfy({ $0 == $1 * shape[axis] }) {
                dims[dims.count - 1] = (last.size * shape[axis], axisStrides)
            } else {
                dims.append((shape[axis], axisStrides))
            }
        }
        if shape.contains(0) { dims = [(0, strides.map { _ in 0 })] }
        if dims.isEmpty { dims = [(1, strides.map { _ in 0 })] }
        // One long row (same-shape contiguous operands) becomes equal rows, so threads can share it.
        if dims.count == 1, dims[0].size >= 1 << 16,
           let rowLength = stride(from: 1 << 14, through: 1 << 11, by: -1).first(where: { dims[0].size % $0 == 0 }) {
            let (size, rowStrides) = dims[0]
            dims = [(size / rowLength, rowStrides.map { $0 * rowLength }), (rowLength, rowStrides)]
        }
        inner = dims[dims.count - 1].size
        innerStrides = dims[dims.count - 1].strides
        outerShape = dims.dropLast().map(\.size)
        outerStrides = dims.dropLast().map(\.strides)
        rows = outerShape.reduce(1, *)
        baseOffsets = offsets
    }

    /// Calls `body(rowOffsets)` once per row; rowOffsets[k] is operand k's element offset at
    /// the row's start. Rows are split among threads when the work is large enough.
    func run(_ body: (UnsafeMutablePointer<Int>) -> Void) {
        let operands = baseOffsets.count
        let grain = max(1, (1 << 15) / max(inner, 1))
        parallelFor(rows, grain: grain) { range in
            let offsets = UnsafeMutablePointer<Int>.allocate(capacity: operands)
            defer { offsets.deallocate() }
            var index = [Int](repeating: 0, count: outerShape.count)
            // Position the odometer at the chunk's first row.
            var remainder = range.lowerBound
            for k in 0..<operands { offsets[k] = baseOffsets[k] }
            for axis in stride(from: outerShape.count - 1, through: 0, by: -1) {
                index[axis] = remainder % outerShape[axis]
                remainder /= outerShape[axis]
                for k in 0..<operands { offsets[k] += index[axis] * outerStrides[axis][k] }
            }
            for _ in range {
                body(offsets)
                // Advance the odometer by one row.
                var axis = outerShape.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    for k in 0..<operands { offsets[k] += outerStrides[axis][k] }
                    if index[axis] < outerShape[axis] { break }
                    for k in 0..<operands { offsets[k] -= index[axis] * outerStrides[axis][k] }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}
