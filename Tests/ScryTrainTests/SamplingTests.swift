import XCTest
import ScryData
import ScryTensor

/// GaNDLF's biased sampling: patches centred on label values drawn with the given weights.
final class SamplingTests: XCTestCase {
    func testWeightedSamplingCentresPatchesOnTheDrawnClasses() throws {
        // A 20×20 map: background, a large class 1 and a small class 2 (4 voxels).
        var values = [Double](repeating: 0, count: 400)
        for x in 0..<20 { for y in 10..<20 { values[x * 20 + y] = 1 } }
        for (x, y) in [(3, 3), (3, 4), (4, 3), (4, 4)] { values[x * 20 + y] = 2 }
        let label = try Tensor(flat: values, shape: [1, 20, 20]), image = try Tensor.zeros([1, 20, 20])
        func centres(_ weights: [Double: Double]) throws -> [Double: Int] {
            let sampler = try PatchSampler(.weighted(weights), patchSize: [5, 5])
            var random = RandomGenerator(seed: 9), counts: [Double: Int] = [:]
            for _ in 0..<300 {
                let patch = try sampler.sample(image, label: label, random: &random).label!
                counts[patch.scalars()[12], default: 0] += 1  // the patch's centre voxel
            }
            return counts
        }
        XCTAssertEqual(try centres([2: 1]), [2: 300], "only class 2 is drawn")
        let even = try centres([0: 1, 1: 1, 2: 1])
        for value in [0.0, 1, 2] { XCTAssertEqual(Double(even[value] ?? 0), 100, accuracy: 30, "each class about a third") }
        XCTAssertThrowsError(try PatchSampler(.weighted([1: -1]), patchSize: [5, 5]))
    }
}
