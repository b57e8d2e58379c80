import ScryLang

extension BoundArguments {
    /// Parameter `name` as the case of `E` its string names (after `normalize`, lowercasing
    /// say), or the type error that lists every case.
    func choice<E: CaseIterable & RawRepresentable>(_ name: String, _ type: E.Type, normalize: (String) -> String = { $0 }) throws -> E
    where E.RawValue == String {
        guard let value = E(rawValue: normalize(try string(name))) else {
            throw typeError(name, "one of " + E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
        }
        return value
    }
}
