import Foundation
import ScryLang
import ScryTensor
import ScryVision

/// A picture as a Scry value: displayed inline in the shell, stored as image/png in notebooks.
final class PictureObject: HostObject {
    let picture: Picture

    init(_ picture: Picture) { self.picture = picture }

    var typeName: String { "picture" }
    var display: String {
        "<picture \(picture.width)×\(picture.height)" + (picture.title.isEmpty ? "" : " \(Value.quote(picture.title))") + ">"
    }
    var attributeNames: [String] { ["height", "save", "title", "width"] }
    var memoryBytes: Int? { picture.pixels.count }

    func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "width": return .int(picture.width)
        case "height": return .int(picture.height)
        case "title": return .string(picture.title)
        case "save":
            return .function(NativeFunction("save", [Parameter("path")], doc: "Writes the picture as a PNG file.") { a in
                try self.save(to: try a.string("path"))
                return .nil
            })
        default: return nil
        }
    }

    func richOutput() throws -> [String: String]? {
        ["image/png": try picture.png().base64EncodedString(), "text/plain": display]
    }

    /// Writes PNG atomically (temporary file, then rename).
    func save(to path: String) throws {
        guard path.lowercased().hasSuffix(".png") else {
            throw ScryError(.valueError, "save(): pictures are written as PNG; give a path ending in .png, not \(Value.quote(path))")
        }
        try FileOutput.writeAtomically(try picture.png(), to: path)
    }
}

/// Named columns and rows: aligned text in the shell, text/plain in notebooks, CSV on disk.
final class TableObject: HostObject {
    let columns: [String]
    let rows: [[Value]]

    init(columns: [String], rows: [[Value]]) {
        self.columns = columns
        self.rows = rows
    }

    var typeName: String { "table" }
    var length: Int? { rows.count }
    var attributeNames: [String] { ["columns", "rows", "to_csv"] }

    /// A cell as shown: floats to six significant digits, which is all a metric or a loss
    /// needs on screen (to_csv keeps every digit).
    static func cell(_ value: Value) -> String {
        if case .float(let f) = value, f.isFinite { return String(format: "%.6g", f) }
        return value.printed
    }

    /// Aligned columns; numeric columns are right-aligned.
    var display: String {
        let numeric = columns.indices.map { column in
            rows.allSatisfy { if case .int = $0[column] { return true }; if case .float = $0[column] { return true }; return false }
        }
        return TableText.render(header: columns, rows: rows.map { $0.map(TableObject.cell) }, rightAligned: numeric)
    }

    func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "columns": return .list(ListStorage(columns.map { .string($0) }))
        case "rows": return .list(ListStorage(rows.map { .list(ListStorage($0)) }))
        case "to_csv":
            return .function(NativeFunction("to_csv", [Parameter("path")], doc: "Writes the table as CSV (RFC 4180 quoting).") { a in
                try FileOutput.writeAtomically(Data(self.csv.utf8), to: try a.string("path"))
                return .nil
            })
        default: return nil
        }
    }

    var csv: String {
        func field(_ text: String) -> String {
            text.unicodeScalars.contains(where: { ",\"\n\r".unicodeScalars.contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        return ([columns.map(field)] + rows.map { $0.map { field($0.printed) } }).map { $0.joined(separator: ",") }
            .joined(separator: "\n") + "\n"
    }

    func subscriptGet(_ subscripts: [SubscriptValue]) throws -> Value? {
        guard subscripts.count == 1, case .index(let key) = subscripts[0] else { return nil }
        switch key {
        case .string(let name):
            guard let column = columns.firstIndex(of: name) else {
                throw ScryError(.keyError, "table has no column \(Value.quote(name))" + Attributes.suggestion(name, columns))
            }
            return .list(ListStorage(rows.map { $0[column] }))
        case .int(let i):
            let index = i < 0 ? i + rows.count : i
            guard index >= 0 && index < rows.count else {
                throw ScryError(.indexError, "table row \(i) is out of range for a table of \(rows.count) rows")
            }
            return .list(ListStorage(rows[index]))
        default:
            throw ScryError(.typeError, "tables are indexed by column name or row number, not \(key.typeName)")
        }
    }

    func makeIterator() throws -> AnyIterator<Value>? {
        var i = 0
        return AnyIterator { [rows] in
            defer { i += 1 }
            return i < rows.count ? .list(ListStorage(rows[i])) : nil
        }
    }
}

/// Text tables as the shell shows them: a header, a rule of '─', then the rows, columns two
/// spaces apart.
public enum TableText {
    public static func render(header: [String], rows: [[String]], rightAligned: [Bool]? = nil) -> String {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        let right = rightAligned ?? header.map { _ in false }
        func line(_ row: [String], alignRight: [Bool]) -> String {
            row.enumerated().map { i, text in
                let pad = String(repeating: " ", count: widths[i] - text.count)
                return alignRight[i] ? pad + text : text + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        let rule = widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")
        return ([line(header, alignRight: header.map { _ in false }), rule] + rows.map { line($0, alignRight: right) })
            .joined(separator: "\n")
    }
}

/// Files the runtime writes, written atomically (see AtomicFile), failing with an IOError.
enum FileOutput {
    static func writeAtomically(_ data: Data, to path: String) throws {
        do {
            try AtomicFile.write(data, to: path)
        } catch let failure as AtomicFile.Failure {
            throw ScryError(.ioError, failure.description)
        }
    }
}
