import Foundation
import ScryTensor

/// A problem with a notebook file, naming the file and the field at fault.
public enum NotebookError: Error, CustomStringConvertible, Equatable {
    case malformed(String)
    case io(String)

    public var description: String {
        switch self {
        case .malformed(let message): return message
        case .io(let message): return message
        }
    }
}

/// One output of a code cell, as nbformat 4 defines them.
public enum NotebookOutput: Equatable {
    /// Printed text (`stdout` or `stderr`).
    case stream(name: String, text: String)
    /// The value of the cell's last expression.
    case executeResult(executionCount: Int?, data: [String: String], metadata: JSON)
    /// A picture or table shown during the cell (`image/png` is one base64 string).
    case displayData(data: [String: String], metadata: JSON)
    /// An uncaught error.
    case error(name: String, value: String, traceback: [String])
}

/// A notebook cell.
public enum NotebookCell: Equatable {
    case code(id: String, source: String, executionCount: Int?, outputs: [NotebookOutput])
    case markdown(id: String, source: String)

    public var id: String {
        switch self {
        case .code(let id, _, _, _), .markdown(let id, _): return id
        }
    }

    public var source: String {
        switch self {
        case .code(_, let source, _, _), .markdown(_, let source): return source
        }
    }
}

/// A Jupyter notebook (nbformat 4.5) holding a Scry session.
public struct Notebook: Equatable {
    public var cells: [NotebookCell]
    /// Everything under `metadata` (kernelspec, language_info, Scry's own `scry` entry, and
    /// whatever other tools stored there, kept as it was).
    public var metadata: JSON
    /// What other tools stored per cell, kept through a rewrite: each cell's `metadata` (tags,
    /// collapsed…) and `attachments`, by cell id.
    public var cellExtras: [String: [String: JSON]] = [:]
    /// Ids of raw cells (read and written back as raw; Scry treats them as text).
    public var rawCells: Set<String> = []

    public init(cells: [NotebookCell] = [], metadata: JSON? = nil) {
        self.cells = cells
        self.metadata = metadata ?? Notebook.defaultMetadata(scry: [:])
    }

    /// kernelspec and language_info for Scry, with `scry` session facts (version, seed, …).
    public static func defaultMetadata(scry: [String: JSON]) -> JSON {
        .object([
            "kernelspec": .object(["name": .string("scry"), "display_name": .string("Scry"), "language": .string("scry")]),
            "language_info": .object(["name": .string("scry"), "file_extension": .string(".scry"),
                                      "mimetype": .string("text/x-scry"), "pygments_lexer": .string("python")]),
            "scry": .object(scry),
        ])
    }

    /// Scry's own metadata (`metadata.scry`): version, seed, threads, start time.
    public var scryMetadata: [String: JSON] {
        if case .object(let members)? = metadata["scry"] { return members }
        return [:]
    }

    // MARK: JSON

    /// The notebook as Jupyter writes it.
    public var json: JSON {
        .object([
            "cells": .array(cells.map(encode)),
            "metadata": metadata,
            "nbformat": .int(4),
            "nbformat_minor": .int(5),
        ])
    }

    private func encode(_ cell: NotebookCell) -> JSON {
        var fields: [String: JSON] = ["id": .string(cell.id), "metadata": .object([:]), "source": JSON.lines(cell.source)]
        for (key, value) in cellExtras[cell.id] ?? [:] { fields[key] = value }
        switch cell {
        case .markdown:
            fields["cell_type"] = .string(rawCells.contains(cell.id) ? "raw" : "markdown")
        case let .code(_, _, count, outputs):
            fields["cell_type"] = .string("code")
            fields["execution_count"] = count.map { .int($0) } ?? .null
            fields["outputs"] = .array(outputs.map(Notebook.encode))
        }
        return .object(fields)
    }

    private static func encode(_ output: NotebookOutput) -> JSON {
        switch output {
        case let .stream(name, text):
            return .object(["output_type": .string("stream"), "name": .string(name), "text": JSON.lines(text)])
        case let .executeResult(count, data, metadata):
            return .object(["output_type": .string("execute_result"), "execution_count": count.map { .int($0) } ?? .null,
                            "data": encodeBundle(data), "metadata": metadata])
        case let .displayData(data, metadata):
            return .object(["output_type": .string("display_data"), "data": encodeBundle(data), "metadata": metadata])
        case let .error(name, value, traceback):
            return .object(["output_type": .string("error"), "ename": .string(name), "evalue": .string(value),
                            "traceback": .array(traceback.map { .string($0) })])
        }
    }

    /// Text types (and JavaScript and SVG) are split into lines as nbformat splits them; JSON
    /// types hold their JSON value; images and other data stay one string.
    private static func encodeBundle(_ data: [String: String]) -> JSON {
        .object(Dictionary(uniqueKeysWithValues: data.map { key, value in
            if isJSONType(key), let parsed = try? JSON.parse(Data(value.utf8)) { return (key, parsed) }
            let splits = key.hasPrefix("text/") || key == "application/javascript" || key == "image/svg+xml"
            return (key, splits ? JSON.lines(value) : JSON.string(value))
        }))
    }

