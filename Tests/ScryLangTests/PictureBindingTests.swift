import XCTest
import ScryLang

/// Pictures from the language: bad settings are errors that name the function and the setting,
/// never a crash of the session.
final class PictureBindingTests: XCTestCase {
    func testBadSettingsAreErrorsNamingTheFunction() {
        let session = CapturingSession()
        let error = session.run("""
            fn m(f) {
                try { f() } catch e { return e.name + ": " + e.message }
                return "ok"
            }
            p = show(zeros([4, 4]))
            print(m(fn() => figure([[p]], dpi: -5)))
            print(m(fn() => histogram([20000.0, 20000.0])))
            print(m(fn() => histogram([1.0, 2.0], low: 1000000.0)))
            print(m(fn() => plot([1e17, 1e17])))
            print(m(fn() => plot([1e308, -1e308])))
            print(m(fn() => histogram([1.0, 2.0], bins: 3000000000)))
            print(m(fn() => overlay(zeros([4, 4]), zeros([4, 4]), montage: 2)))
            print(m(fn() => overlay(zeros([4, 4, 4]), zeros([4, 4, 4]), montage: 0)))
            print(m(fn() => figure([[p, p]], titles: ["a", "b"])))
            print(m(fn() => figure([[p, p]], titles: ["a"])))
            print(m(fn() => plot([1, 2], width: 100)))
            print(m(fn() => overlay(zeros([0, 4]), zeros([0, 4]))))
            print(overlay(zeros([4, 4, 6]), ones([4, 4, 6]), montage: 4).width, figure([[p, p]], titles: ["a", "b"], scale: 2).width)
            """)
        XCTAssertNil(error)
        XCTAssertEqual(session.lines, [
            "ValueError: figure(): dpi must be 1…10000, got -5",
            "ok",
            "ValueError: histogram(): the range 1000000.0…2.0 must be finite with low below high",
            "ok",
            "ValueError: plot(): a chart's values must span a finite, non-empty range, got x 0.0…1.0 and y -1e+308…1e+308",
            "ValueError: histogram(): bins must be 1…10000, got 3000000000",
            "ValueError: overlay(): slice and montage choose slices of a volume; this image is 2D, [4, 4]",
            "ValueError: overlay(): montage must be at least 1 slice, got 0",
            "ok",
            "ValueError: figure(): titles have the shape [1] (per row) but panels [2]",
            "ValueError: plot(): a chart is 160…16384 pixels wide and 120…16384 high, got 100×400",
            "ShapeError: overlay(): the image is empty, [0, 4]",
            "8 46",
        ])
    }
}
