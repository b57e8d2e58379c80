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
