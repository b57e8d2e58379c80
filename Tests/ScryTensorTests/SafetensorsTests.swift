import Foundation
import XCTest
@testable import ScryTensor

final class SafetensorsTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("scry-st-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testReadsAFileWrittenByTheReferencePackage() throws {
        let (tensors, metadata) = try Safetensors.read(fixtures.appendingPathComponent("written_by_safetensors.safetensors").path)
        XCTAssertEqual(metadata, ["format": "pt", "epoch": "3"])
        XCTAssertEqual(Set(tensors.keys), ["enc.0.conv1.weight", "enc.0.conv1.bias", "step", "indices", "mask"])
        let weight = try XCTUnwrap(tensors["enc.0.conv1.weight"])
        XCTAssertEqual(weight.shape, [2, 3, 2, 2])
        XCTAssertEqual(weight.scalars(), (0..<24).map { Double($0) / 8 - 1 })
        XCTAssertEqual(tensors["enc.0.conv1.bias"]?.scalars(), [0.5, -0.25])
        XCTAssertEqual(tensors["step"]?.shape, [])
        XCTAssertEqual(tensors["step"]?.scalars(), [7])
        XCTAssertEqual(tensors["indices"]?.dtype, .int64)
        XCTAssertEqual(tensors["indices"]?.scalars(), [1, -2, 3, 4])
        XCTAssertEqual(tensors["mask"]?.scalars(), [1, 0, 1])
    }

    func testRoundTripAndLayout() throws {
        let path = folder.appendingPathComponent("m.safetensors").path
        let original = ["b": try sample([3, 4]).transpose(), "a": try Tensor([1, 2, 3]), "flag": try Tensor([true])]
        try Safetensors.write(original, metadata: ["epoch": "2"], to: path)
        let (back, metadata) = try Safetensors.read(path)
        XCTAssertEqual(metadata, ["epoch": "2"])
        for (name, tensor) in original {
            XCTAssertEqual(back[name]?.shape, tensor.shape, name)
            XCTAssertEqual(back[name]?.scalars(), tensor.scalars(), name)
            XCTAssertEqual(back[name]?.dtype, tensor.dtype, name)
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        XCTAssertEqual((8 + headerLength) % 8, 0, "data starts 8-byte aligned")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["m.safetensors"], "no temporary file left")
    }

    func testCorruptFilesAreErrorsNamingTheProblem() throws {
        let path = folder.appendingPathComponent("bad.safetensors").path
        func write(_ header: String, payload: Int = 0) throws {
            var data = Data()
            withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
            data.append(Data(header.utf8))
            data.append(Data(count: payload))
            try data.write(to: URL(fileURLWithPath: path))
        }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        assertTensorError("too short") { try Safetensors.read(path) }
        try Data([255, 255, 0, 0, 0, 0, 0, 0, 0]).write(to: URL(fileURLWithPath: path))
        assertTensorError("runs past the end") { try Safetensors.read(path) }
        try write("[1, 2]")
        assertTensorError("not a JSON object") { try Safetensors.read(path) }
        try write("{\"w\": {\"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [0, 4]}}", payload: 4)
        assertTensorError("\"w\" has dtype F16") { try Safetensors.read(path) }
        try write("{\"w\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", payload: 8)
        assertTensorError("\"w\" of shape [3] needs 12 bytes") { try Safetensors.read(path) }
        try write("{\"w\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}", payload: 8)
        assertTensorError("within 8") { try Safetensors.read(path) }
        assertTensorError("cannot read") { try Safetensors.read(self.folder.appendingPathComponent("none").path) }
    }
}
