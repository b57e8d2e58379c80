import ScryTensor

/// Clean-up of predicted label maps, as GaNDLF's `data_postprocessing` names it: holes filled,
/// the largest connected component kept, morphology, label values mapped. Each works on every
/// foreground label (value ≠ 0) of a map [1, …] or […] in 2D or 3D, with face connectivity.
public enum Postprocessing {
    public enum Morphology: String, CaseIterable, Sendable {
        case dilation, erosion, opening, closing
    }

    /// Background regions of each label that do not reach the border, given that label.
    public static func fillHoles(_ labels: Tensor) throws -> Tensor {
        try perLabel(labels) { values, shape in
            var result = values
            for label in foreground(values) {
                let outside = components(of: values.map { $0 != label }, shape: shape)
                for region in outside where !region.touchesBorder {
                    for i in region.members where values[i] == 0 { result[i] = label }
                }
            }
            return result
        }
    }

    /// Each label's largest connected component; its other components become background.
    public static func largestComponent(_ labels: Tensor) throws -> Tensor {
        try perLabel(labels) { values, shape in
            var result = values
            for label in foreground(values) {
                let regions = components(of: values.map { $0 == label }, shape: shape)
                guard let largest = regions.indices.max(by: { regions[$0].members.count < regions[$1].members.count }) else { continue }
                for (r, region) in regions.enumerated() where r != largest {
                    for i in region.members { result[i] = 0 }
                }
            }
            return result
        }
    }

    /// Dilation, erosion, opening or closing of each label by a cross (face neighbours)
    /// applied `radius` times. Where dilated labels meet, the larger value wins. Erosion
    /// counts the grid's outside as background, except within a closing, which would otherwise
    /// strip what touches the border (SimpleITK's safe border).
    public static func morphology(_ labels: Tensor, _ operation: Morphology, radius: Int = 1) throws -> Tensor {
        guard radius >= 1 else { throw TensorError.invalidArgument(op: "morphology", "radius must be at least 1, got \(radius)") }
        return try perLabel(labels) { values, shape in
            var result = [Double](repeating: 0, count: values.count)
            for label in foreground(values) {
                var mask = values.map { $0 == label }
                let steps: [Bool]
                switch operation {
                case .dilation: steps = [true]
                case .erosion: steps = [false]
                case .opening: steps = [false, true]
                case .closing: steps = [true, false]
                }
                for grow in steps {
                    for _ in 0..<radius { mask = step(mask, shape: shape, grow: grow, outside: operation == .closing && !grow) }
                }
                for i in mask.indices where mask[i] { result[i] = Swift.max(result[i], label) }
            }
            return result
        }
    }

    /// Label values replaced through `mapping` (values it does not name stay).
    public static func mapLabels(_ labels: Tensor, _ mapping: [Double: Double]) throws -> Tensor {
        try perLabel(labels) { values, _ in values.map { mapping[$0] ?? $0 } }
    }

    private static func foreground(_ values: [Double]) -> [Double] { Set(values).filter { $0 != 0 }.sorted() }

    /// Runs `body` on the flat values of a label map [1, …] or […] with its spatial shape.
    private static func perLabel(_ labels: Tensor, _ body: ([Double], [Int]) -> [Double]) throws -> Tensor {
        let shape = labels.rank >= 3 && labels.shape[0] == 1 ? Array(labels.shape.dropFirst()) : labels.shape
        guard (1...3).contains(shape.count) else {
            throw TensorError.shapeMismatch(op: "postprocessing", "a label map [1, …] or […] in 1 to 3 dimensions, got \(shapeString(labels.shape))")
        }
        // Axes of size 1 (a 2D NIfTI's third) have no neighbours: without them, the flat order is the same.
        let spread = shape.filter { $0 > 1 }
        let result = body(labels.scalars(), spread.isEmpty ? [1] : spread)
        return try Tensor(flat: result, shape: labels.shape).to(labels.dtype)
    }

    /// One erosion (grow false) or dilation (grow true) step by the face-neighbour cross, the
    /// grid's outside counting as `outside`.
    private static func step(_ mask: [Bool], shape: [Int], grow: Bool, outside: Bool) -> [Bool] {
        let strides = Tensor.contiguousStrides(shape)
        var result = mask
        for i in mask.indices where mask[i] != grow {
            for axis in shape.indices {
                let coordinate = i / strides[axis] % shape[axis]
                let below = coordinate > 0 ? mask[i - strides[axis]] : outside
                let above = coordinate < shape[axis] - 1 ? mask[i + strides[axis]] : outside
                if grow ? (below || above) : (!below || !above) { result[i] = grow; break }
            }
        }
        return result
    }

    struct Region {
        var members: [Int] = []
        var touchesBorder = false
    }

    /// The connected regions of the true voxels (face connectivity), by breadth-first search.
    static func components(of mask: [Bool], shape: [Int]) -> [Region] {
        let strides = Tensor.contiguousStrides(shape)
        var labels = [Int](repeating: -1, count: mask.count), regions: [Region] = []
        for seed in mask.indices where mask[seed] && labels[seed] < 0 {
            var region = Region(), queue = [seed]
            labels[seed] = regions.count
            var head = 0
            func visit(_ neighbour: Int) {
                guard mask[neighbour], labels[neighbour] < 0 else { return }
                labels[neighbour] = regions.count
                queue.append(neighbour)
            }
            while head < queue.count {
                let i = queue[head]
                head += 1
                for axis in shape.indices {
                    let coordinate = i / strides[axis] % shape[axis]
                    if coordinate == 0 || coordinate == shape[axis] - 1 { region.touchesBorder = true }
                    if coordinate > 0 { visit(i - strides[axis]) }
                    if coordinate < shape[axis] - 1 { visit(i + strides[axis]) }
                }
            }
            // Every voxel queued is the region's, in the order it was reached.
            region.members = queue
            regions.append(region)
        }
        return regions
    }
}
