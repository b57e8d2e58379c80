import CBLAS
import Dispatch
import Foundation
import Synchronization

/// The number of threads Scry computes with: OpenBLAS's and Scry's own parallel loops share
/// one setting, so the two never oversubscribe the cores. `SCRY_THREADS` sets it at start-up
/// (default: all cores).
public enum Threads {
    private static let current = Atomic<Int>(0)

    /// The thread count, read from `SCRY_THREADS` on first use.
    public static var count: Int {
        let value = current.load(ordering: .relaxed)
        if value > 0 { return value }
        let fromEnvironment = ProcessInfo.processInfo.environment["SCRY_THREADS"].flatMap { Int($0) }
        let initial = max(1, fromEnvironment ?? ProcessInfo.processInfo.activeProcessorCount)
        set(initial)
        return initial
    }

    /// Sets the thread count for OpenBLAS and for Scry's own loops.
    public static func set(_ threads: Int) {
        _ = shortSpin
        let n = min(max(1, threads), 1024)
        current.store(n, ordering: .relaxed)
        openblas_set_num_threads(Int32(n))
    }

    /// OpenBLAS's idle workers spin (calling sched_yield) for about 2^28 cycles after each call
    /// by default, taking the cores Scry's own loops run on between two matrix products; 2^4
    /// cycles (OPENBLAS_THREAD_TIMEOUT=4) lets them sleep at once. Measured: 10–40% faster
    /// training steps at 2 threads. A value the user set is kept.
    private static let shortSpin: Void = {
        guard ProcessInfo.processInfo.environment["OPENBLAS_THREAD_TIMEOUT"] == nil else { return }
        setenv("OPENBLAS_THREAD_TIMEOUT", "4", 0)
        openblas_read_env()
        _ = blas_thread_shutdown_()
        _ = blas_thread_init()
    }()
}

/// Runs `body` over `0..<count` split into at most `Threads.count` contiguous chunks of at
/// least `grain` items each: large chunks keep per-chunk overhead negligible, and small
/// workloads stay on the calling thread.
func parallelFor(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
    let chunks = min(Threads.count, count / max(grain, 1))
    if chunks <= 1 {
        if count > 0 { body(0..<count) }
        return
    }
    withoutActuallyEscaping(body) { body in
        // The chunks write disjoint ranges of memory the caller owns until this call returns.
        let shared = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = count * chunk / chunks
            let end = count * (chunk + 1) / chunks
            shared.value(start..<end)
        }
    }
}

/// Carries a value into concurrent code whose synchronisation the caller guarantees.
struct UncheckedSendable<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
