import Foundation
import ScryLang
import ScryTensor

/// Files and folders from Scry: what training logs, checkpoints and predictions need.
enum FileBindings {
    nonisolated(unsafe) static let functions: [NativeFunction] = [
        NativeFunction("make_dirs", [Parameter("path")], doc: "Creates a folder and any missing parents; returns its path.") { a in
            let path = try a.string("path")
            do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw ScryError(.ioError, "cannot create folder \(path): \(error.localizedDescription)")
            }
            return .string(path)
        },
        NativeFunction("temp_path", [Parameter("suffix", default: .string(""))],
                       doc: "A new path in the system's temporary folder (nothing is created there), ending with suffix.") { a in
            .string(FileManager.default.temporaryDirectory.appendingPathComponent("scry-\(UUID().uuidString)\(try a.string("suffix"))").path)
        },
        NativeFunction("remove", [Parameter("path")], doc: "Deletes a file or folder (and what it holds); nothing happens when there is none.") { a in
            let path = try a.string("path")
            guard FileManager.default.fileExists(atPath: path) else { return .nil }
            do { try FileManager.default.removeItem(atPath: path) } catch {
                throw ScryError(.ioError, "cannot remove \(path): \(error.localizedDescription)")
            }
            return .nil
        },
        NativeFunction("exists", [Parameter("path")], doc: "Whether a file or folder exists at path.") { a in
            .bool(FileManager.default.fileExists(atPath: try a.string("path")))
        },
        NativeFunction("read_text", [Parameter("path")], doc: "A text file's contents.") { a in
            let path = try a.string("path")
            do { return .string(try String(contentsOfFile: path, encoding: .utf8)) } catch {
                throw ScryError(.ioError, "cannot read \(path): \(error.localizedDescription)")
            }
        },
        NativeFunction("json", [Parameter("value"), Parameter("indent", default: .int(2))],
                       doc: "A value (numbers, strings, bools, nil, lists, dicts) as JSON text; NaN and infinities become null, as JSON has no word for them.") { a in
            let indent = Swift.max(0, try a.int("indent"))
            func encode(_ value: Value, _ depth: Int) throws -> String {
                let pad = String(repeating: " ", count: (depth + 1) * indent), end = String(repeating: " ", count: depth * indent)
                switch value {
                case .nil: return "null"
                case .bool(let b): return b ? "true" : "false"
                case .int(let i): return String(i)
                case .float(let f): return f.isFinite ? String(f) : "null"
                case .string(let s):
                    let data = try JSONSerialization.data(withJSONObject: [s], options: [])
                    return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
                case .list(let list):
                    if list.items.isEmpty { return "[]" }
                    return "[\n" + (try list.items.map { pad + (try encode($0, depth + 1)) }).joined(separator: ",\n") + "\n" + end + "]"
                case .dict(let dict):
                    if dict.count == 0 { return "{}" }
                    return "{\n" + (try dict.entries.map { pad + (try encode(.string($0.key.printed), depth + 1)) + ": " + (try encode($0.value, depth + 1)) })
                        .joined(separator: ",\n") + "\n" + end + "}"
                default:
                    throw ScryError(.typeError, "json(): a \(value.typeName) has no JSON form")
                }
            }
            return .string(try encode(a["value"], 0))
        },
        NativeFunction("write_text", [Parameter("path"), Parameter("text"), Parameter("append", default: .bool(false))],
                       doc: "Writes text to a file, atomically (a temporary file, then a rename), or adds it at the end with append: true.") { a in
            let path = try a.string("path"), text = try a.string("text")
            do {
                if try a.bool("append"), let handle = FileHandle(forWritingAtPath: path) {
                    defer { try? handle.close() }
                    try handle.seekToEnd()
                    try handle.write(contentsOf: Data(text.utf8))
                } else {
                    try AtomicFile.write(Data(text.utf8), to: path)
                }
            } catch {
                throw ScryError(.ioError, "cannot write \(path): \(error)")
            }
            return .nil
        },
    ]
}
