import Foundation
import Synchronization

/// A reference-counted, aligned block of element memory shared by tensor views. Tensors copy
/// it only when one that shares it is written to (copy-on-write).
final class Storage: @unchecked Sendable {
    let byteCount: Int
    let base: UnsafeMutableRawPointer

    private init(byteCount: Int, base: UnsafeMutableRawPointer) {
        self.byteCount = byteCount
        self.base = base
    }

    /// Uninitialised memory for `byteCount` bytes; callers write every byte they read.
    /// A request the system cannot satisfy is an error, not a crash.
    static func allocate(byteCount: Int) throws -> Storage {
        if let reused = BufferCache.shared.take(byteCount) {
            return Storage(byteCount: byteCount, base: reused)
        }
        var pointer: UnsafeMutableRawPointer?
        let large = byteCount >= BufferCache.minimumBytes
        // Aligned for SIMD loads and for BLAS; never a zero-sized request.
        let status = byteCount < 0 ? ENOMEM : posix_memalign(&pointer, large ? 1 << 21 : 64, max(byteCount, 64))
        guard status == 0, let pointer else {
            throw TensorError.invalidArgument(op: "allocate", "cannot allocate \(byteCount) bytes")
        }
        // Huge pages cut the page faults of first touch, as NumPy does for large arrays.
        if large { madvise(pointer, byteCount, MADV_HUGEPAGE) }
        return Storage(byteCount: byteCount, base: pointer)
    }

    deinit {
        if !BufferCache.shared.keep(base, byteCount) { free(base) }
    }
}

/// Freed large buffers kept for reuse by the next tensor of the same byte size: training and
/// inference loops allocate the same shapes every step, and fresh memory costs page faults on
/// first touch (most of an element-wise op's time otherwise). Bounded in total bytes.
final class BufferCache: Sendable {
    static let shared = BufferCache()
    /// Smaller buffers come from malloc's own free lists quickly enough.
    static let minimumBytes = 1 << 20
    /// The most memory kept idle in the cache.
    static let capacityBytes = 512 << 20

    private struct State {
        var buffers: [Int: [UnsafeMutableRawPointer]] = [:]
        var cachedBytes = 0
    }
    private let state = Mutex(UncheckedSendable(State()))

    func take(_ byteCount: Int) -> UnsafeMutableRawPointer? {
        guard byteCount >= BufferCache.minimumBytes else { return nil }
        return state.withLock { box -> UncheckedSendable<UnsafeMutableRawPointer>? in
            guard let pointer = box.value.buffers[byteCount]?.popLast() else { return nil }
            box.value.cachedBytes -= byteCount
            return UncheckedSendable(pointer)
        }?.value
    }

    /// Keeps `pointer` for reuse; false when it is too small or the cache is full.
    func keep(_ pointer: UnsafeMutableRawPointer, _ byteCount: Int) -> Bool {
        guard byteCount >= BufferCache.minimumBytes else { return false }
        let shared = UncheckedSendable(pointer)
        return state.withLock { box in
            guard box.value.cachedBytes + byteCount <= BufferCache.capacityBytes else { return false }
            box.value.buffers[byteCount, default: []].append(shared.value)
            box.value.cachedBytes += byteCount
            return true
        }
    }

    /// Returns every cached buffer to the system.
    func clear() {
        state.withLock { box in
            for pointer in box.value.buffers.values.joined() { free(pointer) }
            box.value = State()
        }
    }
}
