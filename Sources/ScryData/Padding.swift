import ScryTensor

/// How values beyond an image's edge are made up when it is padded: numpy.pad's modes, which
/// GaNDLF's patch_sampler.padding_mode names (its default is symmetric). Zeros; the edge
/// repeated; a mirror image without the edge voxel (reflect) or with it (symmetric); or the
/// opposite edge (wrap).
public enum PaddingMode: String, CaseIterable, Sendable {
    case constant, edge, reflect, symmetric, wrap

    /// `data` [C, …spatial] with `margins[axis]` voxels added on both sides of spatial axis
    /// `axis`.
    public func pad(_ data: Tensor, margins: [Int]) throws -> Tensor {
        guard margins.count == data.rank - 1, margins.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidArgument(op: "pad", "margins \(shapeString(margins)) for an image \(shapeString(data.shape)): one non-negative margin per spatial axis")
        }
        // Zeros need no passes: one pad makes every margin.
        if self == .constant { return try data.pad([(0, 0)] + margins.map { ($0, $0) }).contiguous() }
        var result = data
        for (axis, margin) in margins.enumerated() where margin > 0 {
            result = try pad(result, axis: axis + 1, margin: margin)
        }
        return try result.contiguous()
    }

    /// Margins wider than the axis are added in passes, each mirroring or wrapping what the
    /// last one made, as numpy does.
    private func pad(_ x: Tensor, axis: Int, margin: Int) throws -> Tensor {
        var result = x, left = margin, right = margin
        while left > 0 || right > 0 {
            let n = result.shape[axis]
            // A single voxel has nothing to reflect but itself.
            let mode = self == .reflect && n == 1 ? PaddingMode.edge : self
            let room = mode == .reflect ? n - 1 : n
            let a = Swift.min(left, room), b = Swift.min(right, room)
            func part(_ start: Int, _ stop: Int, flipped: Bool) throws -> Tensor {
                var window = [TensorIndex](repeating: .all, count: result.rank)
                window[axis] = .slice(start: start, stop: stop, step: nil)
                let slice = try result.index(window)
                return flipped ? try slice.flip([axis]) : slice
            }
            func run(_ count: Int, _ value: Tensor) throws -> Tensor {
                var counts = [Int](repeating: 1, count: result.rank)
                counts[axis] = count
                return try value.repeat(counts)
            }
            let before: Tensor, after: Tensor
            switch mode {
            case .constant: preconditionFailure("zeros are padded in one step")
            case .edge: (before, after) = (try run(a, try part(0, 1, flipped: false)), try run(b, try part(n - 1, n, flipped: false)))
            case .symmetric: (before, after) = (try part(0, a, flipped: true), try part(n - b, n, flipped: true))
            case .reflect: (before, after) = (try part(1, a + 1, flipped: true), try part(n - 1 - b, n - 1, flipped: true))
            case .wrap: (before, after) = (try part(n - a, n, flipped: false), try part(0, b, flipped: false))
            }
            result = try Tensor.concat([before, result, after], axis: axis)
            left -= a; right -= b
        }
        return result
    }
}
