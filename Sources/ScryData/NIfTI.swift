import CNifti
import Foundation
import ScryTensor

/// A data file that cannot be read or written, naming the file and what is wrong with it.
public struct DataError: Error, CustomStringConvertible {
    public let description: String
    public init(_ path: String, _ problem: String) { description = "\(path): \(problem)" }
}

/// NIfTI-1 and NIfTI-2 images (`.nii`, `.nii.gz`, `.hdr`/`.img`) through libnifti's NIfTI-2
/// API, which reads both versions, either byte order and gzip.
public enum NIfTI {
    /// Datatypes Scry converts, by NIfTI code.
    static let datatypes: [Int32: String] = [
        Int32(NIFTI_TYPE_UINT8): "uint8", Int32(NIFTI_TYPE_INT8): "int8", Int32(NIFTI_TYPE_UINT16): "uint16",
        Int32(NIFTI_TYPE_INT16): "int16", Int32(NIFTI_TYPE_UINT32): "uint32", Int32(NIFTI_TYPE_INT32): "int32",
        Int32(NIFTI_TYPE_FLOAT32): "float32", Int32(NIFTI_TYPE_FLOAT64): "float64",
    ]

    /// The NIfTI version (1 or 2) when the file's first bytes are a NIfTI header (gzip or not).
    public static func version(of path: String) -> Int? {
        guard let file = znzopen(path, "rb", 1) else { return nil }
        var handle: znzFile? = file
        defer { Xznzclose(&handle) }
        var header = [UInt8](repeating: 0, count: 540)
        let count = header.withUnsafeMutableBytes { znzread($0.baseAddress, 1, 540, file) }
        guard count >= 348 else { return nil }
        let version = header.withUnsafeBytes { nifti_header_version($0.baseAddress!.assumingMemoryBound(to: CChar.self), count) }
        guard version == 1 || version == 2 else { return nil }
        // The magic string tells NIfTI from the Analyze headers that share its layout.
        let magic = version == 1 ? Array(header[344..<347]) : Array(header[4..<7])
        let valid: Set<[UInt8]> = [Array("n+1".utf8), Array("ni1".utf8), Array("n+2".utf8), Array("ni2".utf8)]
        return valid.contains(magic) ? Int(version) : nil
    }

    /// Reads an image: data as float32 [C, x, y, z] (the 4th and later axes become channels),
    /// scl_slope/scl_inter applied, spacing and affine as nibabel reports them.
    public static func read(_ path: String) throws -> MedicalImage {
        nifti_set_debug_level(0)
        guard FileManager.default.fileExists(atPath: path) else { throw DataError(path, "no such file") }
        guard let version = version(of: path) else { throw DataError(path, "not a NIfTI file (no NIfTI-1 or NIfTI-2 header)") }
        guard let header = nifti_image_read(path, 0) else { throw DataError(path, "unreadable NIfTI header") }
        defer { nifti_image_free(header) }
        let nim = header.pointee
        guard let storedType = datatypes[Int32(nim.datatype)] else {
            throw DataError(path, "unsupported NIfTI datatype \(String(cString: nifti_datatype_string(nim.datatype))) (\(nim.datatype)); Scry reads uint8, int8, uint16, int16, uint32, int32, float32 and float64")
        }
        let ndim = Int(nim.dim.0)
        let dims = withUnsafeBytes(of: nim.dim) { Array($0.bindMemory(to: Int64.self)) }.map { Int($0) }
        guard (1...7).contains(ndim), dims[1...ndim].allSatisfy({ $0 >= 1 }) else {
            throw DataError(path, "invalid dimensions \(dims[0...Swift.max(0, Swift.min(ndim, 7))])")
        }
        let expected = Int(nim.nvox) * Int(nim.nbyper)
        let dataFile = nim.iname.map { String(cString: $0) } ?? path
        if !dataFile.hasSuffix(".gz") {
            let available = Int(nifti_get_filesize(dataFile)) - Int(nim.iname_offset)
            guard available >= expected else {
                throw DataError(path, "the header describes \(dims[1...ndim].map(String.init).joined(separator: "×")) \(storedType) voxels (\(expected) bytes) but the file holds \(Swift.max(0, available)) bytes of data: truncated, or a header whose sizes are wrong")
            }
        }
        guard let image = nifti_image_read(path, 1), image.pointee.data != nil else {
            throw DataError(path, "the data could not be read (truncated or corrupt compressed data)")
        }
        defer { nifti_image_free(image) }
        let spatial = Array(dims[1...Swift.min(ndim, 3)])
        let channels = ndim > 3 ? dims[4...ndim].reduce(1, *) : 1
        let count = spatial.reduce(1, *) * channels
        var values = [Float](repeating: 0, count: count)
        let slope = nim.scl_slope, intercept = nim.scl_inter
        let scaled = slope != 0 && slope.isFinite && !(slope == 1 && intercept == 0)
        convert(image.pointee.data, Int32(nim.datatype), count, into: &values, slope: scaled ? slope : nil, intercept: intercept)
        // The file runs x fastest: as [C, z, y, x] it is row-major; permute to [C, x, y, z].
        let fileOrder = try Tensor(values, shape: [channels] + spatial.reversed())
        let data = try fileOrder.permute([0] + (1...spatial.count).reversed()).contiguous()
        let pixdim = withUnsafeBytes(of: nim.pixdim) { Array($0.bindMemory(to: Double.self)) }
        let spacing = (1...spatial.count).map { Swift.abs(pixdim[$0]) == 0 ? 1 : Swift.abs(pixdim[$0]) }
        return try MedicalImage(data: data, spacing: spacing, affine: affine(nim, dims: dims, pixdim: pixdim), path: path,
                                format: "nifti\(version)", storedType: storedType)
    }

