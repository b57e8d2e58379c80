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
        NativeFunction("exists", [Parameter("path")], doc: "Whether a file or folder exists at path.") { a in
            .bool(FileManager.default.fileExists(atPath: try a.string("path")))
        },
        NativeFunction("read_text", [Parameter("path")], doc: "A text file's contents.") { a in
            let path = try a.string("path")
            do { return .string(try String(contentsOfFile: path, encoding: .utf8)) } catch {
                throw ScryError(.ioError, "cannot read \(path): \(error.localizedDescription)")
            }
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
