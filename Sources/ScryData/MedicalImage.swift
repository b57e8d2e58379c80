import ScryTensor

/// An image as Scry holds it: float32 data [C, …spatial] in the file's own axis order (x, the
/// column, first; as nibabel indexes NIfTI data), with its geometry: voxel spacing and the 4×4
/// affine from voxel indices to world (scanner) coordinates. 2D pictures have spacing 1 and an
/// identity affine.
public struct MedicalImage {
    public var data: Tensor
    /// Millimetres (or the file's unit) per voxel along each spatial axis.
    public var spacing: [Double]
    /// Voxel (i, j, k, 1) to world (x, y, z, 1), row-major.
    public var affine: [[Double]]
    /// The file it was read from, if any.
    public var path: String?
    /// The file's format and stored datatype (`nifti1`/`nifti2`, `png`…; `int16`…).
    public var format: String
    public var storedType: String

    public init(data: Tensor, spacing: [Double]? = nil, affine: [[Double]]? = nil, path: String? = nil,
                format: String = "tensor", storedType: String = "float32") throws {
        guard data.rank >= 2 else {
            throw TensorError.shapeMismatch(op: "image", "image data must be [C, …spatial], got \(shapeString(data.shape))")
        }
        let spatial = data.rank - 1
        self.data = try data.to(.float32)
        self.spacing = spacing ?? [Double](repeating: 1, count: spatial)
        self.affine = affine ?? MedicalImage.diagonalAffine(self.spacing)
        self.path = path; self.format = format; self.storedType = storedType
        guard self.spacing.count == spatial else {
            throw TensorError.shapeMismatch(op: "image", "\(self.spacing.count) spacings for \(spatial) spatial axes")
        }
    }

    /// Reads an image file, its format found from its content: NIfTI, else a 2D image.
    public static func read(_ path: String) throws -> MedicalImage {
        NIfTI.version(of: path) != nil ? try NIfTI.read(path) : try PlanarImage.read(path)
    }

    /// Spatial shape, channels and spacing of an image file, from its header when it is NIfTI.
    static func geometry(_ path: String) throws -> (shape: [Int], channels: Int, spacing: [Double]) {
        if NIfTI.version(of: path) != nil { return try NIfTI.geometry(path) }
        let image = try PlanarImage.read(path)
        return (image.shape, image.channels, image.spacing)
    }

    /// The spatial shape (without the channel axis).
    public var shape: [Int] { Array(data.shape.dropFirst()) }
    public var channels: Int { data.shape[0] }

    /// The world direction each voxel axis points to, as nibabel's aff2axcodes names it
    /// ("RAS", "LPS", …): the largest component of the axis's column of the affine.
    public var orientation: String {
        (0..<Swift.min(3, shape.count)).map { axis -> String in
            let column = (0..<3).map { affine[$0][axis] }
            let world = column.indices.max { Swift.abs(column[$0]) < Swift.abs(column[$1]) }!
            let letters = [("R", "L"), ("A", "P"), ("S", "I")][world]
            return column[world] >= 0 ? letters.0 : letters.1
        }.joined()
    }

    /// Moves the voxel grid: new voxel i along axis j sits at old index offset[j] + scale[j]·i,
    /// so the affine and spacing follow a resampling, crop or pad.
    public mutating func regrid(scale: [Double], offset: [Double]) {
        for axis in 0..<Swift.min(3, scale.count) {
            for row in 0..<3 {
                affine[row][3] += affine[row][axis] * offset[axis]
                affine[row][axis] *= scale[axis]
            }
        }
        spacing = zip(spacing, scale).map { $0 * Swift.abs($1) }
    }

    /// diag(spacing, 1), padded to three axes.
    public static func diagonalAffine(_ spacing: [Double]) -> [[Double]] {
        (0..<4).map { row in
            (0..<4).map { column in
                guard row == column else { return 0 }
                return row < 3 ? (row < spacing.count ? spacing[row] : 1) : 1
            }
        }
    }
}
