import Foundation
import ScryTensor

/// The deterministic weights make_zoo_reference.py gives GaNDLF's models: for each state_dict
/// entry, values from splitmix64 keyed by the FNV-1a hash of its name, scaled by its role. The
/// same generator on both sides lets the fixtures hold outputs only, however wide the network.
enum ZooWeights {
    static func fnv1a(_ name: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }

    /// The i-th value (from 1) of a name's sequence, in [-1, 1) with 24 bits.
    @inline(__always)
    static func value(_ key: UInt64, _ i: Int) -> Double {
        var z = key &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 40) / Double(1 << 24) * 2 - 1
    }

    /// A tensor of a name's values, each mapped by `scale` (computed in Double, as the script's
    /// NumPy does, then rounded to Float).
    static func filled(_ name: String, _ shape: [Int], _ scale: (Double) -> Double) throws -> Tensor {
        let key = fnv1a(name)
        return try Tensor(shape: shape) { buffer in
            for i in buffer.indices { buffer[i] = Float(scale(value(key, i + 1))) }
        }
    }

    /// The value of one state_dict entry: He-uniform for weights of rank ≥ 2, near-one norm
    /// scales, small biases and means, variances in [0.5, 1).
    static func tensor(_ name: String, like reference: Tensor) throws -> Tensor {
        let shape = reference.shape
        guard reference.dtype == .float32 else { return try Tensor(flat: Array(repeating: 0, count: reference.count), shape: shape, dtype: reference.dtype) }
        if name.hasSuffix("running_var") { return try filled(name, shape) { 0.5 + 0.25 * ($0 + 1) } }
        if name.hasSuffix("running_mean") { return try filled(name, shape) { 0.1 * $0 } }
        if shape.count >= 2 {
            let scale = (6.0 / (Double(reference.count) / Double(shape[0]))).squareRoot()
            return try filled(name, shape) { $0 * scale }
        }
        if shape.count == 1 && name.hasSuffix("weight") { return try filled(name, shape) { 1 + 0.1 * $0 } }
        return try filled(name, shape) { 0.1 * $0 }
    }

    /// The deterministic input of a case.
    static func input(_ shape: [Int]) throws -> Tensor { try filled("input", shape) { $0 } }
}
