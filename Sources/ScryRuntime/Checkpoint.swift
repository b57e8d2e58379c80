import Foundation
import ScryLang
import ScryNN
import ScryTensor

/// A trainer's whole state as one safetensors file, written atomically: the model's weights
/// (`model/<name>`), the optimizer's moments (`optimizer/<parameter>/<slot>`), and in the
/// metadata the scheduler's counters, the random generator, the loader's epoch and every
/// plain field of the trainer (epoch, history, best loss…) as JSON. Resuming from it continues
/// exactly as the uninterrupted run would have.
enum Checkpoint {
    static let kind = "checkpoint"

    static func save(_ trainer: TrainerObject, to path: String) throws {
        guard let model = trainer.model else { throw ScryError(.valueError, "save_checkpoint(): the trainer has no model") }
        var tensors: [String: Tensor] = [:]
        for (name, tensor) in model.module.stateDict() { tensors["model/" + name] = tensor }
        var metadata = ["format": "pt", WeightFiles.kindKey: kind, "scry.type": model.module.typeName,
                        "scry.random": Random.state.state.map(String.init).joined(separator: ","),
                        "scry.loader_epochs": String(trainer.loader?.epochs ?? 0), "scry.loader_batch": String(trainer.batchNumber)]
        if let optimizer = trainer.optimizer {
            for (key, tensor) in optimizer.optimizer.state { tensors["optimizer/" + key] = tensor }
            metadata["scry.optimizer"] = optimizer.name
            metadata["scry.lr"] = String(optimizer.optimizer.learningRate)
        }
        if let scheduler = trainer.scheduler {
            metadata["scry.scheduler"] = scheduler.name
            for (key, number) in scheduler.scheduler.state { metadata["scheduler." + key] = String(number) }
        }
        let plain = trainer.fields.entries.compactMap { entry in plainJSON(entry.value).map { (entry.key.printed, $0) } }
        let data = try JSONSerialization.data(withJSONObject: Dictionary(plain, uniquingKeysWith: { a, _ in a }), options: [.sortedKeys])
        metadata["scry.fields"] = String(decoding: data, as: UTF8.self)
        try WeightFiles.write(tensors, metadata, path)
    }

