import Foundation
import ScryData
import ScryTensor
import XCTest

/// H&E stain normalisation on synthetic slides painted from known stain vectors and
/// concentration fields: the extractors find the stains, normalising to a like target changes
/// little, normalising to another target gives the target's stains, and bad inputs are named.
final class StainNormalizationTests: XCTestCase {
    static let ruifrokH = unit([0.65, 0.70, 0.29]), ruifrokE = unit([0.07, 0.99, 0.11])
    /// Macenko et al.'s reference H&E vectors, another lab's stains.
    static let otherH = unit([0.5626, 0.7201, 0.4062]), otherE = unit([0.2159, 0.8012, 0.5581])

    static func unit(_ v: [Double]) -> [Double] {
        let length = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / length }
    }

    func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    func cosine(_ a: [Double], _ b: [Double]) -> Double { dot(a, b) / (dot(a, a) * dot(b, b)).squareRoot() }

    /// A 64×64 slide [3, x, y] on white: a haematoxylin blob and an eosin blob that overlap, so
    /// that it has pure and mixed pixels; each value 255·exp(−OD), rounded as in an 8-bit file.
    func slide(_ h: [Double], _ e: [Double], mirrored: Bool = false, strength: Double = 1) throws -> MedicalImage {
        let size = 64
        var values = [Float](repeating: 0, count: 3 * size * size)
        for x in 0..<size {
            for y in 0..<size {
                let toH = hypot(Double(x - 22), Double(y - 24)), toE = hypot(Double(x - 42), Double(y - 40))
                let ch = strength * 1.6 * min(max(1.2 - toH / 15, 0), 1), ce = strength * min(max(1.2 - toE / 16, 0), 1)
                let column = mirrored ? size - 1 - x : x
                for c in 0..<3 { values[(c * size + column) * size + y] = Float((255 * exp(-(ch * h[c] + ce * e[c]))).rounded()) }
            }
        }
        return try MedicalImage(data: try Tensor(values, shape: [3, size, size]))
    }

    func testExtractorsFindTheStainsASlideWasPaintedWith() throws {
        for (h, e) in [(Self.ruifrokH, Self.ruifrokE), (Self.otherH, Self.otherE)] {
            let image = try slide(h, e)
            for (extractor, least) in [(StainExtractor.macenko, 0.99), (StainExtractor.vahadane, 0.98)] {
                let stains = try extractor.stainMatrix(image)
                XCTAssertGreaterThan(cosine(stains[0], h), least, "\(extractor) haematoxylin: \(stains)")
                XCTAssertGreaterThan(cosine(stains[1], e), least, "\(extractor) eosin: \(stains)")
                for row in stains { XCTAssertEqual(dot(row, row), 1, accuracy: 1e-9, "unit rows") }
            }
        }
        // Ruifrok's fixed matrix (its rows made unit length), whatever the image shows.
        let fixed = try StainExtractor.ruifrok.stainMatrix(try slide(Self.otherH, Self.otherE))
        for (row, expected) in zip(fixed, [Self.ruifrokH, Self.ruifrokE]) {
            for (value, wanted) in zip(row, expected) { XCTAssertEqual(value, wanted, accuracy: 1e-12) }
        }
    }

    func testNormalisingToALikeTargetChangesLittle() throws {
        let image = try slide(Self.ruifrokH, Self.ruifrokE)
        // The same stains and concentrations, laid out differently.
        let target = try slide(Self.ruifrokH, Self.ruifrokE, mirrored: true)
        for extractor in StainExtractor.allCases {
            let out = try Pipeline([.stainNormalization(target: target, extractor: extractor)]).apply(Sample(image: image)).image
            XCTAssertEqual(out.data.shape, [3, 64, 64])
            let change = zip(out.data.scalars(), image.data.scalars()).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThanOrEqual(change, 2, "\(extractor): grey levels")
        }
    }

    /// Each stain's concentrations are scaled to the target's 99th percentile: a slide stained
    /// more faintly than the target comes out stained as strongly as the target.
    func testConcentrationsAreScaledToTheTargets() throws {
        let image = try slide(Self.ruifrokH, Self.ruifrokE), target = try slide(Self.ruifrokH, Self.ruifrokE, mirrored: true, strength: 1.5)
        let expected = try slide(Self.ruifrokH, Self.ruifrokE, strength: 1.5)
        for extractor in StainExtractor.allCases {
            let out = try Pipeline([.stainNormalization(target: target, extractor: extractor)]).apply(Sample(image: image)).image
            let change = zip(out.data.scalars(), expected.data.scalars()).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThanOrEqual(change, 3, "\(extractor): grey levels from the slide stained as strongly as the target")
        }
    }

    func testNormalisingToAnotherTargetGivesTheTargetsStains() throws {
        let image = try slide(Self.ruifrokH, Self.ruifrokE), target = try slide(Self.otherH, Self.otherE)
        for extractor in [StainExtractor.macenko, .vahadane] {
            let out = try Pipeline([.stainNormalization(target: target, extractor: extractor)]).apply(Sample(image: image)).image
            XCTAssertTrue(out.data.scalars().allSatisfy { (0...255).contains($0) }, "\(extractor): values stay 0…255")
            let stains = try StainExtractor.macenko.stainMatrix(out)
            XCTAssertGreaterThan(cosine(stains[0], Self.otherH), 0.99, "\(extractor) haematoxylin: \(stains)")
            XCTAssertGreaterThan(cosine(stains[1], Self.otherE), 0.99, "\(extractor) eosin: \(stains)")
        }
    }

    func testNonRGBImagesAndTargetsWithoutTissueAreNamed() throws {
        let gray = try MedicalImage(data: try Tensor.full([1, 8, 8], 120))
        XCTAssertThrowsError(try Transform.stainNormalization(target: gray, extractor: .macenko)) { error in
            XCTAssertTrue("\(error)".hasPrefix("stain_normalize: the target has 1 channel(s)"), "\(error)")
            XCTAssertTrue("\(error)".contains("RGB image (3 channels)"), "\(error)")
        }
        let white = try MedicalImage(data: try Tensor.full([3, 8, 8], 255))
        for extractor in StainExtractor.allCases {
            XCTAssertThrowsError(try Transform.stainNormalization(target: white, extractor: extractor)) { error in
                XCTAssertTrue("\(error)".hasPrefix("stain_normalize: the target shows no tissue"), "\(extractor): \(error)")
            }
        }
        // An image is checked when the step meets it.
        let step = try Transform.stainNormalization(target: try slide(Self.ruifrokH, Self.ruifrokE), extractor: .ruifrok)
        XCTAssertThrowsError(try Pipeline([step]).apply(Sample(image: gray))) { error in
            XCTAssertTrue("\(error)".hasPrefix("stain_normalize: the image has 1 channel(s)"), "\(error)")
        }
        // A whole-slide tile of background has nothing to normalise: it passes unchanged.
        XCTAssertEqual(try Pipeline([step]).apply(Sample(image: white)).image.data.scalars(), white.data.scalars())
    }
}
