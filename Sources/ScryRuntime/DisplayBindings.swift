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
        NativeFunction("show", [Parameter("x"), Parameter("low", default: .nil), Parameter("high", default: .nil), Parameter("title", default: .string(""))],
                       doc: "A 2D tensor as a gray picture (first axis: x, the column; second: y, the row), windowed from low to high (default: its min and max).") { a in
            let t = try TensorBindings.tensor(a["x"], "x", "show")
            let picture = try Picture.gray(t, low: try a.optionalDouble("low"), high: try a.optionalDouble("high"), title: try a.string("title"))
            return .host(PictureObject(picture))
        },
        NativeFunction("save", [Parameter("value"), Parameter("path")],
                       doc: "Writes a value to a file: a picture as PNG, a table as CSV; a module's weights, an optimizer's or a scheduler's state, or a dict of tensors as safetensors.") { a in
            let path = try a.string("path")
            if try WeightFiles.save(a["value"], to: path) { return .nil }
            switch a["value"] {
            case .host(let picture as PictureObject): try picture.save(to: path)
            case .host(let table as TableObject):
                try FileOutput.writeAtomically(Data(table.csv.utf8), to: path)
            default: throw a.typeError("value", "a picture, a table, a module, an optimizer, a scheduler or a dict of tensors")
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
