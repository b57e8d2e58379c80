import Foundation
import XCTest
@testable import ScryLang

/// Cancellation: `while true {}` stops, the session stays usable, critical sections defer it.
final class InterruptTests: XCTestCase {
    override func tearDown() { Interrupt.clear() }

    func testInfiniteLoopStopsAndSessionGoesOn() {
        let session = CapturingSession()
        session.interpreter.register(NativeFunction("request_interrupt", doc: "test hook") { _ in
            Interrupt.request(); return .nil
        })
        for program in ["while true { }", "for i in 0..<1000000000000 { }", "fn spin() { while true { } }\nspin()",
                        "fn r() { return r() }\nwhile true { try { r() } catch e { } }"] {
            let watchdog = DispatchQueue(label: "interrupt test")
            let timer = DispatchSource.makeTimerSource(queue: watchdog)
            timer.schedule(deadline: .now() + .milliseconds(50))
            timer.setEventHandler { Interrupt.request() }
            timer.resume()
            let error = session.run("count = 0\n" + program)
            timer.cancel()
            watchdog.sync {}
            XCTAssertEqual(error?.name, .interrupted, program)
        }
        XCTAssertNil(session.run("print(count + 1)"))
        XCTAssertEqual(session.lines, ["1"])
        // try/catch does not swallow an interrupt.
        let error = session.run("try { request_interrupt(); while true { } } catch e { print(\"swallowed\") }")
        XCTAssertEqual(error?.description, "Interrupted: interrupted")
        XCTAssertEqual(session.lines, ["1"])
    }

    func testUninterruptibleDefersAnInterruptUntilTheFunctionReturns() {
        let session = CapturingSession()
        session.interpreter.register(NativeFunction("request_interrupt", doc: "test hook") { _ in
            Interrupt.request(); return .nil
        })
        // The interrupt arrives in the middle of the update; both halves still happen.
        let error = session.run("""
            state = {"a": 0, "b": 0}
            fn update() {
                state["a"] = 1
                request_interrupt()
                for i in 0..<3 { state["b"] += 1 }
            }
            uninterruptible(update)
            print("never")
            """)
        XCTAssertEqual(error?.name, .interrupted)
        XCTAssertEqual(session.lines, [])
        XCTAssertNil(session.run("print(state)"))
        XCTAssertEqual(session.lines, ["{\"a\": 1, \"b\": 3}"])
    }

    func testCriticalSectionDefersTheInterrupt() throws {
        var steps = 0
        try Interrupt.critical {
            Interrupt.request()
            try Interrupt.check()
            steps += 1
        }
        XCTAssertEqual(steps, 1)
        XCTAssertThrowsError(try Interrupt.check()) { error in
            XCTAssertEqual((error as? ScryError)?.name, .interrupted)
        }
        XCTAssertNoThrow(try Interrupt.check())
    }
}

/// `finally` runs however its block ends, an interrupt included, and is not itself interrupted.
final class FinallyTests: XCTestCase {
    override func tearDown() { Interrupt.clear() }

    func testFinallyRunsOnReturnErrorBreakAndInterrupt() {
        let session = CapturingSession()
        session.interpreter.register(NativeFunction("request_interrupt", doc: "test hook") { _ in
            Interrupt.request(); return .nil
        })
        XCTAssertNil(session.run("""
            log = []
            fn f(x) {
                try {
                    if x == 1 { error("boom") }
                    if x == 2 { return "early" }
                    log.append("body")
                } finally {
                    log.append("cleanup {x}")
                }
                return "end"
            }
            print(f(0), f(2))
            try { f(1) } catch e { print(e.message) }
            try { error("x") } catch e { log.append("caught") } finally { log.append("after") }
            for i in 0..<3 { try { if i == 1 { break } } finally { log.append("loop {i}") } }
            fn g() { try { return 1 } finally { return 2 } }
            print(log, g())
            """))
        XCTAssertEqual(session.lines, ["end early", "boom",
                                       "[\"body\", \"cleanup 0\", \"cleanup 2\", \"cleanup 1\", \"caught\", \"after\", \"loop 0\", \"loop 1\"] 2"])
        let error = session.run("""
            state = "dirty"
            try { request_interrupt(); while true { } } finally { for i in 0..<3 { state = "clean {i}" } }
            """)
        XCTAssertEqual(error?.name, .interrupted, "the interrupt still stops the cell")
        XCTAssertNil(session.run("print(state)"))
        XCTAssertEqual(session.lines.last, "clean 2", "its finally block ran to the end, loops and all")
        XCTAssertEqual(session.run("try { 1 }")?.name, .syntaxError)
    }
}