    static func load(_ trainer: TrainerObject, from path: String) throws {
        let (tensors, metadata) = try WeightFiles.read(path)
        guard metadata[WeightFiles.kindKey] == kind else { throw ScryError(.valueError, "\(path) is not a trainer checkpoint (save_checkpoint writes those)") }
        guard let model = trainer.model else { throw ScryError(.valueError, "load_checkpoint(): the trainer has no model") }
        // Checked before anything changes, so that a refused checkpoint leaves the trainer whole.
        if let optimizer = trainer.optimizer, metadata["scry.optimizer"] != optimizer.name {
            throw ScryError(.valueError, "\(path) holds \(metadata["scry.optimizer"] ?? "no") optimizer state, the trainer's optimizer is \(optimizer.name)")
        }
        do {
            try model.module.loadStateDict(part(tensors, "model/"), strict: true)
        } catch let error as TensorError {
            throw ScryError(.valueError, "\(path): " + error.description)
        }
        if let optimizer = trainer.optimizer {
            try optimizer.load(state: part(tensors, "optimizer/"))
            if let rate = metadata["scry.lr"].flatMap(Double.init) { optimizer.optimizer.learningRate = rate }
        }
        if let scheduler = trainer.scheduler {
            var state: [String: Double] = [:]
            for (key, text) in metadata where key.hasPrefix("scheduler.") { state[String(key.dropFirst(10))] = Double(text) }
            do { try scheduler.scheduler.restore(state) } catch { throw ScryError(.valueError, "\(path): \(error)") }
            scheduler.optimizer.optimizer.learningRate = scheduler.scheduler.rate
        }
        if let text = metadata["scry.random"], let generator = RandomGenerator(state: text.split(separator: ",").compactMap { UInt64($0) }) {
            Random.state = generator
        }
        // Only the run's state comes back (the fields named in state_fields, when the trainer
        // names them): settings such as the output folder stay the resuming trainer's own.
        var restored: Set<String>?
        if case .list(let names)? = trainer.fields[.string("state_fields")] { restored = Set(names.items.map(\.printed)) }
        if let text = metadata["scry.fields"], let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] {
            for (key, json) in object where restored?.contains(key) ?? true { try trainer.fields.set(.string(key), try value(json)) }
        }
        trainer.restoreLoader(epochs: Int(metadata["scry.loader_epochs"] ?? "") ?? 0, batch: Int(metadata["scry.loader_batch"] ?? "") ?? 0)
    }

    /// The tensors whose names start with `prefix`, named without it.
    static func part(_ tensors: [String: Tensor], _ prefix: String) -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: tensors.filter { $0.key.hasPrefix(prefix) }.map { (String($0.key.dropFirst(prefix.count)), $0.value) })
    }

    /// A value as JSON when it is made of numbers, strings, bools, nil, lists and dicts with
    /// string keys; nil for anything else (models, datasets), which a checkpoint does not hold.
    /// Floats become {"float": "0.1"} in Swift's shortest round-trip form: Foundation's JSON
    /// writer rounds to 15 digits, would read 2.0 back as an int, and cannot write NaN.
    static func plainJSON(_ value: Value) -> Any? {
        switch value {
        case .nil: return NSNull()
        case .bool(let b): return b
        case .int(let i): return i
        case .float(let f): return ["float": String(f)]
        case .string(let s): return s
        case .list(let list):
            let items = list.items.map(plainJSON)
            return items.contains { $0 == nil } ? nil : items.map { $0! }
        case .dict(let dict):
            var object: [String: Any] = [:]
            for (key, item) in dict.entries {
                guard case .string(let name) = key, let json = plainJSON(item) else { return nil }
                object[name] = json
            }
            // Key order is lost in a JSON object: it is kept beside it.
            return ["dict": object, "keys": dict.entries.map { $0.key.printed }]
        default: return nil
        }
    }

    static func value(_ json: Any) throws -> Value {
        switch json {
        case is NSNull: return .nil
        case let number as NSNumber:
            switch String(cString: number.objCType) {
            case "c": return .bool(number.boolValue)
            case "d", "f": return .float(number.doubleValue)
            default: return .int(number.intValue)
            }
        case let string as String: return .string(string)
        case let array as [Any]: return .list(ListStorage(try array.map(value)))
        case let object as [String: Any]:
            if let text = object["float"] as? String, let number = Double(text) { return .float(number) }
            let dict = DictStorage(), entries = object["dict"] as? [String: Any] ?? [:]
            for key in object["keys"] as? [String] ?? [] { if let item = entries[key] { try dict.set(.string(key), try value(item)) } }
            return .dict(dict)
        default:
            throw ScryError(.valueError, "a checkpoint field holds an unreadable value")
        }
    }

    nonisolated(unsafe) static let functions: [NativeFunction] = [
        NativeFunction("save_checkpoint", [Parameter("trainer"), Parameter("path")],
                       doc: "Writes a trainer's model, optimizer, scheduler, random state and plain fields to a safetensors file, atomically.") { a in
            guard case .host(let trainer as TrainerObject) = a["trainer"] else { throw a.typeError("trainer", "a trainer") }
            try save(trainer, to: try a.string("path"))
            return .nil
        },
        NativeFunction("load_checkpoint", [Parameter("trainer"), Parameter("path")],
                       doc: "Restores a trainer from save_checkpoint's file: the next epoch continues as the saved run's would have.") { a in
            guard case .host(let trainer as TrainerObject) = a["trainer"] else { throw a.typeError("trainer", "a trainer") }
            try load(trainer, from: try a.string("path"))
            return .nil
        },
    ]
}
