import Foundation

/// A new empty folder for one test's files under the system's temporary folder, named
/// `<prefix>-<UUID>` so that tests running side by side never share one.
func makeTemporaryFolder(_ prefix: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// Writes `text` to `name` in `folder`; returns the file's path.
func writeFile(_ name: String, _ text: String, in folder: URL) throws -> String {
    let path = folder.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