    /// nibabel's best affine: the sform when its code is set, else the qform, else a diagonal
    /// with x flipped and the origin at the centre (Analyze's convention).
    static func affine(_ nim: nifti_image, dims: [Int], pixdim: [Double]) -> [[Double]] {
        func rows(_ m: nifti_dmat44) -> [[Double]] {
            withUnsafeBytes(of: m.m) { raw in
                let flat = Array(raw.bindMemory(to: Double.self))
                return (0..<4).map { Array(flat[($0 * 4)..<($0 * 4 + 4)]) }
            }
        }
        if nim.sform_code > 0 { return rows(nim.sto_xyz) }
        if nim.qform_code > 0 { return rows(nim.qto_xyz) }
        let zooms = (1...3).map { $0 <= dims[0] ? pixdim[$0] : 1 }, shape = (1...3).map { $0 <= dims[0] ? dims[$0] : 1 }
        var result = MedicalImage.diagonalAffine([-zooms[0], zooms[1], zooms[2]])
        for axis in 0..<3 { result[axis][3] = -Double(shape[axis] - 1) / 2 * result[axis][axis] }
        return result
    }

    private static func convert(_ raw: UnsafeMutableRawPointer, _ datatype: Int32, _ count: Int, into values: inout [Float],
                                slope: Double?, intercept: Double) {
        func fill<T>(_ type: T.Type, _ toDouble: (T) -> Double) {
            let source = raw.bindMemory(to: T.self, capacity: count)
            if let slope {
                for i in 0..<count { values[i] = Float(toDouble(source[i]) * slope + intercept) }
            } else {
                for i in 0..<count { values[i] = Float(toDouble(source[i])) }
            }
        }
        switch datatype {
        case Int32(NIFTI_TYPE_UINT8): fill(UInt8.self) { Double($0) }
        case Int32(NIFTI_TYPE_INT8): fill(Int8.self) { Double($0) }
        case Int32(NIFTI_TYPE_UINT16): fill(UInt16.self) { Double($0) }
        case Int32(NIFTI_TYPE_INT16): fill(Int16.self) { Double($0) }
        case Int32(NIFTI_TYPE_UINT32): fill(UInt32.self) { Double($0) }
        case Int32(NIFTI_TYPE_INT32): fill(Int32.self) { Double($0) }
        case Int32(NIFTI_TYPE_FLOAT32): fill(Float.self) { Double($0) }
        default: fill(Double.self) { $0 }
        }
    }
}
