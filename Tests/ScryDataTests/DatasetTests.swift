import Foundation
import ScryData
import ScryTensor
import XCTest

/// Phantoms, GaNDLF CSV datasets (header matching, validation of every row at once, relative
/// paths, metadata), writing datasets back, and their summaries.
final class DatasetTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("scry-dataset-\(getpid())-\(name.hashValue)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    func testPhantomsAreDeterministicAndLabelled() throws {
        let phantom = try Phantom(dimension: 2, size: 32, classes: 3, seed: 4)
        let a = try phantom.subject(1), b = try phantom.subject(1), c = try phantom.subject(2)
        XCTAssertEqual(a.image.data.scalars(), b.image.data.scalars())
        XCTAssertNotEqual(a.image.data.scalars(), c.image.data.scalars())
        XCTAssertEqual(a.image.shape, [32, 32])
        let labels = a.label.data.scalars(), image = a.image.data.scalars()
        XCTAssertEqual(Set(labels), [0, 1, 2], "background, organ and lesion")
        // The classes are told apart by intensity: lesions brightest, background darkest.
        func mean(_ cls: Double) -> Double {
            let values = zip(image, labels).filter { $0.1 == cls }.map(\.0)
            return values.reduce(0, +) / Double(values.count)
        }
        XCTAssertLessThan(mean(0), mean(1)); XCTAssertLessThan(mean(1), mean(2))
        let regression = try Phantom(dimension: 3, size: 16, task: .regression).subject(0)
        XCTAssertEqual(regression.value, Double(regression.label.data.scalars().filter { $0 == 2 }.count), "the lesion volume")
        let classification = Dataset.phantom(try Phantom(size: 16, classes: 2, task: .classification), count: 12)
        XCTAssertEqual(Set(classification.subjects.compactMap(\.value)), [0, 1])
        XCTAssertNil(try classification.label(0), "classification subjects have no mask")
    }

    func testWrittenDatasetsReadBackThroughTheirCSV() throws {
        for dimension in [2, 3] {
            let phantom = try Phantom(dimension: dimension, size: 16, classes: 3)
            let original = Dataset.phantom(phantom, count: 3)
            let csv = try original.write(to: folder.appendingPathComponent("d\(dimension)").path)
            let back = try Dataset.csv(csv)
            XCTAssertEqual(back.count, 3)
            XCTAssertEqual(back.subjects.map(\.id), original.subjects.map(\.id))
            XCTAssertEqual(try back.label(1)?.data.scalars(), try original.label(1)?.data.scalars())
            XCTAssertEqual(try back.image(1).shape, try original.image(1).shape)
            if dimension == 3 { XCTAssertEqual(try back.image(1).data.scalars(), try original.image(1).data.scalars()) }
            let summary = try DatasetSummary(back)
            XCTAssertEqual(summary.shapes.map(\.0), [[Int](repeating: 16, count: dimension)])
            XCTAssertEqual(summary.labelVoxels.map(\.0), [0, 1, 2])
            XCTAssertTrue(summary.text.contains("subjects: 3"))
        }
    }

    func testSplitsOfACSVDatasetWriteBackAsCSV() throws {
        let source = Dataset.phantom(try Phantom(dimension: 3, size: 8, classes: 2, task: .classification), count: 6)
        let csv = try source.write(to: folder.appendingPathComponent("all").path)
        let parts = try Dataset.csv(csv).split([0.5, 0.5, 0], seed: 1, stratify: true)
        let path = folder.appendingPathComponent("train.csv").path
        try parts[0].writeCSV(to: path)
        let back = try Dataset.csv(path)
        XCTAssertEqual(back.subjects.map(\.id), parts[0].subjects.map(\.id))
        XCTAssertEqual(back.subjects.map(\.value), parts[0].subjects.map(\.value))
        XCTAssertEqual(try back.image(0).data.scalars(), try parts[0].image(0).data.scalars())
        XCTAssertThrowsError(try source.writeCSV(to: path)) { XCTAssertTrue("\($0)".contains("write(folder)")) }
    }

    func testHeadersMatchAsGaNDLFsAndBadRowsAreAllReported() throws {
        let phantom = Dataset.phantom(try Phantom(dimension: 3, size: 8), count: 2)
        _ = try phantom.write(to: folder.path)
        let small = Dataset.phantom(try Phantom(dimension: 3, size: 10), count: 1)
        _ = try small.write(to: folder.appendingPathComponent("other").path)
        let csv = """
            Patient_ID,Modality_T1,Segmentation_Mask,site
            a,phantom_000_channel_0.nii.gz,phantom_000_label.nii.gz,"Boston, MA"
            b,missing.nii.gz,phantom_001_label.nii.gz,x
            c,phantom_001_channel_0.nii.gz,other/phantom_000_label.nii.gz,y
            d,phantom_001_channel_0.nii.gz
            """
        let path = folder.appendingPathComponent("rows.csv").path
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Dataset.csv(path)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("3 problems"), message)
            XCTAssertTrue(message.contains("row 3, column Modality_T1: no file"), message)
            XCTAssertTrue(message.contains("row 4, column Segmentation_Mask: shape [10, 10, 10] differs from Modality_T1's [8, 8, 8]"), message)
            XCTAssertTrue(message.contains("row 5: 2 fields, the header has 4"), message)
        }
        try csv.split(separator: "\n").prefix(2).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let good = try Dataset.csv(path)
        XCTAssertEqual(good.subjects[0].id, "a")
        XCTAssertEqual(good.subjects[0].metadata, ["site": "Boston, MA"])
        XCTAssertEqual(good.channelNames, ["Modality_T1"])
        XCTAssertTrue(good.hasLabels)
        XCTAssertThrowsError(try Dataset.csv(folder.appendingPathComponent("none.csv").path)) { XCTAssertTrue("\($0)".contains("no such file")) }
        // GaNDLF's headers choose columns by index, whatever their names: here the mask is an image channel.
        let chosen = try Dataset.csv(path, columns: .init(id: 3, channels: [1, 2], label: nil, value: nil))
        XCTAssertEqual(chosen.subjects[0].id, "Boston, MA")
        XCTAssertEqual(chosen.channelNames, ["Modality_T1", "Segmentation_Mask"])
        XCTAssertFalse(chosen.hasLabels)
        XCTAssertEqual(chosen.subjects[0].metadata, ["Patient_ID": "a"])
        XCTAssertThrowsError(try Dataset.csv(path, columns: .init(id: 0, channels: [7], label: nil, value: nil))) {
            XCTAssertTrue("\($0)".contains("headers: column 7 does not exist; the CSV has columns 0 to 3"), "\($0)")
        }
    }
}

