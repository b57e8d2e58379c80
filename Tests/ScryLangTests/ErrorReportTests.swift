import XCTest
@testable import ScryLang

/// Errors people can act on: place, caret, expectation, traceback; incomplete input detected.
final class ErrorReportTests: XCTestCase {
    func syntaxError(_ source: String) -> ScryError? {
        do { _ = try Parser.parse(source, name: "cell 3"); return nil } catch let error as ScryError { return error } catch { return nil }
    }

    func testSyntaxErrorShowsPlaceCaretAndExpectation() throws {
        let error = try XCTUnwrap(syntaxError("x = 1\ny = f(1, (2 + 3]"))
        XCTAssertEqual(error.report, """
            cell 3, line 2, col 16: expected ')' to close '(' opened at line 2, col 10, found ']'
                y = f(1, (2 + 3]
                               ^
            SyntaxError: expected ')' to close '(' opened at line 2, col 10, found ']'
            """)
        XCTAssertFalse(error.isAtEndOfInput)
    }

    func testErrorsAtEndOfInputMeanIncomplete() throws {
        for incomplete in ["f(1,", "if x {", "fn f(a) {\n  return a", "x = [1, 2", "s = \"abc", "x = 1 +", "d = {\"a\":"] {
            let error = try XCTUnwrap(syntaxError(incomplete), incomplete)
            XCTAssertTrue(error.isAtEndOfInput, "\(incomplete): \(error.report)")
        }
        for wrong in ["x = )", "1 +* 2", "fn 1", "for in x {}", "x = 1 2", "\"a {}\""] {
            let error = try XCTUnwrap(syntaxError(wrong), wrong)
            XCTAssertFalse(error.isAtEndOfInput, "\(wrong): \(error.report)")
        }
    }

    func testSpecificSyntaxMessages() throws {
        let cases: [(String, String)] = [
            ("x = 1 2", "expected end of statement (a new line or ';'), found number 2"),
            ("1 + = 2", "expected an expression, found '='"),
            ("f(a: 1, 2)", "positional argument after a keyword argument"),
            ("f(a: 1, a: 2)", "keyword argument 'a' given twice"),
            ("fn f(a, a) {}", "duplicate parameter 'a'"),
            ("fn f(a: 1, b) {}", "parameter 'b' without a default follows one with a default"),
            ("1 < 2 < 3", "comparisons do not chain: write 'a < b and b < c'"),
            ("3 = x", "cannot assign to this expression (only to a name, an element x[i] or an attribute x.a)"),
            ("x = 12abc", "invalid number literal: '12a'"),
            ("x = 99999999999999999999", "integer literal 99999999999999999999 is too large (the largest is 9223372036854775807)"),
            ("\"a\\q\"", "unknown escape '\\q' in string"),
            ("\"a } b\"", "single '}' in string: write '}}' for a literal brace"),
            ("x = $", "unexpected character '$'"),
            ("x)", "unmatched ')'"),
            ("print(\"{1 +}\")", "expected an expression before '}'"),
        ]
        for (source, message) in cases {
            XCTAssertEqual(syntaxError(source)?.message, message, source)
        }
        XCTAssertEqual(syntaxError(String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300))?.message,
                       "expression nested too deeply (more than 200 levels)")
    }

    func testCompileTimeErrors() {
        let session = CapturingSession()
        XCTAssertEqual(session.run("break")?.description, "SyntaxError: 'break' outside a loop")
        XCTAssertEqual(session.run("return 1")?.description, "SyntaxError: 'return' outside a function")
        XCTAssertEqual(session.run("while true { f = fn() { break }; break }")?.description, "SyntaxError: 'break' outside a loop",
                       "a function body is not inside the loop around it")
        XCTAssertEqual(session.run("x = 1\r\n  continue\r\n", name: "crlf.scry")?.report, """
            crlf.scry, line 2, col 3: 'continue' outside a loop
                  continue
                  ^
            SyntaxError: 'continue' outside a loop
            """)
        XCTAssertEqual(session.run("x = " + Array(repeating: "1", count: 300).joined(separator: " + "))?.message,
                       "expression nested too deeply (more than 200 levels)", "long operator chains are bounded like nesting")
    }

    func testTracebackNamesScryFramesAndHostErrorsKeepTheirMessage() {
        let session = CapturingSession()
        let error = session.run("""
            fn load(path) {
                return ones([2, 3]) @ ones([2])
            }
            fn main() {
                x = 1
                return load("a.nii")
            }
            main()
            """, name: "train.scry")
        XCTAssertEqual(error?.report, """
            Traceback (most recent call last):
              train.scry, line 8, in <module>
              train.scry, line 6, in main
              train.scry, line 2, in load
            ShapeError: matmul: shapes [2, 3] and [2] are not aligned: 3 (last axis of the first) ≠ 2 (the vector)
            """)
    }

    func testSessionSurvivesErrors() {
        let session = CapturingSession()
        XCTAssertNil(session.run("x = 1"))
        XCTAssertNotNil(session.run("x = y"))
        XCTAssertNotNil(session.run("x = ("))
        XCTAssertNil(session.run("print(x)"))
        XCTAssertEqual(session.lines, ["1"])
    }
}
