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
        nifti_set_debug_level(0)
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

    /// The spatial shape, channel count and spacing from the header alone (no voxel data read).
    public static func geometry(_ path: String) throws -> (shape: [Int], channels: Int, spacing: [Double]) {
        nifti_set_debug_level(0)
        guard FileManager.default.fileExists(atPath: path) else { throw DataError(path, "no such file") }
        guard version(of: path) != nil, let header = nifti_image_read(path, 0) else { throw DataError(path, "not a NIfTI file (no NIfTI-1 or NIfTI-2 header)") }
        defer { nifti_image_free(header) }
        let nim = header.pointee, ndim = Swift.max(1, Swift.min(Int(nim.dim.0), 7))
        let dims = withUnsafeBytes(of: nim.dim) { Array($0.bindMemory(to: Int64.self)) }.map { Int($0) }
        let pixdim = withUnsafeBytes(of: nim.pixdim) { Array($0.bindMemory(to: Double.self)) }
        let spatial = Array(dims[1...Swift.min(ndim, 3)])
        let spacing = (1...spatial.count).map { Double(String(Float(Swift.abs(pixdim[$0]) == 0 ? 1 : Swift.abs(pixdim[$0]))))! }
        return (spatial, ndim > 3 ? dims[4...ndim].reduce(1, *) : 1, spacing)
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
        let slope = nim.scl_slope, intercept = nim.scl_inter
        let scaled = slope != 0 && slope.isFinite && !(slope == 1 && intercept == 0)
        // The file runs x fastest: as [C, z, y, x] it is row-major; the permuted view is
        // [C, x, y, z] without a copy, as nibabel's array is a Fortran-order view.
        let fileOrder = try Tensor(shape: [channels] + spatial.reversed()) { values in
            convert(image.pointee.data, Int32(nim.datatype), count, into: values, slope: scaled ? slope : nil, intercept: intercept)
        }
        let data = try fileOrder.permute([0] + (1...spatial.count).reversed())
        let pixdim = withUnsafeBytes(of: nim.pixdim) { Array($0.bindMemory(to: Double.self)) }
        // NIfTI-1 stores spacings as float32: keep the decimal the file's writer meant (0.9, not 0.8999999761581421).
        let spacing = (1...spatial.count).map { axis -> Double in
            let step = Swift.abs(pixdim[axis])
            return step == 0 ? 1 : (version == 1 ? Double(String(Float(step)))! : step)
        }
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

    /// Writes an image as NIfTI-1 (`.nii` or `.nii.gz`) with its spacing and affine (as both
    /// sform and qform), as float32 or as an integer label map (`uint8`, `int16`), atomically.
    public static func write(_ image: MedicalImage, to path: String, datatype: String = "float32") throws {
        nifti_set_debug_level(0)
        guard path.hasSuffix(".nii") || path.hasSuffix(".nii.gz") else { throw DataError(path, "NIfTI files end in .nii or .nii.gz") }
        guard let code = datatypes.first(where: { $0.value == datatype })?.key, ["float32", "uint8", "int16"].contains(datatype) else {
            throw DataError(path, "Scry writes NIfTI as float32, uint8 or int16, not \(datatype)")
        }
        let spatial = image.shape
        guard (1...3).contains(spatial.count) else { throw DataError(path, "NIfTI images have 1 to 3 spatial axes, this one \(spatial.count)") }
        var dims = [Int64](repeating: 1, count: 8)
        dims[0] = Int64(image.channels > 1 ? 4 : spatial.count)
        for (axis, size) in spatial.enumerated() { dims[axis + 1] = Int64(size) }
        if image.channels > 1 { dims[0] = 4; dims[4] = Int64(image.channels) }
        guard let nim = nifti_make_new_nim(dims, code, 1) else { throw DataError(path, "libnifti could not make the image") }
        defer { nifti_image_free(nim) }
        // Back to the file's order, x fastest: [C, x, y, z] → [C, z, y, x].
        let fileOrder = try image.data.permute([0] + (1...spatial.count).reversed()).contiguous().scalars()
        let count = fileOrder.count
        switch datatype {
        case "uint8":
            let target = nim.pointee.data.bindMemory(to: UInt8.self, capacity: count)
            for i in 0..<count { target[i] = UInt8(Swift.max(0, Swift.min(255, fileOrder[i].rounded()))) }
        case "int16":
            let target = nim.pointee.data.bindMemory(to: Int16.self, capacity: count)
            for i in 0..<count { target[i] = Int16(Swift.max(-32768, Swift.min(32767, fileOrder[i].rounded()))) }
        default:
            let target = nim.pointee.data.bindMemory(to: Float.self, capacity: count)
            for i in 0..<count { target[i] = Float(fileOrder[i]) }
        }
        var matrix = nifti_dmat44()
        withUnsafeMutableBytes(of: &matrix.m) { raw in
            let flat = raw.bindMemory(to: Double.self)
            for row in 0..<4 { for column in 0..<4 { flat[row * 4 + column] = image.affine[row][column] } }
        }
        nim.pointee.sform_code = Int32(NIFTI_XFORM_SCANNER_ANAT)
        nim.pointee.qform_code = Int32(NIFTI_XFORM_SCANNER_ANAT)
        nim.pointee.sto_xyz = matrix
        nim.pointee.sto_ijk = nifti_dmat44_inverse(matrix)
        nim.pointee.qto_xyz = matrix
        nim.pointee.qto_ijk = nifti_dmat44_inverse(matrix)
        var qfac = 1.0, unused = (0.0, 0.0, 0.0)
        nifti_dmat44_to_quatern(matrix, &nim.pointee.quatern_b, &nim.pointee.quatern_c, &nim.pointee.quatern_d,
                                &nim.pointee.qoffset_x, &nim.pointee.qoffset_y, &nim.pointee.qoffset_z,
                                &unused.0, &unused.1, &unused.2, &qfac)
        nim.pointee.qfac = qfac
        withUnsafeMutableBytes(of: &nim.pointee.pixdim) { raw in
            let pixdim = raw.bindMemory(to: Double.self)
            for (axis, step) in image.spacing.enumerated() { pixdim[axis + 1] = step }
        }
        nim.pointee.dx = image.spacing[0]
        if spatial.count > 1 { nim.pointee.dy = image.spacing[1] }
        if spatial.count > 2 { nim.pointee.dz = image.spacing[2] }
        nim.pointee.xyz_units = Int32(NIFTI_UNITS_MM)
        nim.pointee.nifti_type = Int32(NIFTI_FTYPE_NIFTI1_1)
        // libnifti writes in place; a temporary name beside the target, then a rename, keeps
        // an interrupted write from leaving half a file.
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp" + (path.hasSuffix(".gz") ? ".nii.gz" : ".nii")).path
        guard nifti_set_filenames(nim, temporary, 0, 1) == 0 else { throw DataError(path, "libnifti rejected the file name") }
        nifti_image_write(nim)
        guard FileManager.default.fileExists(atPath: temporary) else { throw DataError(path, "could not be written (is the folder writable?)") }
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw DataError(path, "could not be written: \(String(cString: strerror(errno)))")
        }
    }

    private static func convert(_ raw: UnsafeMutableRawPointer, _ datatype: Int32, _ count: Int, into values: UnsafeMutableBufferPointer<Float>,
                                slope: Double?, intercept: Double) {
        if datatype == Int32(NIFTI_TYPE_FLOAT32) && slope == nil {
            values.baseAddress!.update(from: raw.assumingMemoryBound(to: Float.self), count: count)
            return
        }
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
