import Foundation
import ScryTensor

/// GaNDLF's CSV format: `SubjectID`, `Channel_0` … `Channel_N`, `Label` (masks) and
/// `ValueToPredict` (targets), columns recognised by GaNDLF's case-insensitive substrings; other
/// columns are kept as metadata. Paths are relative to the CSV's folder.
extension Dataset {
    enum Role { case id, channel, label, value, metadata }

    /// GaNDLF's header matching.
    static func role(of header: String) -> Role {
        let h = header.lowercased()
        if h.contains("valuetopredict") { return .value }
        if ["subject", "patient", "pid"].contains(where: h.contains) { return .id }
        if ["channel", "modality", "image"].contains(where: h.contains) { return .channel }
        if ["label", "mask", "segmentation", "ground_truth"].contains(where: h.contains) { return .label }
        return .metadata
    }

    /// Rows of a CSV text: fields split on commas, with quoted fields ("a, b", "say ""hi""").
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var characters = text.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? characters.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = characters.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { field.append(c) }
                continue
            }
            switch c {
            case "\"": quoted = true
            case ",": row.append(field); field = ""
            case "\n", "\r\n", "\r":
                row.append(field); field = ""
                if !(row.count == 1 && row[0].isEmpty) { rows.append(row) }
                row = []
            default: field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    /// Which CSV columns (0-based) play which part, as GaNDLF's `headers` names them
    /// (subjectIDHeader, channelHeaders, labelHeader, predictionHeaders): given, they replace the
    /// matching of header names.
    public struct Columns: Sendable {
        public var id: Int?, channels: [Int], label: Int?, value: Int?
        public init(id: Int?, channels: [Int], label: Int?, value: Int?) {
            self.id = id; self.channels = channels; self.label = label; self.value = value
        }
    }

    /// Loads and checks a GaNDLF CSV (or a folder holding `data.csv`): every row's files must
    /// exist and be images whose channels agree in shape and spacing, with labels of the same
    /// shape; every problem of every row is reported at once. `columns` chooses the columns
    /// instead of their names.
    public static func csv(_ path: String, columns: Columns? = nil) throws -> Dataset {
        var isFolder: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
            ? URL(fileURLWithPath: path).appendingPathComponent("data.csv").path : path
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw DataError(file, FileManager.default.fileExists(atPath: file) ? "cannot be read as UTF-8 text" : "no such file")
        }
        var rows = parseCSV(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        guard !rows.isEmpty else { throw DataError(file, "empty CSV") }
        let header = rows.removeFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        var roles = header.map(role)
        if let columns {
            let all = columns.channels + [columns.id, columns.label, columns.value].compactMap { $0 }
            if let bad = all.first(where: { !header.indices.contains($0) }) {
                throw DataError(file, "headers: column \(bad) does not exist; the CSV has columns 0 to \(header.count - 1) (\(header.joined(separator: ", ")))")
            }
            roles = header.indices.map { i in
                if i == columns.id { return .id }
                if columns.channels.contains(i) { return .channel }
                if i == columns.label { return .label }
                return i == columns.value ? .value : .metadata
            }
        }
        guard let channelColumns = Optional(roles.indices.filter { roles[$0] == .channel }), !channelColumns.isEmpty else {
            throw DataError(file, "no image column (GaNDLF names them Channel_0, Channel_1…; found \(header.joined(separator: ", ")))")
        }
        let idColumn = roles.firstIndex(of: .id), labelColumn = roles.firstIndex(of: .label), valueColumn = roles.firstIndex(of: .value)
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent()
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : folder.appendingPathComponent(p).standardizedFileURL.path }
        var subjects: [Subject] = [], problems: [String] = []
        for (r, row) in rows.enumerated() {
            let line = r + 2
            func problem(_ column: Int?, _ text: String) { problems.append("row \(line)" + (column.map { ", column \(header[$0])" } ?? "") + ": " + text) }
            guard row.count == header.count else { problem(nil, "\(row.count) fields, the header has \(header.count)"); continue }
            var geometries: [(column: Int, shape: [Int], spacing: [Double])] = []
            var paths: [String] = []
            for column in channelColumns + (labelColumn.map { [$0] } ?? []) {
                let value = row[column].trimmingCharacters(in: .whitespaces)
                guard !value.isEmpty else { problem(column, "empty"); continue }
                let full = resolve(value)
                guard FileManager.default.fileExists(atPath: full) else { problem(column, "no file \(full)"); continue }
                do {
                    let g = try MedicalImage.geometry(full)
                    geometries.append((column, g.shape, g.spacing))
                    paths.append(full)
                } catch { problem(column, "\(error)") }
            }
            if let first = geometries.first {
                for g in geometries.dropFirst() where g.shape != first.shape {
                    problem(g.column, "shape \(shapeString(g.shape)) differs from \(header[first.column])'s \(shapeString(first.shape))")
                }
                for g in geometries.dropFirst() where zip(g.spacing, first.spacing).contains(where: { Swift.abs($0 - $1) > 1e-3 * Swift.max(1, Swift.abs($1)) }) {
                    problem(g.column, "spacing \(g.spacing) differs from \(header[first.column])'s \(first.spacing)")
                }
            }
            var value: Double?
            if let valueColumn {
                value = Double(row[valueColumn].trimmingCharacters(in: .whitespaces))
                if value == nil { problem(valueColumn, "\"\(row[valueColumn])\" is not a number") }
            }
            guard paths.count == channelColumns.count + (labelColumn == nil ? 0 : 1) else { continue }
            var metadata: [String: String] = [:]
            for (i, role) in roles.enumerated() where role == .metadata { metadata[header[i]] = row[i] }
            subjects.append(Subject(id: idColumn.map { row[$0] } ?? String(line - 1), channelPaths: Array(paths.prefix(channelColumns.count)),
                                    labelPath: labelColumn == nil ? nil : paths.last, value: value, metadata: metadata))
        }
        guard problems.isEmpty else {
            throw DataError(file, "\(problems.count) problem\(problems.count == 1 ? "" : "s"):\n  " + problems.joined(separator: "\n  "))
        }
        return Dataset(subjects: subjects, source: file, channelNames: channelColumns.map { header[$0] })
    }

    /// Writes every subject's images (NIfTI for volumes, PNG for 2D) and label maps into
    /// `folder`, with a GaNDLF CSV `data.csv` listing them; returns the CSV's path.
    @discardableResult
    public func write(to folder: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var lines = [(["SubjectID"] + channelNames + (hasLabels ? ["Label"] : []) + (subjects.first?.value != nil ? ["ValueToPredict"] : [])).joined(separator: ",")]
        for (i, subject) in subjects.enumerated() {
            let image = try self.image(i)
            let planar = image.shape.count == 2
            var fields = [subject.id]
            // One file per channel column; a single column keeps all of the image's channels (RGB).
            let perFile = channelNames.count == 1 ? image.channels : 1
            for (c, name) in channelNames.enumerated() {
                var channel = image
                channel.data = try image.data.index([.slice(start: c * perFile, stop: (c + 1) * perFile, step: nil)])
                let file = "\(subject.id)_\(name.lowercased())" + (planar ? ".png" : ".nii.gz")
                let path = URL(fileURLWithPath: folder).appendingPathComponent(file).path
                if planar { try Dataset.writePlanar(channel, to: path) } else { try NIfTI.write(channel, to: path) }
                fields.append(file)
            }
            if hasLabels, let label = try self.label(i) {
                let file = "\(subject.id)_label" + (planar ? ".png" : ".nii.gz")
                let path = URL(fileURLWithPath: folder).appendingPathComponent(file).path
                if planar { try PlanarImage.writePNG(label, to: path, low: 0, high: 255) } else { try NIfTI.write(label, to: path, datatype: "uint8") }
                fields.append(file)
            }
            if let value = subject.value { fields.append(String(value)) }
            lines.append(fields.map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ","))
        }
        let csv = URL(fileURLWithPath: folder).appendingPathComponent("data.csv").path
        do {
            try AtomicFile.write(Data((lines.joined(separator: "\n") + "\n").utf8), to: csv)
        } catch let failure as AtomicFile.Failure {
            throw DataError(csv, failure.description)
        }
        return csv
    }

    /// A 2D image as PNG keeping what it holds: 8-bit and 16-bit files as they were stored,
    /// phantoms' intensities 0…1.5 spread over 0…255, anything else windowed min to max.
    static func writePlanar(_ image: MedicalImage, to path: String) throws {
        switch (image.format, image.storedType) {
        case ("phantom", _): try PlanarImage.writePNG(image, to: path, low: 0, high: 1.5)
        case (_, "uint8"): try PlanarImage.writePNG(image, to: path, low: 0, high: 255)
        case (_, "uint16"): try PlanarImage.writePNG(image, to: path, bits: 16)
        default: try PlanarImage.writePNG(image, to: path)
        }
    }

    /// Writes a GaNDLF CSV listing this dataset's files (absolute paths): a split of a CSV
    /// dataset written back. Datasets made in memory are written with `write(to:)`.
    public func writeCSV(to path: String) throws {
        guard subjects.allSatisfy({ !$0.channelPaths.isEmpty }) else {
            throw DataError(path, "this dataset's subjects are not files yet: write(folder) writes images and CSV together")
        }
        let metadataKeys = Set(subjects.flatMap { $0.metadata.keys }).sorted()
        let hasValues = subjects.contains { $0.value != nil }
        var lines = [(["SubjectID"] + channelNames + (hasLabels ? ["Label"] : []) + (hasValues ? ["ValueToPredict"] : []) + metadataKeys).joined(separator: ",")]
        for subject in subjects {
            let fields = [subject.id] + subject.channelPaths + (hasLabels ? [subject.labelPath ?? ""] : [])
                + (hasValues ? [subject.value.map { String($0) } ?? ""] : []) + metadataKeys.map { subject.metadata[$0] ?? "" }
            lines.append(fields.map { $0.contains(",") || $0.contains("\"") ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0 }.joined(separator: ","))
        }
        do {
            try AtomicFile.write(Data((lines.joined(separator: "\n") + "\n").utf8), to: path)
        } catch let failure as AtomicFile.Failure {
            throw DataError(path, failure.description)
        }
    }

    /// A GaNDLF CSV from the usual layout, one folder per subject holding its files: each
    /// channel (and the label) is the file whose name contains the given substring, as
    /// GaNDLF's construct-csv matches them. Subjects missing a file are reported all at once.
    public static func constructCSV(folder: String, channels: [String], label: String?, to path: String) throws {
        let root = URL(fileURLWithPath: folder)
        let subjects = try FileManager.default.contentsOfDirectory(atPath: folder).filter { name in
            var isFolder: ObjCBool = false
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path, isDirectory: &isFolder) && isFolder.boolValue
        }.sorted()
        guard !subjects.isEmpty else { throw DataError(folder, "no subject folders") }
        var lines = [(["SubjectID"] + channels.indices.map { "Channel_\($0)" } + (label == nil ? [] : ["Label"])).joined(separator: ",")]
        var problems: [String] = []
        for subject in subjects {
            let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(subject).path).sorted()
            var fields = [subject]
            for pattern in channels + (label.map { [$0] } ?? []) {
                // A channel's pattern must not pick the label file (both may share a stem).
                let matches = files.filter { $0.contains(pattern) && (pattern == label || label == nil || !$0.contains(label!)) }
                guard matches.count == 1 else {
                    problems.append("\(subject): \(matches.isEmpty ? "no file" : "\(matches.count) files") matching \"\(pattern)\"")
                    continue
                }
                fields.append(root.appendingPathComponent(subject).appendingPathComponent(matches[0]).path)
            }
            lines.append(fields.map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ","))
        }
        guard problems.isEmpty else { throw DataError(folder, "\(problems.count) problem\(problems.count == 1 ? "" : "s"):\n  " + problems.joined(separator: "\n  ")) }
        do {
            try AtomicFile.write(Data((lines.joined(separator: "\n") + "\n").utf8), to: path)
        } catch let failure as AtomicFile.Failure {
            throw DataError(path, failure.description)
        }
    }
}
