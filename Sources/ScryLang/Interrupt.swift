import Synchronization

/// The cancellation flag of running Scry code. A signal handler (the shell's Ctrl-C) calls
/// `request()`; the interpreter checks the flag at loop back-edges and calls, and host code
/// doing long work calls `check()` between units of it. Inside `critical { }` the check
/// waits: an optimizer update or a batch is never left half-applied.
public enum Interrupt {
    private static let requested = Atomic<Bool>(false)
    private static let criticalDepth = Atomic<Int>(0)

    /// Asks running code to stop at its next safe point. Async-signal-safe.
    public static func request() { requested.store(true, ordering: .relaxed) }

    /// Forgets a pending request (the shell does this before each cell).
    public static func clear() { requested.store(false, ordering: .relaxed) }

    /// Whether a request is pending.
    public static var isRequested: Bool { requested.load(ordering: .relaxed) }

    /// Throws `Interrupted` when a request is pending and no critical section is running.
    @inline(__always)
    public static func check() throws {
        if requested.load(ordering: .relaxed) { try stop() }
    }

    private static func stop() throws {
        guard criticalDepth.load(ordering: .relaxed) == 0 else { return }
        requested.store(false, ordering: .relaxed)
        throw ScryError(.interrupted, "interrupted")
    }

    /// Runs `body` with interrupts deferred; a request made meanwhile is raised at the next
    /// check after it.
    public static func critical<T>(_ body: () throws -> T) rethrows -> T {
        criticalDepth.add(1, ordering: .relaxed)
        defer { criticalDepth.subtract(1, ordering: .relaxed) }
        return try body()
    }
}
