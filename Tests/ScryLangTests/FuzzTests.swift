import Foundation
import XCTest
@testable import ScryLang

/// The parser and interpreter survive any input: random token soups and mutations of real
/// programs never crash or hang (each run is interrupted after 20 ms if still going).
final class FuzzTests: XCTestCase {
    static let vocabulary = [
        "fn", "return", "if", "else", "while", "for", "in", "break", "continue", "true", "false", "nil",
        "and", "or", "not", "try", "catch", "import", "assert", "x", "y", "f", "print", "len", "range",
        "0", "1", "2.5", "1e3", "-", "+", "*", "/", "//", "%", "**", "@", "==", "<", ">=", "=", "+=",
        "(", ")", "[", "]", "{", "}", ",", ".", ":", ";", "..<", "...", "=>", "\n", "\"s\"", "\"{x}\"",
        "\"{\"", "\"", "#", "\\", "$", "'", "error(\"e\")", "[1, 2]", "{\"k\": 1}", "fn(a) => a",
    ]

    func corpus() throws -> [String] {
        let folder = repositoryRoot.appendingPathComponent("Tests/ScryLangTests/Golden")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".scry") && $0 != "tensors.scry" && !$0.hasPrefix("uncaught") }
            .map { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }
    }

    func testRandomAndMutatedPrograms() throws {
        var rng = SplitMix(seed: 20261126)
        let programs = try corpus()
        let watchdog = DispatchQueue(label: "fuzz watchdog")
        let deadline = Date().addingTimeInterval(60)
        var cases = 0, parsed = 0
        while cases < 4000 && Date() < deadline {
            let source: String
            if cases % 2 == 0 {
                source = (0..<rng.next(1...40)).map { _ in Self.vocabulary[rng.next(0...(Self.vocabulary.count - 1))] }
                    .joined(separator: rng.next(0...3) == 0 ? "" : " ")
            } else {
                source = mutate(programs[rng.next(0...(programs.count - 1))], &rng)
            }
            cases += 1
            guard (try? Parser.parse(source, name: "fuzz")) != nil else { continue }
            parsed += 1
            let interpreter = Interpreter()
            interpreter.write = { _ in }
            let timer = DispatchSource.makeTimerSource(queue: watchdog)
            timer.schedule(deadline: .now() + .milliseconds(20))
            timer.setEventHandler { Interrupt.request() }
            timer.resume()
            _ = try? interpreter.execute(source, name: "fuzz")
            timer.cancel()
            // A handler already running finishes before the flag is cleared for the next case.
            watchdog.sync {}
            Interrupt.clear()
        }
        XCTAssertGreaterThanOrEqual(cases, 1000, "the fuzzer ran too few cases in its time budget")
        XCTAssertGreaterThan(parsed, cases / 20, "mutations should often still parse and run")
    }

    private func mutate(_ program: String, _ rng: inout SplitMix) -> String {
        var chars = Array(program)
        for _ in 0..<rng.next(1...4) where !chars.isEmpty {
            let i = rng.next(0...(chars.count - 1))
            switch rng.next(0...3) {
            case 0: chars.removeSubrange(i..<min(chars.count, i + rng.next(1...8)))
            case 1: chars.insert(contentsOf: Self.vocabulary[rng.next(0...(Self.vocabulary.count - 1))], at: i)
            case 2: let j = rng.next(0...(chars.count - 1)); chars.swapAt(i, j)
            default: chars.insert(contentsOf: chars[i..<min(chars.count, i + rng.next(1...20))], at: i)
            }
        }
        return String(chars)
    }
}

/// A small seeded generator so every run fuzzes the same cases.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ range: ClosedRange<Int>) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return range.lowerBound + Int(z % UInt64(range.count))
    }
}
