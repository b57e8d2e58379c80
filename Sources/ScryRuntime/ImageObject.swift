import Foundation
import ScryData
import ScryLang
import ScryTensor
import ScryVision

/// An image as a Scry value: `.data` [C, …spatial], `.shape` (spatial), `.channels`,
/// `.spacing`, `.affine`, `.path`; wherever a tensor is expected it stands for its data.
final class ImageObject: HostObject {
    let image: MedicalImage

    init(_ image: MedicalImage) { self.image = image }

    var typeName: String { "image" }

    var display: String {
        let size = image.shape.map(String.init).joined(separator: "×")
        let spacing = image.spacing.map { String(format: "%g", $0) }.joined(separator: ", ")
        return "<image \(size), \(image.channels) channel\(image.channels == 1 ? "" : "s"), spacing [\(spacing)], \(image.format) \(image.storedType)"
            + (image.path.map { ": " + $0 } ?? "") + ">"
    }

    var detailedDisplay: String {
        let values = image.data
        guard values.count > 0, let low = try? values.min().item(), let high = try? values.max().item(), let mean = try? values.mean().item() else { return display }
        return display + String(format: "\nintensity: min %g, max %g, mean %.4g", low, high, mean)
    }

    var memoryBytes: Int? { image.data.count * 4 }

    /// Arithmetic and comparisons act on the data, giving tensors.
    func binary(_ op: String, _ other: Value, reversed: Bool) throws -> Value? {
        try TensorObject(image.data).binary(op, other, reversed: reversed)
    }

    func negate() throws -> Value? { try TensorObject(image.data).negate() }

    func subscriptGet(_ subscripts: [SubscriptValue]) throws -> Value? { try TensorObject(image.data).subscriptGet(subscripts) }

    var attributeNames: [String] { ["affine", "channels", "data", "dtype", "format", "orientation", "path", "shape", "spacing", "with_data"] }

    func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "data": return TensorBindings.wrap(image.data)
        case "shape": return .list(ListStorage(image.shape.map { .int($0) }))
        case "channels": return .int(image.channels)
        case "spacing": return .list(ListStorage(image.spacing.map { .float($0) }))
        case "affine": return TensorBindings.wrap(try Tensor(flat: image.affine.flatMap { $0 }, shape: [4, 4]))
        case "path": return image.path.map { .string($0) } ?? .nil
        case "format": return .string(image.format)
        case "orientation": return .string(image.orientation)
        case "dtype": return .string(image.storedType)
        case "with_data":
            return .function(NativeFunction("with_data", [Parameter("data")],
                                            doc: "An image with this one's geometry and new data (a prediction to save beside its input).") { a in
                var data = try TensorBindings.tensor(a["data"], "data", "with_data", dtype: .float32)
                if data.rank == self.image.shape.count { data = try data.unsqueeze(0) }
                guard Array(data.shape.dropFirst()) == self.image.shape else {
                    throw ScryError(.shapeError, "with_data(): data \(shapeString(data.shape)) does not match the image's spatial shape \(shapeString(self.image.shape))")
                }
                var copy = self.image
                copy.data = data
                copy.path = nil
                return .host(ImageObject(copy))
            })
        default: return nil
        }
    }
}

/// Loading, saving and looking at images.
enum ImageBindings {
    /// An image's colours [3, x, y] (a slide's, a heat map's backdrop) from an image or a
    /// tensor, as PIL's convert("RGB"), which GaNDLF reads slides with, gives them: an alpha
    /// channel is dropped and a gray image (which Scry reads as one channel when every pixel is
    /// gray, a blank slide say) repeated; a 2D image stored as [C, x, y, 1] loses its last axis.
    static func rgb(_ value: Value, _ function: String) throws -> Tensor {
        var data = try TensorBindings.tensor(value, "image", function, dtype: .float32)
        if data.rank == 4, data.shape[3] == 1 { data = try data.squeeze(axes: [3]) }
        guard data.rank == 3, [1, 3, 4].contains(data.shape[0]) else {
            throw ScryError(.shapeError, "\(function)(): needs an RGB image [3, x, y] (or gray, or with alpha), got \(shapeString(data.shape))")
        }
        switch data.shape[0] {
        case 1: return try Tensor.concat([data, data, data])
        case 4: return try data.index([.slice(start: 0, stop: 3, step: nil)])
        default: return data
        }
    }

    static func load(_ path: String) throws -> MedicalImage {
        do {
            return try MedicalImage.read(path)
        } catch let error as DataError {
            throw ScryError(FileManager.default.fileExists(atPath: path) ? .valueError : .ioError, error.description)
        }
    }

