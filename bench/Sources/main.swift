import Foundation
import ScryTensor

// `make bench`: one JSON line per workload. `ScryBench NAME…` runs only the named groups.
let groups: [String: () throws -> Void] = [
    "tensor": benchTensors,
    "interpreter": benchInterpreter,
    "networks": benchNetworks,
    "scripted": benchScriptedNetworks,
    "data": benchData,
]
let selected = CommandLine.arguments.dropFirst()
for name in groups.keys.sorted() where selected.isEmpty || selected.contains(name) {
    do {
        try groups[name]!()
    } catch {
        FileHandle.standardError.write(Data("bench \(name) failed: \(error)\n".utf8))
        exit(1)
    }
}
