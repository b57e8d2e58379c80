import Foundation
import ScryData
import ScryLang

/// A training run (`trainer(…)`, stdlib/train.scry) as a Scry value. Its state is a set of
/// fields that Scry code reads and sets (`t.model`, `t.epoch_no`, `t.records`…), as a Python
/// object's attributes; its methods call the prelude's `trainer_<method>(t, …)`, looked up at
/// each call, so a session that redefines `trainer_epoch` changes how every trainer runs an
/// epoch. The host keeps only what Scry cannot: the position inside the loader's epoch.
final class TrainerObject: HostObject {
    /// Methods written in Scry: `t.fit(…)` calls `trainer_fit(t, …)`.
    static let methods = ["step", "epoch", "fit", "validate", "plot", "resume", "save", "evaluate", "predict", "lr_find", "batch_size_find"]
    /// Values computed in Scry on each read: `t.history` is `trainer_history(t)`.
    static let properties = ["history"]

    let fields = DictStorage()
    private var batches: AnyIterator<Result<Loader.Batch, Error>>?
    /// Batches taken from the epoch under way (0 between epochs).
    private(set) var batchNumber = 0

    var typeName: String { "trainer" }
    var display: String {
        let name = fields[.string("architecture")]?.printed ?? "model"
        let epoch = fields[.string("epoch_no")]?.printed ?? "0"
        return "<trainer: \(name), \(epoch) epochs done\(batches == nil ? "" : ", \(batchNumber) batches into the next")>"
    }
    var attributeNames: [String] {
        (fields.entries.map { $0.key.printed } + TrainerObject.methods + TrainerObject.properties + ["batch_no", "next_batch"]).sorted()
    }

    /// The training loader, for the host primitives and checkpoints.
    var loader: Loader? {
        if case .host(let object as LoaderObject)? = fields[.string("loader")] { return object.loader }
        return nil
    }

    /// The model, optimizer and schedule the trainer holds, for checkpoints.
    var model: ModuleObject? { if case .host(let object as ModuleObject)? = fields[.string("model")] { return object }; return nil }
    var optimizer: OptimizerObject? { if case .host(let object as OptimizerObject)? = fields[.string("optimizer")] { return object }; return nil }
    var scheduler: SchedulerObject? { if case .host(let object as SchedulerObject)? = fields[.string("scheduler")] { return object }; return nil }

    func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        if TrainerObject.methods.contains(name) { return .function(Method(trainer: self, name: name)) }
        if TrainerObject.properties.contains(name) { return try interpreter.call(try interpreter.global("trainer_" + name), Arguments([.host(self)])) }
        switch name {
        case "batch_no": return .int(batchNumber)
        case "next_batch":
            return .function(NativeFunction("next_batch", doc: "The next training batch of the epoch under way (starting one when none is), or nil once the epoch is over.") { _ in
                try self.nextBatch()
            })
        default: return fields[.string(name)]
        }
    }

    func setAttribute(_ name: String, _ value: Value) throws -> Bool {
        guard !TrainerObject.methods.contains(name), !TrainerObject.properties.contains(name), name != "batch_no", name != "next_batch" else {
            throw ScryError(.typeError, "a trainer's \(name) cannot be set: redefine trainer_\(name)(t, …) to change it")
        }
        try fields.set(.string(name), value)
        // A new loader starts its own epochs: the old one's batches under way are dropped.
        if name == "loader" { batches = nil; batchNumber = 0 }
        return true
    }

    private func nextBatch() throws -> Value {
        guard let loader else { throw ScryError(.valueError, "this trainer has no training data (train: a dataset)") }
        if batches == nil { batches = loader.nextEpoch(); batchNumber = 0 }
        guard let next = batches?.next() else {
            batches = nil
            batchNumber = 0
            return .nil
        }
        batchNumber += 1
        switch next {
        case .success(let batch): return .host(BatchObject(batch))
        case .failure(let error): throw Session.convert(error)
        }
    }

    /// Puts the loader where a saved run was: `epochs` started, `batch` batches into the last of
    /// them (0 between epochs), so that the next batch is the one the saved run would have taken.
    func restoreLoader(epochs: Int, batch: Int) {
        batches = nil
        batchNumber = 0
        guard let loader else { return }
        guard batch > 0, epochs > 0 else { loader.epochs = epochs; return }
        loader.epochs = epochs - 1
        batches = loader.nextEpoch()
        for _ in 0..<batch { _ = batches?.next() }
        batchNumber = batch
    }

    /// `t.fit` and the other methods: `trainer_fit(t, …)` from the prelude or the session.
    final class Method: Callable {
        let trainer: TrainerObject
        let name: String
        init(trainer: TrainerObject, name: String) { self.trainer = trainer; self.name = name }
        var doc: String? { "Calls trainer_\(name)(t, …), written in Scry (stdlib/train.scry): help(trainer_\(name)) shows it." }
        var signature: String { "t.\(name)(…)" }
        var help: String? { nil }

        func call(_ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
            var forwarded = arguments
            forwarded.positional.insert(.host(trainer), at: 0)
            return try interpreter.call(try interpreter.global("trainer_" + name), forwarded)
        }
    }

    nonisolated(unsafe) static let functions: [NativeFunction] = [
        NativeFunction("trainer_state", [Parameter("fields")],
                       doc: "A trainer value holding the given fields (what trainer(…) in stdlib/train.scry builds).") { a in
            guard case .dict(let dict) = a["fields"] else { throw a.typeError("fields", "a dict of field names to values") }
            let trainer = TrainerObject()
            for (key, value) in dict.entries {
                guard case .string = key else { throw a.typeError("fields", "a dict with string keys") }
                try trainer.fields.set(key, value)
            }
            return .host(trainer)
        },
    ]
}
