import Foundation
import XCTest
import ScryLang
import ScryRuntime

/// The prelude under stdlib/: every top-level name is defined by one file only (a second
/// definition would be silently ignored) and none hides a host function of the same name.
final class PreludeTests: XCTestCase {
    func testEveryPreludeNameIsDefinedOnceAndHidesNoHostFunction() throws {
        let stdlib = repositoryRoot.appendingPathComponent("stdlib")
        let files = FileManager.default.enumerator(at: stdlib, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "scry" }
        var definedIn: [String: [String]] = [:]
        for file in files {
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
                let name: Substring
                if line.hasPrefix("fn ") {
                    name = line.dropFirst(3).prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                } else if let first = line.first, first.isLetter || first == "_" {
                    let candidate = line.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                    let rest = line.dropFirst(candidate.count).drop { $0 == " " }
                    guard rest.hasPrefix("="), !rest.hasPrefix("==") else { continue }
                    name = candidate
                } else {
                    continue
                }
                definedIn[String(name), default: []].append(file.lastPathComponent)
            }
        }
        XCTAssertGreaterThan(definedIn.count, 100)
        for (name, files) in definedIn where files.count > 1 { XCTFail("\(name) is defined in \(files.joined(separator: ", "))") }
        let interpreter = Session.makeInterpreter()
        for name in definedIn.keys where interpreter.globals[name] != nil {
            XCTFail("stdlib's \(name) is hidden by a host function of that name")
        }
    }

    /// GaNDLF's aliases are the same constructors as the names they stand for.
    func testZooAliasesAreTheirArchitectures() {
        let session = CapturingSession()
        let error = session.run("""
            for alias, target in model_aliases() {
                assert architecture(alias) == architecture(target), alias
                assert architecture(alias.upper()) == zoo_constructors()[target], alias
            }
            assert residualunet == resunet and residualunet_multilayer == resunet_multilayer and deepunet == deep_unet
            assert deepresunet == deep_resunet and light_unet == lightunet and light_unet_multilayer == lightunet_multilayer
            assert lightresunet == light_resunet and lightresunet_multilayer == light_resunet_multilayer
            assert vgg == vgg19 and densenet == densenet264
            print(len(model_aliases()))
            try { architecture("unet3") } catch e { print(e.name, e.message) }
            """)
        XCTAssertNil(error)
        XCTAssertEqual(session.lines, ["10", "KeyError no architecture \"unet3\"; model_names() lists them"])
    }
}
