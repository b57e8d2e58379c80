import Foundation
import ScryTensor

/// `scry replay`: runs a notebook's code cells in a fresh session, in order, with the seed and
/// thread count it records; with `check`, compares each new output with the stored one and
/// stops at the first mismatch; with `update`, stores the new outputs (atomically).
public enum Replay {
    public struct Outcome {
        /// Code cells run.
        public var cellsRun = 0
        /// The first mismatch (cell number and description), when checking found one.
        public var mismatch: (cell: Int, description: String)?
    }

    /// The first line that marks a cell as run but not compared (timings, paths).
    public static let ignoreMarker = "# replay: ignore-output"

    public static func run(_ path: String, check: Bool, update: Bool, progress: (String) -> Void) throws -> Outcome {
        var notebook = try Notebook.read(path)
        let facts = notebook.scryMetadata
        var seed = 0, threads: Int?
        if case .int(let s)? = facts["seed"] { seed = s }
        if case .int(let t)? = facts["threads"] { threads = t }
        let session = NotebookSession(seed: seed, threads: threads)
        var outcome = Outcome()
        var cellNumber = 0
        for (index, cell) in notebook.cells.enumerated() {
            guard case let .code(id, source, _, stored) = cell else { continue }
            cellNumber += 1
            // A cell interrupted while recorded (Ctrl-C on a runaway loop) would run away again.
            if stored.contains(where: { if case .error("Interrupted", _, _) = $0 { return true }; return false }) {
                progress("[\(cellNumber)] skipped: it was interrupted when recorded")
                continue
            }
            progress("[\(cellNumber)] \(source.split(separator: "\n").first.map(String.init) ?? "")")
            let outputs = session.run(source)
            outcome.cellsRun += 1
            let ignored = source.split(whereSeparator: \.isNewline).first?
                .trimmingCharacters(in: .whitespaces) == ignoreMarker
            if check && !ignored, let problem = OutputComparison.difference(stored: stored, new: outputs) {
                outcome.mismatch = (cellNumber, "cell \(cellNumber) (\(id)) does not match:\n\(source)\n\(problem)")
                return outcome
            }
            if update { notebook.cells[index] = .code(id: id, source: source, executionCount: cellNumber, outputs: outputs) }
        }
        if update { try notebook.write(to: path) }
        return outcome
    }
}
