import Foundation
import ScryNotebook

/// Crash safety: after every cell the session is written (atomically) to a recovery notebook
/// under `~/.scry/sessions/` (or `SCRY_SESSIONS`), so that a `kill -9` loses at most the
/// running cell; `scry --recover` lists them and opens one.
public struct Recovery {
    public let directory: URL
    public let file: URL

    /// A recovery file for a session starting now.
    public init(directory: URL = Recovery.defaultDirectory()) {
        self.directory = directory
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        file = directory.appendingPathComponent("session-\(formatter.string(from: Date()))-\(getpid()).ipynb")
    }

    public static func defaultDirectory() -> URL {
        if let path = ProcessInfo.processInfo.environment["SCRY_SESSIONS"] { return URL(fileURLWithPath: path) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".scry/sessions")
    }

    /// Writes the session; a failure here must never disturb the user's work.
    public func save(_ notebook: Notebook) {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? notebook.write(to: file.path)
    }

    /// Recovery notebooks, newest first.
    public static func list(in directory: URL = Recovery.defaultDirectory()) -> [URL] {
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        func modified(_ url: URL) -> Date {
            (try? url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
        }
        return files.filter { $0.pathExtension == "ipynb" }.sorted { modified($0) > modified($1) }
    }
}
