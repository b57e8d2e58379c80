import Foundation
import ScryLang

/// Tab completion from the binding registry and the session: global names, attributes and
/// methods after `value.`, keyword parameters inside a call's parentheses, meta commands after
/// `:`, and file paths inside a string literal. Candidates are whole words that start with the
/// word being typed.
struct Completion {
    let interpreter: Interpreter

    static let keywords = ["fn", "return", "if", "else", "while", "for", "in", "break", "continue",
                           "true", "false", "nil", "and", "or", "not", "try", "catch", "finally", "import", "assert"]

    /// The word the candidates replace (what was typed of it), and the candidates.
    func complete(line: String, cursor: Int) -> (word: String, candidates: [String]) {
        let before = String(line.prefix(cursor))
        if let argument = Completion.pathArgument(before) { return (argument, paths(argument)) }
        if before.filter({ $0 == "\"" }).count % 2 == 1 {
            return (String(before[before.index(after: before.lastIndex(of: "\"")!)...]), candidates(line: line, cursor: cursor))
        }
        let word = String(before.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }.reversed())
        return (word, candidates(line: line, cursor: cursor))
    }

    func candidates(line: String, cursor: Int) -> [String] {
        let before = String(line.prefix(cursor))
        // Inside a string literal: complete a file path.
        if before.filter({ $0 == "\"" }).count % 2 == 1 {
            let fragment = String(before[before.index(after: before.lastIndex(of: "\"")!)...])
            return paths(fragment)
        }
        if let argument = Completion.pathArgument(before) { return paths(argument) }
        let word = String(before.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }.reversed())
        let beforeWord = before.dropLast(word.count)
        if beforeWord.trimmingCharacters(in: .whitespaces) == ":" {
            return ShellCore.metaCommands.filter { $0.hasPrefix(word) }
        }
        if beforeWord.hasSuffix(".") {
            let target = String(beforeWord.dropLast().reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }.reversed())
            return attributes(of: target).filter { $0.hasPrefix(word) }
        }
        var names = interpreter.completionNames + Completion.keywords
        if let function = enclosingCall(String(beforeWord)) {
            names = keywordParameters(of: function).map { $0 + ":" } + names
        }
        return Array(Set(names.filter { $0.hasPrefix(word) })).sorted { a, b in
            // Keyword parameters first, then alphabetical.
            (a.hasSuffix(":") ? 0 : 1, a) < (b.hasSuffix(":") ? 0 : 1, b)
        }
    }

    /// The path typed after `:load ` or `:save `, whose argument is a file.
    static func pathArgument(_ before: String) -> String? {
        for command in [":load ", ":save "] where before.hasPrefix(command) {
            return String(before.dropFirst(command.count))
        }
        return nil
    }

    /// The attributes of a dotted name's value (`x.`, `model.enc.`), without running calls.
    private func attributes(of dotted: String) -> [String] {
        let parts = dotted.split(separator: ".").map(String.init)
        guard let first = parts.first, var value = interpreter.globals[first] else { return [] }
        for part in parts.dropFirst() {
            guard case .host(let object) = value, let next = try? object.attribute(part, interpreter) else { return [] }
            value = next
        }
        if case .host(let object) = value { return object.attributeNames.sorted() }
        return Methods.names(of: value)
    }

    /// The name of the function whose argument list the cursor is in, if any.
    private func enclosingCall(_ text: String) -> String? {
        var depth = 0
        var index = text.endIndex
        while index > text.startIndex {
            index = text.index(before: index)
            switch text[index] {
            case ")", "]", "}": depth += 1
            case "[", "{": depth -= 1
            case "(":
                if depth == 0 {
                    let name = String(text[..<index].reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }.reversed())
                    return name.isEmpty ? nil : name
                }
                depth -= 1
            default: break
            }
        }
        return nil
    }

    private func keywordParameters(of name: String) -> [String] {
        guard case .function(let function)? = interpreter.globals[name] else { return [] }
        if let native = function as? NativeFunction { return native.parameters.map(\.name) }
        if let scry = function.scryFunction { return scry.parameterNames }
        return []
    }

    private func paths(_ fragment: String) -> [String] {
        let expanded = (fragment as NSString).expandingTildeInPath
        let directory = fragment.hasSuffix("/") ? expanded : (expanded as NSString).deletingLastPathComponent
        let prefix = fragment.hasSuffix("/") ? "" : (expanded as NSString).lastPathComponent
        let listed = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        // Candidates keep what was typed before the last '/', as the word being completed does.
        let typedDirectory = fragment.lastIndex(of: "/").map { String(fragment[...$0]) } ?? ""
        return listed.filter { $0.hasPrefix(prefix) && !$0.hasPrefix(".") || prefix.hasPrefix(".") && $0.hasPrefix(prefix) }
            .sorted()
            .map { name in
                var isDirectory: ObjCBool = false
                let full = ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent(name)
                FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)
                return typedDirectory + name + (isDirectory.boolValue ? "/" : "")
            }
    }
}
