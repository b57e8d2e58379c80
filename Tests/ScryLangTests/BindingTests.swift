import XCTest
@testable import ScryLang

/// The binding layer: host functions with named parameters, defaults, docs and typed
/// conversions; host objects with attributes, operators, indexing, calls and iteration.
final class BindingTests: XCTestCase {
    /// A stand-in model built the way later layers bind theirs.
    final class Counter: HostObject {
        var count = 0
        var typeName: String { "counter" }
        var display: String { "<counter \(count)>" }
        var attributeNames: [String] { ["count", "add"] }
        var length: Int? { count }
        func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
            switch name {
            case "count": return .int(count)
            case "add":
                return .function(NativeFunction("add", [Parameter("n", default: .int(1))], doc: "Adds n.") { a in
                    self.count += try a.int("n"); return .host(self)
                })
            default: return nil
            }
        }
        func setAttribute(_ name: String, _ value: Value) throws -> Bool {
            guard name == "count", case .int(let n) = value else { return false }
            count = n
            return true
        }
        func binary(_ op: String, _ other: Value, reversed: Bool) throws -> Value? {
            guard op == "+", case .int(let n) = other else { return nil }
            return .int(count + n)
        }
        func subscriptGet(_ subscripts: [SubscriptValue]) throws -> Value? {
            guard case .index(.int(let i)) = subscripts.first else { return nil }
            return .int(count * i)
        }
        func call(_ arguments: Arguments, _ interpreter: Interpreter) throws -> Value? { .string("called with \(arguments.positional.count)") }
        func makeIterator() throws -> AnyIterator<Value>? {
            var i = 0
            return AnyIterator { defer { i += 1 }; return i < self.count ? .int(i) : nil }
        }
    }

    func session() -> CapturingSession {
        let session = CapturingSession()
        session.interpreter.register(NativeFunction(
            "unet", [Parameter("dimension"), Parameter("n_classes", default: .int(2)), Parameter("base_filters", default: .int(16)),
                     Parameter("name", default: .nil)],
            doc: "A UNet (Ronneberger et al., 2015).", help: "Encoder-decoder with skip connections.") { a in
            .string("unet \(try a.int("dimension"))D, \(try a.int("n_classes")) classes, \(try a.int("base_filters")) filters, \(a.has("name") ? try a.string("name") : "unnamed")")
        })
        session.interpreter.register(NativeFunction("counter", doc: "A counter.") { _ in .host(Counter()) })
        return session
    }

    func testParametersDefaultsAndKeywords() {
        let s = session()
        XCTAssertNil(s.run("print(unet(2))\nprint(unet(3, base_filters: 8, name: \"m\"))\nprint(unet(dimension: 2, n_classes: 4.0))"))
        XCTAssertEqual(s.lines, ["unet 2D, 2 classes, 16 filters, unnamed", "unet 3D, 2 classes, 8 filters, m", "unet 2D, 4 classes, 16 filters, unnamed"])
    }

    func testConversionErrorsNameFunctionParameterAndValue() {
        let s = session()
        XCTAssertEqual(s.run("unet(2, base_filters: \"16\")")?.description, "TypeError: unet(): base_filters must be an int, got string \"16\"")
        XCTAssertEqual(s.run("unet(2, n_classes: 2.5)")?.description, "TypeError: unet(): n_classes must be an int, got float 2.5")
        XCTAssertEqual(s.run("unet(2, name: 3)")?.description, "TypeError: unet(): name must be a string, got int 3")
        XCTAssertEqual(s.run("unet()")?.description, "TypeError: unet() missing required argument 'dimension'")
        XCTAssertEqual(s.run("unet(2, 2, 2, \"a\", 5)")?.description, "TypeError: unet() takes at most 4 arguments but 5 were given")
        XCTAssertEqual(s.run("unet(2, base_filter: 8)")?.description,
                       "TypeError: unet() got an unexpected keyword argument 'base_filter' (did you mean 'base_filters'?) (parameters: dimension, n_classes, base_filters, name)")
    }

    func testHelpShowsSignatureDocAndHelpText() {
        let s = session()
        XCTAssertNil(s.run("help(unet)\nhelp(\"unet\")\nhelp(counter())"))
        XCTAssertEqual(s.lines, [
            "unet(dimension, n_classes: 2, base_filters: 16, name: nil)", "A UNet (Ronneberger et al., 2015).", "Encoder-decoder with skip connections.",
            "unet(dimension, n_classes: 2, base_filters: 16, name: nil)", "A UNet (Ronneberger et al., 2015).", "Encoder-decoder with skip connections.",
            "counter", "attributes and methods: count, add",
        ])
        XCTAssertTrue(s.interpreter.completionNames.contains("unet"))
        XCTAssertTrue(s.interpreter.completionNames.contains("isclose"), "prelude names complete too")
    }

    func testHostObjectProtocols() {
        let s = session()
        XCTAssertNil(s.run("""
            c = counter()
            c.add(); c.add(n: 2)
            print(c, c.count, c + 10, c[2], c(1, 2), len(c))
            c.count = 2
            for i in c { print(i) }
            print(1 in c, 5 in c)
            """))
        XCTAssertEqual(s.lines, ["<counter 3> 3 13 6 called with 2 3", "0", "1", "true false"])
        XCTAssertEqual(s.run("c.count = \"x\"")?.description, "TypeError: cannot set attribute 'count' on a counter")
        XCTAssertEqual(s.run("c - 1")?.description, "TypeError: unsupported operand types for -: counter and int")
        XCTAssertEqual(s.run("c.cont")?.description, "TypeError: counter has no attribute 'cont' (did you mean 'count'?)")
        XCTAssertEqual(s.run("-c")?.description, "TypeError: bad operand type for unary -: counter")
    }

    func testHostErrorsArriveWithTheirMessage() {
        struct DiskFull: Error, CustomStringConvertible { var description: String { "disk full while writing m.safetensors" } }
        let s = session()
        s.interpreter.register(NativeFunction("save", doc: "Fails.") { _ in throw DiskFull() })
        let error = s.run("fn f() { save() }\nf()")
        XCTAssertEqual(error?.description, "ValueError: disk full while writing m.safetensors")
        XCTAssertEqual(error?.trace.map(\.line), [1, 2])
    }
}