    /// `application/json` and `application/…+json`: nbformat stores these as JSON values, which
    /// the output model keeps as their JSON text.
    static func isJSONType(_ mime: String) -> Bool {
        mime == "application/json" || (mime.hasPrefix("application/") && mime.hasSuffix("+json"))
    }

    /// Reads a notebook from JSON; `file` names it in errors.
    public init(json: JSON, file: String) throws {
        func fail(_ field: String, _ problem: String) -> NotebookError {
            .malformed("\(file): \(field): \(problem)")
        }
        guard case .object = json else { throw fail("top level", "not a JSON object") }
        guard case .int(let major)? = json["nbformat"], major == 4 else {
            throw fail("nbformat", "only nbformat 4 notebooks can be read")
        }
        guard case .array(let cellList)? = json["cells"] else { throw fail("cells", "missing or not a list") }
        if case .object? = json["metadata"] { metadata = json["metadata"]! } else { metadata = Notebook.defaultMetadata(scry: [:]) }
        cells = []
        for (index, raw) in cellList.enumerated() {
            let field = "cells[\(index)]"
            guard case .string(let type)? = raw["cell_type"] else { throw fail("\(field).cell_type", "missing") }
            guard let source = raw["source"]?.joinedText else { throw fail("\(field).source", "missing or not text") }
            var id = "cell-\(index + 1)"
            if case .string(let given)? = raw["id"] { id = given }
            var extras: [String: JSON] = [:]
            if case .object(let members)? = raw["metadata"], !members.isEmpty { extras["metadata"] = .object(members) }
            if let attachments = raw["attachments"], type != "code" { extras["attachments"] = attachments }
            if !extras.isEmpty { cellExtras[id] = extras }
            if type == "raw" { rawCells.insert(id) }
            switch type {
            case "markdown", "raw":
                cells.append(.markdown(id: id, source: source))
            case "code":
                var count: Int?
                if case .int(let n)? = raw["execution_count"] { count = n }
                var outputs: [NotebookOutput] = []
                if case .array(let rawOutputs)? = raw["outputs"] {
                    for (o, rawOutput) in rawOutputs.enumerated() {
                        outputs.append(try Notebook.decodeOutput(rawOutput, field: "\(field).outputs[\(o)]", fail: fail))
                    }
                }
                cells.append(.code(id: id, source: source, executionCount: count, outputs: outputs))
            default:
                throw fail("\(field).cell_type", "unknown cell type \"\(type)\"")
            }
        }
    }

    private static func decodeOutput(_ raw: JSON, field: String, fail: (String, String) -> NotebookError) throws -> NotebookOutput {
        func data() throws -> [String: String] {
            guard case .object(let members)? = raw["data"] else { throw fail("\(field).data", "missing") }
            var result: [String: String] = [:]
            for (key, value) in members {
                if isJSONType(key) {
                    result[key] = value.text
                    continue
                }
                guard let text = value.joinedText else { throw fail("\(field).data[\(key)]", "not text") }
                result[key] = text
            }
            return result
        }
        guard case .string(let type)? = raw["output_type"] else { throw fail("\(field).output_type", "missing") }
        switch type {
        case "stream":
            guard case .string(let name)? = raw["name"], let text = raw["text"]?.joinedText else {
                throw fail(field, "a stream needs name and text")
            }
            return .stream(name: name, text: text)
        case "execute_result":
            var count: Int?
            if case .int(let n)? = raw["execution_count"] { count = n }
            return .executeResult(executionCount: count, data: try data(), metadata: raw["metadata"] ?? .object([:]))
        case "display_data":
            return .displayData(data: try data(), metadata: raw["metadata"] ?? .object([:]))
        case "error":
            guard case .string(let name)? = raw["ename"], case .string(let value)? = raw["evalue"] else {
                throw fail(field, "an error needs ename and evalue")
            }
            var traceback: [String] = []
            if case .array(let lines)? = raw["traceback"] { traceback = lines.compactMap { $0.joinedText } }
            return .error(name: name, value: value, traceback: traceback)
        default:
            throw fail("\(field).output_type", "unknown output type \"\(type)\"")
        }
    }

    // MARK: Files

    /// Reads a notebook file; errors name the file and the field at fault.
    public static func read(_ path: String) throws -> Notebook {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw NotebookError.io("\(path): cannot read: \(error.localizedDescription)")
        }
        let json: JSON
        do { json = try JSON.parse(data) } catch {
            throw NotebookError.malformed("\(path): not valid JSON: \(error.localizedDescription)")
        }
        return try Notebook(json: json, file: path)
    }

    /// Writes the notebook atomically: a temporary file beside the target, then a rename,
    /// so that an interrupted write never leaves a half-written notebook.
    public func write(to path: String) throws {
        try Notebook.writeAtomically(Data(json.text.utf8), to: path)
    }

    /// Writes `data` atomically (see AtomicFile), failing with a NotebookError.
    public static func writeAtomically(_ data: Data, to path: String) throws {
        do {
            try AtomicFile.write(data, to: path)
        } catch let failure as AtomicFile.Failure {
            throw NotebookError.io(failure.description)
        }
    }
}
