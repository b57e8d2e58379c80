import CEdit
import Foundation
import ScryLang

/// Line editing through libedit's readline layer: Emacs key bindings, history persisted in
/// `~/.scry_history` (or `SCRY_HISTORY`) after every entry, deduplicated and bounded, and Tab
/// completion answered by the shell.
final class LineEditor {
    enum Input { case line(String), interrupted, end }

    /// The completion source; libedit calls back through a C function, which cannot capture.
    nonisolated(unsafe) static var completer: ((String, Int) -> (word: String, candidates: [String]))?
    static let historyLimit = 1000

    private let historyPath: String

    init(historyPath: String) {
        self.historyPath = historyPath
        // libedit handles characters beyond ASCII only under a UTF-8 aware locale.
        setlocale(LC_CTYPE, "")
        rl_readline_name = UnsafePointer(strdup("scry"))
        // The shell handles Ctrl-C itself: libedit must not install its own handlers.
        rl_catch_signals = 0
        rl_getc_function = interruptibleGetc
        rl_attempted_completion_function = completionHook
        rl_completer_word_break_characters = strdup(" \t\n\"'`@$><=;|&{(,:[]+-*/%.")
        rl_completion_append_character = 0
        stifle_history(Int32(LineEditor.historyLimit))
        _ = read_history(historyPath)
    }

    /// Reads one line; Ctrl-C while typing gives `.interrupted`, Ctrl-D on an empty line `.end`.
    func read(prompt: String) -> Input {
        Interrupt.clear()
        guard let raw = readline(prompt) else {
            if Interrupt.isRequested { Interrupt.clear(); return .interrupted }
            return .end
        }
        defer { free(raw) }
        if Interrupt.isRequested { Interrupt.clear(); return .interrupted }
        return .line(String(cString: raw))
    }

    /// Adds an entry, dropping earlier copies of it (so Up walks through distinct entries), and
    /// saves the history at once, so that a crash loses nothing.
    func remember(_ entry: String) {
        guard !entry.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return }
        let existing = entries
        for index in existing.indices.reversed() where existing[index] == entry {
            if let removed = remove_history(Int32(index)) { _ = free_history_entry(removed) }
        }
        _ = add_history(entry)
        _ = write_history(historyPath)
    }

    var entries: [String] {
        (0..<Int(history_length)).compactMap { i in
            history_get(Int32(i) + history_base).flatMap { $0.pointee.line.map { String(cString: $0) } }
        }
    }
}

/// The thread that reads input: a Ctrl-C delivered to another thread is passed on to it, so
/// that its blocked read returns.
private var readerThread: pthread_t?

/// Ctrl-C: an async-signal-safe flag that running code checks, and that the reader notices.
func installInterruptHandler() {
    readerThread = pthread_self()
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in
        Interrupt.request()
        if let reader = readerThread, pthread_equal(reader, pthread_self()) == 0 { pthread_kill(reader, SIGINT) }
    }
    sigemptyset(&action.sa_mask)
    // No SA_RESTART: a blocked read returns, so the prompt can be redrawn.
    action.sa_flags = 0
    sigaction(SIGINT, &action, nil)
}

/// Reads one byte of input. While libedit edits, the terminal is raw and Ctrl-C arrives as the
/// byte 3; as a signal it interrupts the read. Either way the line ends (as end of input, which
/// the reader tells apart by the interrupt flag) and what was typed is discarded.
private let interruptibleGetc: @convention(c) (UnsafeMutablePointer<FILE>?) -> Int32 = { _ in
    var byte: UInt8 = 0
    while true {
        let count = Foundation.read(STDIN_FILENO, &byte, 1)
        if count == 1 && byte == 3 {
            Interrupt.request()
            return EOF
        }
        // libedit takes one character per call: decode a UTF-8 sequence into its code point.
        if count == 1 && byte >= 0xC0 {
            let length = byte >= 0xF0 ? 4 : (byte >= 0xE0 ? 3 : 2)
            var scalar = UInt32(byte) & (0xFF >> (length + 1))
            for _ in 1..<length {
                var next: UInt8 = 0
                guard Foundation.read(STDIN_FILENO, &next, 1) == 1, next & 0xC0 == 0x80 else { return 0xFFFD }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            return Int32(bitPattern: scalar)
        }
        if count == 1 { return Int32(byte) }
        if count == -1 && errno == EINTR && !Interrupt.isRequested { continue }
        return EOF
    }
}

/// libedit's completion entry: the candidates for the word under the cursor, in readline's
/// format (the common prefix first, then each match, then NULL).
private let completionHook: @convention(c) (UnsafePointer<CChar>?, Int32, Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = { text, _, _ in
    rl_attempted_completion_over = 1
    guard let completer = LineEditor.completer, let buffer = rl_line_buffer else { return nil }
    let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: Int(strlen(buffer))))
    let cursorBytes = min(Int(rl_point), bytes.count)
    let line = String(decoding: bytes, as: UTF8.self)
    let cursor = String(decoding: bytes[..<cursorBytes], as: UTF8.self).count
    let typed = text.map { String(cString: $0) } ?? ""
    let (word, candidates) = completer(line, cursor)
    // libedit replaces its own notion of the word; rebase each candidate onto it.
    let matches = candidates.filter { $0.hasPrefix(word) }.map { typed + $0.dropFirst(word.count) }
    guard !matches.isEmpty else { return nil }
    var common = matches[0]
    for match in matches.dropFirst() {
        while !match.hasPrefix(common) { common.removeLast() }
    }
    let list = matches.count == 1 ? [matches[0]] : [common] + matches
    let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: list.count + 1)
    for (i, item) in list.enumerated() { array[i] = strdup(item) }
    array[list.count] = nil
    return array
}
