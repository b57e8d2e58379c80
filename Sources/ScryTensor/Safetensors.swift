import Foundation

/// The safetensors format (Hugging Face's): an 8-byte little-endian header length, a JSON
/// header giving each tensor's dtype, shape and byte range (plus an optional `__metadata__`
/// map of strings), then the raw little-endian data.
public enum Safetensors {
    /// Writes tensors (and string metadata) atomically: a temporary file, then a rename.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var payload = Data()
        for name in tensors.keys.sorted() {
            let tensor = try tensors[name]!.detach().materialized()
            let code: String
            switch tensor.dtype {
            case .float32: code = "F32"
            case .int64: code = "I64"
            case .bool: code = "BOOL"
            }
            let bytes = tensor.count * tensor.dtype.byteSize
            header[name] = ["dtype": code, "shape": tensor.shape, "data_offsets": [payload.count, payload.count + bytes]] as [String: Any]
            payload.append(Data(bytes: tensor.rawPointer, count: bytes))
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so that the data starts 8-byte aligned, as the reference does.
        while json.count % 8 != 0 { json.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        file.append(payload)
        do {
            try AtomicFile.write(file, to: path)
        } catch let failure as AtomicFile.Failure {
            throw TensorError.invalidArgument(op: "save", failure.description)
        }
    }

    /// Reads every tensor and the metadata; each problem names the file and the entry at fault.
    public static func read(_ path: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        func fail(_ message: String) -> TensorError { .invalidArgument(op: "load", "\(path): \(message)") }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw fail("cannot read: \(error.localizedDescription)")
        }
        guard data.count >= 8 else { throw fail("too short to be a safetensors file (\(data.count) bytes)") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("header length \(headerLength) runs past the end of the file (\(data.count) bytes)")
        }
        let headerEnd = 8 + Int(headerLength)
        guard let header = try? JSONSerialization.jsonObject(with: data[8..<headerEnd]) as? [String: Any] else {
            throw fail("the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let map = raw as? [String: String] else { throw fail("__metadata__ must map strings to strings") }
            metadata = map
        }
        let payloadSize = data.count - headerEnd
        var tensors: [String: Tensor] = [:]
        for (name, entry) in header where name != "__metadata__" {
            guard let info = entry as? [String: Any], let code = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail("entry \"\(name)\" needs dtype, shape and data_offsets")
            }
            let dtype: DType
            switch code {
            case "F32": dtype = .float32
            case "I64": dtype = .int64
            case "BOOL": dtype = .bool
            default: throw fail("tensor \"\(name)\" has dtype \(code); Scry reads F32, I64 and BOOL")
            }
            try Tensor.checkShape(shape, op: "load")
            let expected = shape.reduce(1, *) * dtype.byteSize
            guard offsets[0] >= 0, offsets[1] >= offsets[0], offsets[1] <= payloadSize, offsets[1] - offsets[0] == expected else {
                throw fail("tensor \"\(name)\" of shape \(shapeString(shape)) needs \(expected) bytes, its data_offsets \(offsets) give \(offsets[1] - offsets[0]) within \(payloadSize)")
            }
            let tensor = try Tensor(uninitialized: shape, dtype: dtype)
            data.withUnsafeBytes { raw in
                tensor.rawPointer.copyMemory(from: raw.baseAddress! + headerEnd + offsets[0], byteCount: expected)
            }
            tensors[name] = tensor
        }
        return (tensors, metadata)
    }
}
