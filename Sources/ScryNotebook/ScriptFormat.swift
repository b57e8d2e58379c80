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
                return "# %%\n" + source
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
        for line in script.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "# %%" || trimmed.hasPrefix("# %% ") {
                if let current { cells.append(current) }
                current = (trimmed.contains("[markdown]"), [])
            } else if current != nil {
                current!.lines.append(line)
            } else if !trimmed.isEmpty {
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
