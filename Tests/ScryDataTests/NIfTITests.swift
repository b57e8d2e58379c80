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
        XCTAssertEqual(try NIfTI.read(fixtures.appendingPathComponent("four_d.nii.gz").path).orientation, "RAS")
        let flipped = try MedicalImage(data: try Tensor.zeros([1, 2, 2, 2]), affine: [[0, 0, -1, 0], [-2, 0, 0, 0], [0, 1.5, 0, 0], [0, 0, 0, 1]])
        XCTAssertEqual(flipped.orientation, "PSL", "each voxel axis named by its largest world component, as nibabel's aff2axcodes")
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

extension NIfTITests {
    func testWritesImagesAndLabelMapsWithTheirGeometry() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scry-nifti-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try NIfTI.read(fixtures.appendingPathComponent("float64.nii").path)
        for (name, datatype) in [("image.nii.gz", "float32"), ("labels.nii", "uint8"), ("labels16.nii.gz", "int16")] {
            let path = folder.appendingPathComponent(name).path
            var image = source
            if datatype != "float32" { image.data = try (source.data.abs() / 10).clamp(max: 200) }
            try NIfTI.write(image, to: path, datatype: datatype)
            let back = try NIfTI.read(path)
            XCTAssertEqual(back.shape, source.shape)
            XCTAssertEqual(back.storedType, datatype)
            for (a, b) in zip(back.spacing, source.spacing) { XCTAssertEqual(a, b, accuracy: 1e-6) }
            for (row, expected) in zip(back.affine, source.affine) { for (a, b) in zip(row, expected) { XCTAssertEqual(a, b, accuracy: 1e-5) } }
            let expected = datatype == "float32" ? image.data.scalars() : image.data.scalars().map { $0.rounded() }
            assertClose(back.data.scalars(), expected, name)
        }
        XCTAssertThrowsError(try NIfTI.write(source, to: folder.appendingPathComponent("x.png").path)) { XCTAssertTrue("\($0)".contains("end in .nii")) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }, [], "no temporary left")
    }

    func assertClose(_ a: [Double], _ b: [Double], _ label: String) {
        XCTAssertEqual(a.count, b.count, label)
        for (x, y) in zip(a, b) where Swift.abs(x - y) > 1e-4 * Swift.max(1, Swift.abs(y)) { return XCTFail("\(label): \(x) vs \(y)") }
    }
}
