import ScryData
import ScryLang
import ScryTensor

/// `loader(ds, batch_size: 4, patch_size: [64, 64])`: each `for batch in l { … }` is one epoch.
final class LoaderObject: HostObject {
    let loader: Loader
    init(_ loader: Loader) { self.loader = loader }
    var typeName: String { "loader" }
    var display: String {
        "<loader: \(loader.dataset.count) subjects, batches of \(loader.batchSize)"
            + (loader.sampler.map { ", patches \(shapeString($0.patchSize))" } ?? "") + ", \(loader.epochs) epochs so far>"
    }
    var length: Int? { loader.batchesPerEpoch }
    var attributeNames: [String] { ["batch_size", "epochs"] }

    func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "epochs": return .int(loader.epochs)
        case "batch_size": return .int(loader.batchSize)
        default: return nil
        }
    }

    func makeIterator() throws -> AnyIterator<Value>? {
        let batches = loader.nextEpoch()
        return AnyIterator {
            guard let next = batches.next() else { return nil }
            switch next {
            case .success(let batch): return .host(BatchObject(batch))
            // A failed batch ends the epoch with its error as the element, raised where it is used.
            case .failure(let error): return .host(BatchObject(error: error))
            }
        }
    }
}

/// One batch: `.image` [N, C, …], `.label` [N, 1, …], `.value` [N], `.ids`.
final class BatchObject: HostObject {
    let batch: Loader.Batch?
    let error: Error?
    init(_ batch: Loader.Batch) { self.batch = batch; error = nil }
    init(error: Error) { batch = nil; self.error = error }
    var typeName: String { "batch" }
    var display: String { batch.map { "<batch of \($0.ids.count): \(shapeString($0.images.shape))>" } ?? "<failed batch>" }
    var attributeNames: [String] { ["ids", "image", "label", "value"] }

    func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        guard let batch else { throw Session.convert(error!) }
        switch name {
        case "image": return TensorBindings.wrap(batch.images)
        case "label": return batch.labels.map(TensorBindings.wrap) ?? .nil
        case "value": return batch.values.map(TensorBindings.wrap) ?? .nil
        case "ids": return .list(ListStorage(batch.ids.map { .string($0) }))
        default: return nil
        }
    }
}

enum LoaderBindings {
    /// Registers the functions; `split` keeps the tensor version for tensors.
    static func install(into interpreter: Interpreter) {
        for function in functions {
            if let existing = interpreter.globals[function.name], case .function(let fallback) = existing {
                let isDataset: (Value) -> Bool = { if case .host(let object) = $0 { return object is DatasetObject }; return false }
                interpreter.register(ArgumentDispatch(function.name, when: isDataset, then: function, otherwise: fallback,
                                                      doc: "\(function.doc ?? "") On tensors: \(fallback.doc ?? "")",
                                                      signature: function.signature, help: "On tensors: " + fallback.signature))
            } else {
                interpreter.register(function)
            }
        }
    }

    private static func dataset(_ a: BoundArguments) throws -> Dataset {
        guard case .host(let object as DatasetObject) = a["dataset"] else { throw a.typeError("dataset", "a dataset") }
        return object.dataset
    }

