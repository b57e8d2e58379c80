import Foundation
import Synchronization

/// The single random generator behind every random tensor: xoshiro256** (Blackman & Vigna),
/// seeded through SplitMix64, with normals by the Box–Muller transform. Values are drawn in
/// row-major order on one thread, so a seed gives identical tensors whatever the thread count.
public struct RandomGenerator: Sendable, Equatable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    /// Box–Muller yields normals in pairs; the second waits here.
    private var spareNormal: Float?

    /// A generator whose whole future output is fixed by `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// The complete state as numbers, for checkpoints; `init(state:)` restores it exactly.
    public var state: [UInt64] {
        [s0, s1, s2, s3, spareNormal == nil ? 0 : 1, UInt64(spareNormal?.bitPattern ?? 0)]
    }

    /// Restores a generator from `state`; nil when the array is not one `state` produced.
    public init?(state: [UInt64]) {
        guard state.count == 6, state[0] | state[1] | state[2] | state[3] != 0, state[4] <= 1,
              state[5] <= UInt64(UInt32.max) else { return nil }
        s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3]
        spareNormal = state[4] == 1 ? Float(bitPattern: UInt32(state[5])) : nil
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Shuffles `values[range]` (all of it by default) in place: Fisher–Yates from the end, so
    /// a seed gives the same order on every machine.
    public mutating func shuffle<Element>(_ values: inout [Element], in range: Range<Int>? = nil) {
        let range = range ?? values.indices
        for i in stride(from: range.upperBound - 1, to: range.lowerBound, by: -1) {
            values.swapAt(i, range.lowerBound + Int(next() % UInt64(i - range.lowerBound + 1)))
        }
    }

    /// Uniform in [0, 1) with 24 random bits (every float32 step in that range).
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * 0x1.0p-24
    }

    /// Standard normal.
    public mutating func nextNormal() -> Float {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        // 1 − u lies in (0, 1], so the logarithm is finite.
        let u1 = 1 - Double(next() >> 11) * 0x1.0p-53
        let u2 = Double(next() >> 11) * 0x1.0p-53
        let radius = (-2 * log(u1)).squareRoot()
        spareNormal = Float(radius * sin(2 * Double.pi * u2))
        return Float(radius * cos(2 * Double.pi * u2))
    }

    /// Uniform integer in `low..<high` (high > low), without modulo bias.
    public mutating func nextInt(in range: Range<Int64>) -> Int64 {
        let span = UInt64(bitPattern: range.upperBound &- range.lowerBound)
        let limit = UInt64.max - UInt64.max % span
        var value = next()
        while value >= limit { value = next() }
        return range.lowerBound &+ Int64(bitPattern: value % span)
    }
}

/// The process-wide generator used by `rand`, `randn`, `randint` and shuffling.
public enum Random {
    private static let generator = Mutex(RandomGenerator(seed: 0))

    /// Restarts the generator from `seed`.
    public static func seed(_ seed: UInt64) {
        generator.withLock { $0 = RandomGenerator(seed: seed) }
    }

    /// The generator's state, to save with a checkpoint and restore on resume.
    public static var state: RandomGenerator {
        get { generator.withLock { $0 } }
        set { generator.withLock { $0 = newValue } }
    }

    /// Runs `body` with exclusive use of the generator.
    public static func draw<T>(_ body: (inout RandomGenerator) -> T) -> T {
        generator.withLock { body(&$0) }
    }
}
