import Foundation
import ScryLang
import ScryNN
import ScryTensor

/// Weights and training state as safetensors files: a module's parameters and buffers by
/// dotted name (what PyTorch's state_dict holds), an optimizer's moments by
/// `parameter/slot`, a scheduler's counters in the metadata. Writes are atomic.
enum WeightFiles {
    static let kindKey = "scry.kind"

    static func save(_ value: Value, to path: String) throws -> Bool {
        switch value {
        case .host(let object as ModuleObject):
            try write(Dictionary(object.module.stateDict().map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a }),
                      ["format": "pt", kindKey: "module", "scry.type": object.module.typeName], path)
        case .host(let object as OptimizerObject):
            try write(object.optimizer.state, [kindKey: "optimizer", "scry.optimizer": object.name,
                                               "scry.lr": String(object.optimizer.learningRate)], path)
        case .host(let object as SchedulerObject):
            var metadata = [kindKey: "scheduler", "scry.scheduler": object.name]
            for (key, number) in object.scheduler.state { metadata["scry." + key] = String(number) }
            try write([:], metadata, path)
        case .dict(let dict):
            var tensors: [String: Tensor] = [:]
            for (key, item) in dict.entries { tensors[key.printed] = try TensorBindings.tensor(item, "value", "save") }
            try write(tensors, [:], path)
        default:
            return false
        }
        return true
    }

    static func write(_ tensors: [String: Tensor], _ metadata: [String: String], _ path: String) throws {
        do {
            try Safetensors.write(tensors, metadata: metadata, to: path)
        } catch let error as TensorError {
            throw ScryError(.ioError, error.description)
        }
    }

    static func read(_ path: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        guard FileManager.default.fileExists(atPath: path) else { throw ScryError(.ioError, "no file \(path)") }
        return try Safetensors.read(path)
    }

    /// A safetensors file's tensors as a dict, by name in sorted order (what save(dict, path) wrote).
    static func tensors(at path: String) throws -> Value {
        let dict = DictStorage()
        for (name, tensor) in try read(path).tensors.sorted(by: { $0.key < $1.key }) {
            try dict.set(.string(name), TensorBindings.wrap(tensor))
        }
        return .dict(dict)
    }

    nonisolated(unsafe) static let functions: [NativeFunction] = [
        NativeFunction("load_weights", [Parameter("target"), Parameter("path"), Parameter("strict", default: .bool(true))],
                       doc: "Loads a safetensors file into a module (parameters and buffers by dotted name, checked: every mismatch is reported at once), an optimizer or a scheduler.",
                       help: "strict: false loads the names that match and ignores the rest (fine-tuning from another model's weights).") { a in
            let path = try a.string("path")
            let (tensors, metadata) = try read(path)
            switch a["target"] {
            case .host(let object as ModuleObject):
                // A trainer's checkpoint holds the model's weights under model/.
                let weights = metadata[kindKey] != Checkpoint.kind ? tensors : Checkpoint.part(tensors, "model/")
                do {
                    try object.module.loadStateDict(weights, strict: try a.bool("strict"))
                } catch let error as TensorError {
                    throw ScryError(.valueError, "\(path): " + error.description)
                }
            case .host(let object as OptimizerObject):
                guard metadata[kindKey] == "optimizer", let saved = metadata["scry.optimizer"] else {
                    throw ScryError(.valueError, "load_weights(): \(path) holds no optimizer state")
                }
                guard saved == object.name else {
                    throw ScryError(.valueError, "load_weights(): \(path) holds \(saved) state, the optimizer is \(object.name)")
                }
                try object.load(state: tensors)
                if let rate = metadata["scry.lr"].flatMap(Double.init) { object.optimizer.learningRate = rate }
            case .host(let object as SchedulerObject):
                guard metadata[kindKey] == "scheduler", metadata["scry.scheduler"] == object.name else {
                    throw ScryError(.valueError, "load_weights(): \(path) holds no \(object.name) scheduler state")
                }
                var state: [String: Double] = [:]
                for (key, text) in metadata where key.hasPrefix("scry.") { if let number = Double(text) { state[String(key.dropFirst(5))] = number } }
                do { try object.scheduler.restore(state) } catch { throw ScryError(.valueError, "\(path): \(error)") }
                object.optimizer.optimizer.learningRate = object.scheduler.rate
            default:
                throw a.typeError("target", "a module, an optimizer or a scheduler")
            }
            return .nil
        },
    ]
}
