import Foundation
import ScryData
import ScryTensor
import XCTest

/// NIfTI files written by nibabel (Fixtures/make_nifti.py): every datatype, both byte orders,
/// scaling, NIfTI-2, 4D, 2D, gzip and .hdr/.img pairs read as nibabel reads them; corrupted
/// files are errors naming the file and the problem.
final class NIfTITests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    struct Expected: Decodable {
        let shape: [Int], zooms: [Double], affine: [[Double]], dtype: String
        let fortran_indices: [Int], values: [Double], sum: Double
    }

    func testEveryFileReadsAsNibabelReadsIt() throws {
        let reference = try JSONDecoder().decode([String: Expected].self,
                                                  from: Data(contentsOf: fixtures.appendingPathComponent("nifti_reference.json")))
        XCTAssertGreaterThanOrEqual(reference.count, 13)
        for (name, expected) in reference.sorted(by: { $0.key < $1.key }) {
            let image = try NIfTI.read(fixtures.appendingPathComponent(name).path)
            let spatial = Array(expected.shape.prefix(3)), channels = expected.shape.dropFirst(3).reduce(1, *)
            XCTAssertEqual(image.shape, spatial, name)
            XCTAssertEqual(image.channels, channels, name)
            XCTAssertEqual(image.storedType, expected.dtype, name)
            for (a, e) in zip(image.spacing, expected.zooms) { XCTAssertEqual(a, e, accuracy: 1e-6, "\(name) spacing") }
            for (row, expectedRow) in zip(image.affine, expected.affine) {
                for (a, e) in zip(row, expectedRow) { XCTAssertEqual(a, e, accuracy: 1e-5, "\(name) affine") }
            }
            // nibabel's Fortran-order index i is voxel (x, y, z, t) with x fastest.
            let full = expected.shape
            let values = image.data.scalars()
            for (index, value) in zip(expected.fortran_indices, expected.values) {
                var rest = index, position = [Int]()
                for size in full { position.append(rest % size); rest /= size }
                let channel = full.count > 3 ? position[3...].reversed().reduce(0) { $0 * 1 + $1 } : 0
                let spatialIndex = zip(position.prefix(3), spatial).reduce(0) { $0 * $1.1 + $1.0 }
                XCTAssertEqual(values[channel * spatial.reduce(1, *) + spatialIndex], value, accuracy: 1e-4 * Swift.max(1, Swift.abs(value)), "\(name) voxel \(index)")
            }
            XCTAssertEqual(values.reduce(0, +), expected.sum, accuracy: 1e-3 * Swift.max(1, Swift.abs(expected.sum)), "\(name) sum")
        }
    }

    func testCorruptFilesAreErrorsNamingTheProblem() throws {
        let cases = [("truncated.nii", "bytes of data: truncated"), ("not_nifti.nii", "not a NIfTI file"),
                     ("bad_dims.nii", "30000×4×3 float32 voxels"), ("missing.nii", "no such file")]
        for (name, problem) in cases {
            let path = fixtures.appendingPathComponent(name).path
            XCTAssertThrowsError(try NIfTI.read(path), name) { error in
                XCTAssertTrue("\(error)".hasPrefix(path + ": "), "\(error)")
                XCTAssertTrue("\(error)".contains(problem), "\(error)")
            }
        }
    }
}
