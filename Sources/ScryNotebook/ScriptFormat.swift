import Foundation

/// Notebooks as plain `.scry` scripts, for review and editing as text: each cell starts with
/// a `# %%` line (`# %% [markdown]` for markdown, whose lines become `# ` comments), the
/// percent format that VS Code and Jupytext read too.
public enum ScriptFormat {
    /// The script text of a notebook's cells.
    public static func export(_ notebook: Notebook) -> String {
        notebook.cells.map { cell -> String in
            switch cell {
            case .code(_, let source, _, _):
                // A code line that would read as a cell marker is escaped, and restored on import.
                let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
                return "# %%\n" + lines.map { $0.hasPrefix("# %%") ? "# ~" + $0.dropFirst(2) : $0 }.joined(separator: "\n")
            case .markdown(_, let source):
                let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
                return "# %% [markdown]\n" + lines.map { $0.isEmpty ? "#" : "# " + $0 }.joined(separator: "\n")
            }
        }.joined(separator: "\n\n") + "\n"
    }

    /// A notebook from script text: text before the first `# %%` is a code cell of its own;
    /// cell ids are `cell-1`, `cell-2`, … in order.
    public static func `import`(_ script: String) -> Notebook {
        var cells: [(markdown: Bool, lines: [Substring])] = []
        var current: (markdown: Bool, lines: [Substring])?
        // Lines split on the newline scalar, without carriage returns (CRLF files) or a BOM.
        let text = script.hasPrefix("\u{FEFF}") ? String(script.dropFirst()) : script
        let allLines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
            .map { Substring(String(String.UnicodeScalarView($0)).trimmingCharacters(in: CharacterSet(charactersIn: "\r"))) }
        for line in allLines {
            // Markers count only at the start of a line.
            if line == "# %%" || line.hasPrefix("# %% ") {
                if let current { cells.append(current) }
                current = (line.contains("[markdown]"), [])
            } else if current != nil {
                current!.lines.append(line.hasPrefix("# ~%%") ? "# " + line.dropFirst(3) : line)
            } else if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                current = (false, [line])
            }
        }
        if let current { cells.append(current) }
        return Notebook(cells: cells.enumerated().map { index, cell in
            var lines = cell.lines
            while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
            let id = "cell-\(index + 1)"
            if cell.markdown {
                let text = lines.map { line -> Substring in
                    if line.hasPrefix("# ") { return line.dropFirst(2) }
                    if line.hasPrefix("#") { return line.dropFirst() }
                    return line
                }.joined(separator: "\n")
                return .markdown(id: id, source: text)
            }
            return .code(id: id, source: lines.joined(separator: "\n"), executionCount: nil, outputs: [])
        })
    }
}
