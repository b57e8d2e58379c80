import Foundation

/// A reference-counted, 64-byte-aligned block of element memory shared by tensor views.
/// Tensors copy it only when one that shares it is written to (copy-on-write).
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
        var pointer: UnsafeMutableRawPointer?
        // Aligned for SIMD loads and for BLAS; never a zero-sized request.
        let alignment = byteCount >= 1 << 22 ? 1 << 21 : 64
        let status = byteCount < 0 ? ENOMEM : posix_memalign(&pointer, alignment, max(byteCount, 64))
        guard status == 0, let pointer else {
            throw TensorError.invalidArgument(op: "allocate", "cannot allocate \(byteCount) bytes")
        }
        // Large tensors are mapped fresh by the allocator; huge pages cut the page faults of
        // first touch (most of an element-wise op's time otherwise), as NumPy does.
        if byteCount >= 1 << 22 { madvise(pointer, byteCount, MADV_HUGEPAGE) }
        return Storage(byteCount: byteCount, base: pointer)
    }

    deinit { free(base) }

    func copy() throws -> Storage {
        let result = try Storage.allocate(byteCount: byteCount)
        memcpy(result.base, base, byteCount)
        return result
    }
}
