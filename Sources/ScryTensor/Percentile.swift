/// The `q`-th percentile (0…100) of values sorted in ascending order, interpolated linearly
/// between the closest ranks as NumPy's default does; NaN for no values.
public func percentile<Value: BinaryFloatingPoint>(sorted: [Value], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let position = q / 100 * Double(sorted.count - 1), below = Int(position.rounded(.down)), above = Swift.min(below + 1, sorted.count - 1)
    return Double(sorted[below]) + (Double(sorted[above]) - Double(sorted[below])) * (position - Double(below))
}
