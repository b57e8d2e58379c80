import XCTest
import ScryLang
import ScryRuntime

/// A session is freed, with everything it made, once dropped: compiled code, hooks and backward
/// rules reach their interpreter without keeping it alive (a program that makes many sessions,
/// as the test suite does, would otherwise keep every model it ever built).
final class SessionLifetimeTests: XCTestCase {
    func testADroppedSessionIsFreed() throws {
        let programs = [
            "y = isclose(1, 1)",
            "fn f(a) { return abs(a) }\ny = f(-1)",
            "m = module(\"x\", layers: {\"c\": conv(1, 1, 1)}, forward: fn(self, x) => relu(self.c(x)))\ny = m(zeros([1, 1, 2, 2]))",
            "m = unet(base_filters: 4)",
            "m = sequential(conv(1, 1, 1), relu())\nseen = []\nh = m.hook(\"0\", forward: fn(a) => seen.append(a.shape))\nm.override_backward(\"ReLU\", fn(i, o, g) => g)\ny = m(zeros([1, 1, 2, 2]))",
            "try { error(\"x\") } catch e { y = e.message }",
        ]
        for source in programs {
            weak var probe: Interpreter?
            do {
                let interpreter = Session.makeInterpreter()
                interpreter.write = { _ in }
                probe = interpreter
                _ = try interpreter.execute(source, name: "lifetime")
            }
            XCTAssertNil(probe, "the session that ran \(source.debugDescription) is still alive")
        }
    }
}