    /// Writes an image (or a tensor, with the geometry of `like`) by the path's extension.
    static func save(_ a: BoundArguments, _ path: String) throws -> Bool {
        var image: MedicalImage
        switch a["value"] {
        case .host(let object as ImageObject): image = object.image
        case .host(let object as TensorObject) where path.hasSuffix(".nii") || path.hasSuffix(".nii.gz"):
            guard case .host(let reference as ImageObject) = a["like"] else {
                image = try MedicalImage(data: object.tensor.rank == 3 ? object.tensor.unsqueeze(0) : object.tensor)
                break
            }
            var data = object.tensor
            if data.rank == reference.image.shape.count { data = try data.unsqueeze(0) }
            guard Array(data.shape.dropFirst()) == reference.image.shape else {
                throw ScryError(.shapeError, "save(): \(path): data \(shapeString(object.tensor.shape)) does not match the reference image's spatial shape \(shapeString(reference.image.shape)) (give [C, …] or […])")
            }
            image = reference.image
            image.data = try data.to(.float32)
        default: return false
        }
        do {
            if path.hasSuffix(".nii") || path.hasSuffix(".nii.gz") {
                try NIfTI.write(image, to: path, datatype: a.has("dtype") ? try a.string("dtype") : "float32")
            } else if path.lowercased().hasSuffix(".png") {
                try PlanarImage.writePNG(image, to: path, bits: try a.optionalInt("bits") ?? 8, low: try a.optionalDouble("low"), high: try a.optionalDouble("high"))
            } else {
                throw ScryError(.valueError, "save(): \(path): images are written as .nii, .nii.gz or .png")
            }
        } catch let error as DataError {
            throw ScryError(.ioError, error.description)
        }
        return true
    }

    /// What show and montage draw from: an image's first channel, or a tensor as it is.
    /// What show, montage and overlay draw: an image's first channel, or a tensor without its
    /// leading axes of size 1 (x[0] of a batch [1, 1, x, y] draws as [x, y]).
    static func drawable(_ value: Value, _ function: String, parameter: String = "x") throws -> Tensor {
        if case .host(let object as ImageObject) = value { return try object.image.data.index([.at(0)]) }
        var data = try TensorBindings.tensor(value, parameter, function, dtype: .float32)
        while data.rank > 2, data.shape[0] == 1 { data = try data.squeeze(axes: [0]) }
        return data
    }

    /// A 2D slice: [x, y] as it is, or of [x, y, z] the slice along `axis` (default the last) at
    /// `index` (default the middle); [x, y, 1] counts as 2D unless an axis is given.
    static func slice(_ volume: Tensor, axis: Int?, index: Int?, _ function: String) throws -> Tensor {
        var data = volume
        if data.rank == 3 && data.shape[2] == 1 && axis == nil { data = try data.squeeze(axes: [2]) }
        guard data.rank == 3 else {
            guard data.rank == 2 else { throw ScryError(.shapeError, "\(function)(): needs a 2D or 3D image, got \(shapeString(data.shape))") }
            return data
        }
        let chosen = axis ?? 2
        guard (0..<3).contains(chosen) else { throw ScryError(.indexError, "\(function)(): axis must be 0, 1 or 2, got \(chosen)") }
        let position = index ?? data.shape[chosen] / 2
        guard (0..<data.shape[chosen]).contains(position) else {
            throw ScryError(.indexError, "\(function)(): slice \(position) is outside axis \(chosen) of size \(data.shape[chosen])")
        }
        var indices = [TensorIndex](repeating: .all, count: 3)
        indices[chosen] = .at(position)
        return try data.index(indices)
    }

    nonisolated(unsafe) static let functions: [NativeFunction] = [
        NativeFunction("load", [Parameter("path")],
                       doc: "Reads an image, its format found from the file's content: NIfTI (.nii, .nii.gz, .hdr/.img; NIfTI-1 and 2) or a 2D image; a .safetensors file gives its tensors as a dict.",
                       help: "2D formats this build reads: \(PlanarImage.readableFormats.joined(separator: ", ")), and 16-bit PNG without loss. The image has .data [C, …spatial] (x first, as nibabel), .shape, .channels, .spacing, .affine, .path.") { a in
            let path = try a.string("path")
            if path.hasSuffix(".safetensors") { return try WeightFiles.tensors(at: path) }
            return .host(ImageObject(try load(path)))
        },
        NativeFunction("montage", [Parameter("x"), Parameter("axis", default: .int(2)), Parameter("count", default: .int(16)),
                                   Parameter("low", default: .nil), Parameter("high", default: .nil), Parameter("title", default: .string(""))],
                       doc: "Evenly spaced slices of a volume along an axis, side by side in a grid, as one gray picture windowed from low to high.") { a in
            let axis = try a.int("axis"), count = try a.int("count")
            let volume = try drawable(a["x"], "montage")
            guard volume.rank == 3, (0..<3).contains(axis), count >= 1 else {
                throw ScryError(.shapeError, "montage(): needs a volume [x, y, z] (or an image), an axis 0…2 and a count of at least 1; got \(shapeString(volume.shape))")
            }
            let depth = volume.shape[axis], n = Swift.min(count, depth)
            let planes = try (0..<n).map { try slice(volume, axis: axis, index: (2 * $0 + 1) * depth / (2 * n), "montage") }
            let columns = Int(Double(n).squareRoot().rounded(.up)), rows = (n + columns - 1) / columns
            let fill = try Tensor.full(planes[0].shape, try volume.min().item())
            let canvas = try Tensor.concat(try (0..<rows).map { r in
                let row = Array(planes[(r * columns)..<Swift.min(n, (r + 1) * columns)])
                return try Tensor.concat(row + Array(repeating: fill, count: columns - row.count), axis: 0)
            }, axis: 1)
            let picture = try Picture.gray(canvas, low: try a.optionalDouble("low"), high: try a.optionalDouble("high"), title: try a.string("title"))
            return .host(PictureObject(picture))
        },
    ]
}