extension DatasetTests {
    func testConstructCSVFromSubjectFolders() throws {
        let root = folder.appendingPathComponent("subjects")
        for subject in ["s1", "s2"] {
            let dir = root.appendingPathComponent(subject)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let made = try Phantom(dimension: 3, size: 8).subject(subject == "s1" ? 0 : 1)
            try NIfTI.write(made.image, to: dir.appendingPathComponent("\(subject)_t1.nii.gz").path)
            try NIfTI.write(made.image, to: dir.appendingPathComponent("\(subject)_t2.nii.gz").path)
            try NIfTI.write(made.label, to: dir.appendingPathComponent("\(subject)_t1_seg.nii.gz").path, datatype: "uint8")
        }
        let csv = folder.appendingPathComponent("built.csv").path
        try Dataset.constructCSV(folder: root.path, channels: ["_t1", "_t2"], label: "_seg", to: csv)
        let ds = try Dataset.csv(csv)
        XCTAssertEqual(ds.subjects.map(\.id), ["s1", "s2"])
        XCTAssertEqual(ds.channelNames, ["Channel_0", "Channel_1"])
        XCTAssertEqual(try ds.image(1).channels, 2)
        XCTAssertTrue(ds.subjects[0].labelPath!.hasSuffix("s1_t1_seg.nii.gz"))
        XCTAssertThrowsError(try Dataset.constructCSV(folder: root.path, channels: ["_flair"], label: nil, to: csv)) {
            XCTAssertTrue("\($0)".contains("2 problems") && "\($0)".contains("s1: no file matching \"_flair\""), "\($0)")
        }
    }
}
