import Foundation
import ScryLang
import ScryTensor
import ScryVision

/// Display values bound into the language: `show`, `save`, `table`.
enum DisplayBindings {
    static func install(into interpreter: Interpreter) {
        for function in functions { interpreter.register(function) }
    }

    nonisolated(unsafe) static let functions: [NativeFunction] = [
        NativeFunction("show", [Parameter("x"), Parameter("axis", default: .nil), Parameter("slice", default: .nil), Parameter("low", default: .nil),
                                Parameter("high", default: .nil), Parameter("title", default: .string(""))],
                       doc: "A 2D tensor or image as a picture (first axis: x, the column; second: y, the row), windowed from low to high (default: its min and max); of a volume, the slice at `slice` (default the middle) along `axis` (default the last). RGB images show in colour.") { a in
            let title = try a.string("title"), low = try a.optionalDouble("low"), high = try a.optionalDouble("high")
            if case .host(let object as ImageObject) = a["x"], object.image.channels == 3, object.image.shape.count == 2 {
                return .host(PictureObject(try Picture.rgb(object.image.data, low: low ?? 0, high: high ?? 255, title: title)))
            }
            let plane = try ImageBindings.slice(ImageBindings.drawable(a["x"], "show"), axis: try a.optionalInt("axis"), index: try a.optionalInt("slice"), "show")
            return .host(PictureObject(try Picture.gray(plane, low: low, high: high, title: title)))
        },
        NativeFunction("save", [Parameter("value"), Parameter("path"), Parameter("dtype", default: .nil), Parameter("like", default: .nil),
                                Parameter("low", default: .nil), Parameter("high", default: .nil), Parameter("bits", default: .nil)],
                       doc: "Writes a value to a file: a picture as PNG, a table as CSV; a module's weights, an optimizer's or a scheduler's state, or a dict of tensors as safetensors; an image as NIfTI or PNG by extension.",
                       help: "Images: dtype \"float32\", \"uint8\" or \"int16\" for NIfTI (label maps); a tensor saved as NIfTI takes its geometry from like: (a reference image); PNG: 8 bits windowed from low to high (default min and max) or bits: 16.") { a in
            let path = try a.string("path")
            if try WeightFiles.save(a["value"], to: path) { return .nil }
            if try ImageBindings.save(a, path) { return .nil }
            switch a["value"] {
            case .host(let picture as PictureObject): try picture.save(to: path)
            case .host(let table as TableObject):
                try FileOutput.writeAtomically(Data(table.csv.utf8), to: path)
            default: throw a.typeError("value", "a picture, a table, an image, a module, an optimizer, a scheduler or a dict of tensors")
            }
            return .nil
        },
        NativeFunction("table", [Parameter("columns")],
                       doc: "A table from a dict of equally long column lists: table({\"subject\": [\"a\", \"b\"], \"dice\": [0.9, 0.8]}).") { a in
            guard case .dict(let dict) = a["columns"] else { throw a.typeError("columns", "a dict of column lists") }
            var names: [String] = [], columns: [[Value]] = []
            for entry in dict.entries {
                names.append(entry.key.printed)
                columns.append(try Iteration.array(entry.value))
            }
            let count = columns.first?.count ?? 0
            if let bad = columns.firstIndex(where: { $0.count != count }) {
                throw ScryError(.valueError, "table(): column \(Value.quote(names[bad])) has \(columns[bad].count) values, the first has \(count)")
            }
            return .host(TableObject(columns: names, rows: (0..<count).map { row in columns.map { $0[row] } }))
        },
    ]
}