    nonisolated(unsafe) static let functions: [NativeFunction] = [
        NativeFunction("loader", [Parameter("dataset"), Parameter("batch_size", default: .int(1)), Parameter("patch_size", default: .nil),
                                  Parameter("sampler", default: .string("uniform")), Parameter("foreground", default: .float(0.5)),
                                  Parameter("shuffle", default: .bool(true)), Parameter("seed", default: .int(0)), Parameter("transforms", default: .nil),
                                  Parameter("samples_per_subject", default: .int(1)), Parameter("weights", default: .nil),
                                  Parameter("queue_length", default: .nil)],
                       doc: "Batches of a dataset, shuffled per epoch with a seed, optionally as patches (sampler \"uniform\"; \"label\": a `foreground` fraction centred on labelled voxels; \"weighted\": centred on a label value drawn with weights: {value: weight}; samples_per_subject patches of each subject per epoch; queue_length: patches mixed at once, as GaNDLF's q_max_length), prepared in the background. Each for-loop over it is one epoch.") { a in
            var sampler: PatchSampler?
            if a.has("patch_size") {
                let kind: PatchSampler.Kind
                switch try a.string("sampler") {
                case "uniform": kind = .uniform
                case "label": kind = .label(foreground: try a.double("foreground"))
                case "weighted":
                    guard case .dict(let given) = a["weights"] else { throw a.typeError("weights", "a dict of label values to sampling weights") }
                    var weights: [Double: Double] = [:]
                    for (key, value) in given.entries {
                        guard let label = Double(key.printed), let weight = Double(value.printed) else { throw a.typeError("weights", "label values mapped to numbers") }
                        weights[label] = weight
                    }
                    kind = .weighted(weights)
                default: throw a.typeError("sampler", "\"uniform\", \"label\" or \"weighted\" (with weights:)")
                }
                sampler = try PatchSampler(kind, patchSize: try a.intList("patch_size"))
            }
            let seed = try a.int("seed")
            guard seed >= 0 else { throw ScryError(.valueError, "loader(): seed must be non-negative") }
            var pipeline: Pipeline?
            if a.has("transforms") {
                guard case .host(let object as PipelineObject) = a["transforms"] else { throw a.typeError("transforms", "a transforms([...]) pipeline") }
                pipeline = object.pipeline
            }
            return .host(LoaderObject(try Loader(try dataset(a), batchSize: try a.int("batch_size"), sampler: sampler, pipeline: pipeline,
                                                 shuffle: try a.bool("shuffle"), seed: UInt64(seed), samplesPerSubject: try a.int("samples_per_subject"),
                                                 queueLength: try a.optionalInt("queue_length"))))
        },
        NativeFunction("sliding_window", [Parameter("volume"), Parameter("fn"), Parameter("patch_size"), Parameter("overlap", default: .float(0.5)),
                                          Parameter("batch_size", default: .int(4)), Parameter("blend", default: .string("gaussian")),
                                          Parameter("padding", default: .nil)],
                       doc: "Runs fn on overlapping patches of a whole volume [C, …] (or image) in batches [N, C, …patch] → [N, K, …patch] and puts the outputs together into [K, …] (overlap: the fraction of a window shared with the next, one value or one per axis): blend \"gaussian\", \"hann\" or \"uniform\" weights, or \"crop\" (each window's centre, as TorchIO's crop mode); padding: a numpy.pad mode (symmetric, reflect, edge, constant, wrap) makes up half a patch around the volume first.") { a in
            let volume = try TensorBindings.tensor(a["volume"], "volume", "sliding_window", dtype: .float32)
            let blend = try a.choice("blend", SlidingWindow.Blend.self)
            let padding = a.has("padding") ? try a.choice("padding", PaddingMode.self) : nil
            let function = a["fn"], interpreter = a.interpreter
            return TensorBindings.wrap(try SlidingWindow.infer(volume, patchSize: try a.intList("patch_size"), overlaps: try a.doubleList("overlap"),
                                                               batchSize: try a.int("batch_size"), blend: blend, padding: padding) { patches in
                try TensorBindings.tensor(try interpreter.call(function, Arguments([TensorBindings.wrap(patches)])), "fn's result", "sliding_window")
            })
        },
        NativeFunction("split", [Parameter("dataset"), Parameter("train", default: .float(0.7)), Parameter("val", default: .float(0.15)),
                                 Parameter("test", default: .float(0.15)), Parameter("folds", default: .nil), Parameter("seed", default: .int(0)),
                                 Parameter("stratify", default: .bool(false))],
                       doc: "[train, val, test] datasets with those fractions, or with folds: k, k [train, val] pairs; deterministic for a seed, stratified by target value on request. ds.write_csv(path) writes a part of a CSV dataset back.") { a in
            let ds = try dataset(a), seed = UInt64(Swift.max(0, try a.int("seed"))), stratify = try a.bool("stratify")
            if let k = try a.optionalInt("folds") {
                return .list(ListStorage(try ds.folds(k, seed: seed, stratify: stratify).map {
                    .list(ListStorage([.host(DatasetObject($0.train)), .host(DatasetObject($0.validation))]))
                }))
            }
            let parts = try ds.split([try a.double("train"), try a.double("val"), try a.double("test")], seed: seed, stratify: stratify)
            return .list(ListStorage(parts.map { .host(DatasetObject($0)) }))
        },
    ]
}
