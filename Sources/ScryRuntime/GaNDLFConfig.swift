import Foundation
import ScryLang
import Yams

/// GaNDLF's YAML configuration, read and checked against what GaNDLF accepts and completed with
/// its defaults, as one dict that stdlib/gandlf.scry turns into a trainer. An invalid value is
/// one error naming the file, line and column, the key, the value and what is allowed; unknown
/// keys are a warning listing them; keys that cannot apply here are reported once, with why.
struct GaNDLFConfig {
    let path: String
    /// The architectures model.architecture may name: the zoo's, with GaNDLF's aliases.
    let architectures: Set<String>
    private var marks: [String: Mark] = [:]
    private(set) var warnings: [String] = []

    /// Keys read but not applicable on Scry's CPU build, with the reason given once.
    static let notApplicable: [String: String] = [
        "parallel_compute_command": "folds run one after another in this process",
        "amp": "Scry trains in float32 on the CPU", "precision": "Scry trains in float32 on the CPU",
        "onnx_export": "Scry writes safetensors checkpoints, not ONNX",
        "differential_privacy": "differential privacy (Opacus) is not available",
        "accelerator": "Scry runs on the CPU", "strategy": "Scry runs on the CPU in one process",
        "devices": "Scry runs on the CPU", "num_nodes": "Scry runs on one machine", "n_nodes": "Scry runs on one machine",
        "q_num_workers": "batches are prepared on a background thread", "num_workers_dataloader": "batches are prepared on a background thread",
        "prefetch_factor_dataloader": "the next batch is always prepared ahead", "pin_memory_dataloader": "there is no GPU memory to pin",
    ]

    /// Top-level keys of config_all_options.yaml and the other keys GaNDLF reads.
    static let known: Set<String> = Set([
        "version", "model", "loss_function", "metrics", "optimizer", "opt", "scheduler", "learning_rate", "num_epochs", "patience",
        "batch_size", "patch_size", "modality", "data_preprocessing", "data_augmentation", "data_postprocessing", "nested_training",
        "weighted_loss", "clip_grad", "clip_mode", "q_max_length", "q_samples_per_volume", "q_verbose", "in_memory", "save_output",
        "save_training", "verbose", "headers", "inference_mechanism", "medcam_enabled", "medcam", "patch_sampler", "scaling_factor",
        "track_memory_usage", "memory_save_mode", "determinism", "print_rgb_label_warning", "grid_aggregator_overlap", "enable_padding",
        "previous_parameters", "data_postprocessing_after_reverse_one_hot_encoding", "auto_lr_find", "auto_batch_size_find",
        "sanity_check_threshold", "problem_type", "output_dir", "stride_size", "slide_level", "mask_level", "blending_alpha",
        "panoptica_config", "normalize", "compute_ncc",
    ]).union(notApplicable.keys)

    static let finalLayers = ["sigmoid", "softmax", "logsoftmax", "tanh", "identity", "logits", "regression", "none"]
    static let normTypes = ["batch", "instance", "group", "none"]
    static let optimizers = ["sgd", "asgd", "adam", "adamw", "adamax", "rprop", "adadelta", "adagrad", "rmsprop", "radam", "nadam",
                             "novograd", "ademamix", "lion", "adopt"]
    static let schedulers = ["triangle", "triangle_modified", "triangular", "exp_range", "exp", "exponential", "step", "reduce_on_plateau",
                             "reduce-on-plateau", "plateau", "reduceonplateau", "cosineannealing", "cosineannealingwarmrestarts",
                             "cosineannealinglr", "warmupcosineschedule", "wcs"]
    static let losses = ["dc", "dice", "dc_log", "dclog", "dice_log", "dicelog", "mcc", "mathews", "mcc_log", "mcclog", "mathews_log", "dcce",
                         "dcce_logits", "ce", "cel", "mse", "l1", "tversky", "focal", "dc_focal", "kld"]
    static let preprocessing: Set<String> = [
        "threshold", "clip", "clamp", "normalize", "normalize_nonZero", "normalize_nonZero_masked", "normalize_positive", "normalize_imagenet",
        "normalize_standardize", "normalize_div_by_255", "normalize_by_val", "rescale", "crop_external_zero_planes", "crop", "centercrop",
        "resample", "resample_min", "resize", "resize_image", "resize_images", "resize_patch", "to_canonical", "rgba2rgb", "rgb2rgba",
        "rgbatorgb", "rgba_to_rgb", "histogram_matching", "histogram_equalization", "adaptive_histogram_equalization", "stain_normalization",
        "stain_normalizer", "normalize_nonzero", "normalize_nonzero_masked",
    ]
    static let augmentation: Set<String> = [
        "default_probability", "affine", "elastic", "kspace", "motion", "ghosting", "spike", "bias", "blur", "noise", "noise_var", "gamma",
        "swap", "flip", "anisotropic", "rotate_90", "rotate_180", "colorjitter", "hed_transform", "brightness",
    ]
    static let postprocessing: Set<String> = ["fill_holes", "mapping", "morphology", "cca", "largest_component"]

    /// The zoo's architecture names and aliases (stdlib/models), which a configuration may name.
    static func zooArchitectures(_ interpreter: Interpreter) throws -> Set<String> {
        let names = try interpreter.call(try interpreter.global("model_names"), Arguments())
        let aliases = try interpreter.call(try interpreter.global("model_aliases"), Arguments())
        return Set(try (Iteration.array(names) + Iteration.array(aliases)).map(\.printed))
    }

    /// Reads, checks and completes a configuration file.
    static func read(_ path: String, architectures: Set<String>) throws -> (config: Value, warnings: [String]) {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ScryError(.ioError, "cannot read configuration \(path): \(error.localizedDescription)")
        }
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw ScryError(.valueError, "\(path): " + yamlProblem(error))
        }
        var reader = GaNDLFConfig(path: path, architectures: architectures)
        guard let node, case .mapping = node else { throw ScryError(.valueError, "\(path): a GaNDLF configuration is a mapping of keys to values") }
        let raw = reader.value(node, at: "")
        guard case .dict(let top) = raw else { throw ScryError(.valueError, "\(path): a GaNDLF configuration is a mapping of keys to values") }
        return (.dict(try reader.complete(top)), reader.warnings)
    }

    private static func yamlProblem(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "line \(mark.line), column \(mark.column): \(problem)"
        default:
            return "\(error)"
        }
    }

    /// A YAML node as a Scry value, remembering where each key's value sits.
    private mutating func value(_ node: Node, at key: String) -> Value {
        if let mark = node.mark { marks[key] = mark }
        switch node {
        case .mapping(let mapping):
            let dict = DictStorage()
            for (k, v) in mapping {
                let name = k.string ?? "\(k.any)"
                try? dict.set(.string(name), value(v, at: key.isEmpty ? name : key + "." + name))
            }
            return .dict(dict)
        case .sequence(let sequence):
            return .list(ListStorage(sequence.enumerated().map { value($0.element, at: "\(key)[\($0.offset)]") }))
        case .scalar(let scalar):
            switch node.any {
            case is NSNull: return .nil
            case let b as Bool: return .bool(b)
            case let i as Int: return .int(i)
            case let d as Double: return .float(d)
            default: return .string(scalar.string)
            }
        case .alias:
            return .nil
        }
    }

    // MARK: checking

    private func location(_ key: String) -> String {
        guard let mark = marks[key] else { return path }
        return "\(path):\(mark.line):\(mark.column)"
    }

    func invalid(_ key: String, _ value: Value, _ allowed: String) -> ScryError {
        ScryError(.valueError, "\(location(key)): \(key) is \(value.isNil ? "empty" : value.printed); allowed: \(allowed)")
    }

    private func int(_ dict: DictStorage, _ key: String, _ fullKey: String, default fallback: Int?, minimum: Int? = nil) throws -> Value {
        guard let value = dict[.string(key)], !value.isNil else { return fallback.map { .int($0) } ?? .nil }
        guard case .int(let i) = value, minimum.map({ i >= $0 }) ?? true else {
            throw invalid(fullKey, value, minimum.map { "an integer of at least \($0)" } ?? "an integer")
        }
        return .int(i)
    }

    private func number(_ dict: DictStorage, _ key: String, _ fullKey: String, default fallback: Double?, positive: Bool = false) throws -> Value {
        guard let value = dict[.string(key)], !value.isNil else { return fallback.map { .float($0) } ?? .nil }
        guard let number = value.number, number.isFinite, !positive || number > 0 else { throw invalid(fullKey, value, positive ? "a positive number" : "a number") }
        return .float(number)
    }

    private func bool(_ dict: DictStorage, _ key: String, _ fullKey: String, default fallback: Bool) throws -> Value {
        guard let value = dict[.string(key)], !value.isNil else { return .bool(fallback) }
        guard case .bool = value else { throw invalid(fullKey, value, "true or false") }
        return value
    }

    private func choice(_ value: Value?, _ key: String, _ allowed: [String], default fallback: String?) throws -> Value {
        guard let value, !value.isNil else { return fallback.map { .string($0) } ?? .nil }
        guard case .string(let s) = value, allowed.contains(s.lowercased()) else { throw invalid(key, value, allowed.joined(separator: ", ")) }
        return .string(s.lowercased())
    }

    /// A name given as a string, or as a dict {name: {options}} / {type: name, options…}.
    private func named(_ value: Value?, _ key: String, _ allowed: [String], default fallback: String) throws -> (String, DictStorage) {
        let options = DictStorage()
        switch value {
        case nil, .nil?: return (fallback, options)
        case .string?: return (try choice(value, key, allowed, default: nil).printed, options)
        case .dict(let dict)?:
            if let type = dict[.string("type")] {
                for (k, v) in dict.entries where k.printed != "type" { try options.set(k, v) }
                return (try choice(type, key + ".type", allowed, default: nil).printed, options)
            }
            guard dict.count == 1, let (name, inner) = dict.entries.first.map({ ($0.key, $0.value) }) else {
                throw invalid(key, value!, "a name, {name: {options}} or {type: name, …}")
            }
            if case .dict(let given) = inner { for (k, v) in given.entries { try options.set(k, v) } }
            return (try choice(name, key, allowed, default: nil).printed, options)
        default:
            throw invalid(key, value!, "one of " + allowed.joined(separator: ", "))
        }
    }

    // MARK: completing

    private mutating func complete(_ top: DictStorage) throws -> DictStorage {
        let out = DictStorage()
        func set(_ key: String, _ value: Value) throws { try out.set(.string(key), value) }
        let unknown = top.entries.map { $0.key.printed }.filter { !GaNDLFConfig.known.contains($0) }
        if !unknown.isEmpty { warnings.append("\(path): unknown keys, ignored: \(unknown.joined(separator: ", "))") }
        for (key, reason) in GaNDLFConfig.notApplicable.sorted(by: { $0.key < $1.key }) where top[.string(key)] != nil {
            warnings.append("\(path): \(key) does not apply here: \(reason)")
        }
        for required in ["model", "patch_size", "loss_function", "metrics"] where top[.string(required)] == nil {
            throw ScryError(.valueError, "\(path): the required key \(required) is missing")
        }

        // Version: read and reported, never a reason to refuse a run.
        if case .dict(let version)? = top[.string("version")] { try set("version", .dict(version)) }
        try set("modality", try choice(top[.string("modality")], "modality", ["rad", "histo", "path"], default: "rad"))

        let patch = try patchSize(top[.string("patch_size")]!)
        guard case .dict(let model) = top[.string("model")]! else { throw invalid("model", top[.string("model")]!, "a mapping with architecture, final_layer and dimension") }
        try set("model", .dict(try completeModel(model, patchSize: patch)))
        let dimension: Int = if case .dict(let m)? = out[.string("model")], case .int(let d)? = m[.string("dimension")] { d } else { 3 }
        try set("patch_size", .list(ListStorage(patch.prefix(dimension == 2 ? 2 : 3).map { .int($0) })))

        let (loss, lossOptions) = try named(top[.string("loss_function")], "loss_function", GaNDLFConfig.losses, default: "dc")
        try set("loss_function", .string(loss)); try set("loss_options", .dict(lossOptions))
        try set("metrics", try metrics(top[.string("metrics")]!))
        let (optimizer, optimizerOptions) = try named(top[.string("optimizer")] ?? top[.string("opt")], top[.string("optimizer")] != nil ? "optimizer" : "opt",
                                                      GaNDLFConfig.optimizers, default: "adam")
        try set("optimizer", .string(optimizer)); try set("optimizer_options", .dict(optimizerOptions))
        let (scheduler, schedulerOptions) = try named(top[.string("scheduler")], "scheduler", GaNDLFConfig.schedulers, default: "triangle_modified")
        try set("scheduler", .string(scheduler)); try set("scheduler_options", .dict(schedulerOptions))

        try set("learning_rate", try number(top, "learning_rate", "learning_rate", default: 0.001, positive: true))
        try set("num_epochs", try int(top, "num_epochs", "num_epochs", default: 100, minimum: 1))
        try set("patience", try int(top, "patience", "patience", default: 100, minimum: 0))
        try set("batch_size", try int(top, "batch_size", "batch_size", default: 1, minimum: 1))
        try set("clip_grad", try number(top, "clip_grad", "clip_grad", default: nil, positive: true))
        // GaNDLF rejects clip_mode: null although its own samples write it; Scry reads it as the default.
        try set("clip_mode", try choice(top[.string("clip_mode")], "clip_mode", ["norm", "value"], default: "norm"))
        try set("weighted_loss", try bool(top, "weighted_loss", "weighted_loss", default: false))
        try set("q_max_length", try int(top, "q_max_length", "q_max_length", default: 100, minimum: 1))
        try set("q_samples_per_volume", try int(top, "q_samples_per_volume", "q_samples_per_volume", default: 10, minimum: 1))
        for flag in ["q_verbose", "in_memory", "save_output", "save_training", "verbose", "medcam_enabled", "track_memory_usage", "memory_save_mode",
                     "determinism", "auto_lr_find", "auto_batch_size_find"] {
            try set(flag, try bool(top, flag, flag, default: false))
        }
        try set("scaling_factor", try number(top, "scaling_factor", "scaling_factor", default: 1, positive: true))
        try set("nested_training", .dict(try nestedTraining(top[.string("nested_training")])))
        let preprocessing = try section(top, "data_preprocessing", GaNDLFConfig.preprocessing)
        if case .dict(let steps) = preprocessing { try completeStainNormalization(steps) }
        try set("data_preprocessing", preprocessing)
        try set("data_augmentation", try section(top, "data_augmentation", GaNDLFConfig.augmentation))
        try set("data_postprocessing", try section(top, "data_postprocessing", GaNDLFConfig.postprocessing))
        try set("inference_mechanism", .dict(try inferenceMechanism(top[.string("inference_mechanism")])))
        var topPadding = false
        if case .bool(let given) = try bool(top, "enable_padding", "enable_padding", default: false) { topPadding = given }
        try set("patch_sampler", .dict(try patchSampler(top[.string("patch_sampler")], padding: topPadding)))
        // medcam_enabled: true alone asks for the maps with medcam's defaults (GaNDLF sets the
        // flag itself when medcam is given, and fails when it is set without medcam).
        var medcamGiven = top[.string("medcam")]
        if medcamGiven == nil || medcamGiven!.isNil, case .bool(true)? = top[.string("medcam_enabled")] { medcamGiven = .dict(DictStorage()) }
        try set("medcam", try medcam(medcamGiven))
        // Checked against the CSV when the dataset is read (dataset(path, headers:)).
        let headers = top[.string("headers")] ?? .nil
        guard headers.isNil || { if case .dict = headers { return true } else { return false } }() else {
            throw invalid("headers", headers, "a mapping of subjectIDHeader, channelHeaders, labelHeader and predictionHeaders to column indices")
        }
        try set("headers", headers)
        try wholeSlide(top, dimension: dimension, set)
        try set("warnings", .list(ListStorage(warnings.map { .string($0) })))
        return out
    }

    /// GaNDLF's patch_size (or stride_size): a number repeated, [x, y] read as [x, y, 1], or [x, y, z].
    private func patchSize(_ value: Value, key: String = "patch_size") throws -> [Int] {
        switch value {
        case .int(let n) where n > 0: return [n, n, n]
        case .list(let list):
            let sizes = list.items.compactMap { if case .int(let n) = $0, n > 0 { return n }; return nil }
            guard sizes.count == list.items.count, (2...3).contains(sizes.count) else { break }
            return sizes.count == 2 ? sizes + [1] : sizes
        default: break
        }
        throw invalid(key, value, "a positive integer or a list of 2 or 3 of them, e.g. [128, 128, 1]")
    }

    /// The keys of `modality: histo` inference, which GaNDLF reads undocumented: stride_size (nil:
    /// half the patch), slide_level (0), mask_level (slide_level's), blending_alpha (0.5).
    private func wholeSlide(_ top: DictStorage, dimension: Int, _ set: (String, Value) throws -> Void) throws {
        var stride = Value.nil
        if let given = top[.string("stride_size")], !given.isNil {
            stride = .list(ListStorage(try patchSize(given, key: "stride_size").prefix(dimension == 2 ? 2 : 3).map { .int($0) }))
        }
        try set("stride_size", stride)
        let slideLevel = try int(top, "slide_level", "slide_level", default: 0, minimum: 0)
        try set("slide_level", slideLevel)
        let maskLevel = try int(top, "mask_level", "mask_level", default: nil, minimum: 0)
        try set("mask_level", maskLevel.isNil ? slideLevel : maskLevel)
        let alpha = try number(top, "blending_alpha", "blending_alpha", default: 0.5)
        if case .float(let a) = alpha, !(0...1).contains(a) { throw invalid("blending_alpha", top[.string("blending_alpha")]!, "a number from 0 to 1") }
        try set("blending_alpha", alpha)
    }

    private mutating func completeModel(_ model: DictStorage, patchSize: [Int]) throws -> DictStorage {
        let out = DictStorage()
        func set(_ key: String, _ value: Value) throws { try out.set(.string(key), value) }
        guard case .string(let architecture)? = model[.string("architecture")], architectures.contains(architecture.lowercased()) else {
            throw invalid("model.architecture", model[.string("architecture")] ?? .nil, architectures.sorted().joined(separator: ", "))
        }
        try set("architecture", .string(architecture.lowercased()))
        switch model[.string("dimension")] {
        case nil, .nil?: try set("dimension", .int(patchSize[2] == 1 ? 2 : 3))
        case .int(let d)? where d == 2 || d == 3: try set("dimension", .int(d))
        case let other?: throw invalid("model.dimension", other, "2, 3 or empty (found from patch_size)")
        }
        let final = try choice(model[.string("final_layer")] ?? .string("softmax"), "model.final_layer", GaNDLFConfig.finalLayers, default: nil)
        try set("final_layer", final)
        try set("norm_type", try choice(model[.string("norm_type")], "model.norm_type", GaNDLFConfig.normTypes, default: "batch"))
        try set("base_filters", try int(model, "base_filters", "model.base_filters", default: 32, minimum: 1))
        var channels = model[.string("num_channels")] ?? model[.string("n_channels")] ?? model[.string("channels")] ?? model[.string("model_channels")]
        if channels?.isNil == true { channels = nil }
        if let channels {
            guard case .int(let c) = channels, c >= 1 else { throw invalid("model.num_channels", channels, "a positive integer") }
        }
        // nil: the CSV's channel count (GaNDLF's default of 3 ignores it).
        try set("num_channels", channels ?? .nil)
        try set("class_list", try classList(model[.string("class_list")]))
        try set("ignore_label_validation", try int(model, "ignore_label_validation", "model.ignore_label_validation", default: nil, minimum: 0))
        try set("save_at_every_epoch", try bool(model, "save_at_every_epoch", "model.save_at_every_epoch", default: false))
        try set("print_summary", try bool(model, "print_summary", "model.print_summary", default: true))
        try set("type", try choice(model[.string("type")], "model.type", ["torch", "openvino"], default: "torch"))
        for key in ["amp", "onnx_export"] where model[.string(key)] != nil {
            warnings.append("\(path): model.\(key) does not apply here: \(GaNDLFConfig.notApplicable[key]!)")
        }
        if case .string("openvino")? = out[.string("type")] {
            warnings.append("\(path): model.type openvino does not apply here: Scry runs its own CPU kernels on safetensors weights")
        }
        let known: Set<String> = ["architecture", "dimension", "final_layer", "norm_type", "base_filters", "num_channels", "n_channels", "channels",
                                  "model_channels", "class_list", "ignore_label_validation", "save_at_every_epoch", "print_summary", "type",
                                  "amp", "onnx_export", "data_type", "num_classes"]
        let extras = DictStorage()
        for (key, value) in model.entries where !known.contains(key.printed) { try extras.set(key, value) }
        try set("extras", .dict(extras))
        return out
    }

    /// A class list: a list, a string such as '[0,1,2]', or GaNDLF's union form '[0,1||2||4,4]'.
    private func classList(_ value: Value?) throws -> Value {
        switch value {
        case nil, .nil?: return .nil
        case .list(let list)?:
            for item in list.items {
                switch item { case .int, .float, .string: continue; default: throw invalid("model.class_list", value!, "a list of label values or unions such as \"1||2\"") }
            }
            return .list(list)
        case .string(let text)?:
            var inner = text.trimmingCharacters(in: .whitespaces)
            if inner.hasPrefix("[") && inner.hasSuffix("]") { inner = String(inner.dropFirst().dropLast()) }
            let parts = inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !parts.isEmpty, parts.allSatisfy({ part in part.components(separatedBy: "||").allSatisfy { Double($0) != nil } }) else {
                throw invalid("model.class_list", value!, "label values and unions of them, e.g. [0,1,2] or '[0,1||2||4,1||4,4]'")
            }
            return .list(ListStorage(parts.map { part in Int(part).map { .int($0) } ?? .string(part) }))
        default:
            throw invalid("model.class_list", value!, "a list such as [0, 1] or a string such as '[0,1||2]'")
        }
    }

    /// Metric names; options given in a dict ({f1: {average: macro}}) choose the averaging.
    private func metrics(_ value: Value) throws -> Value {
        var names: [String] = []
        func add(_ name: Value, _ options: Value?, _ key: String) throws {
            guard case .string(let metric) = name else { throw invalid(key, name, "metric names") }
            var chosen = metric.lowercased()
            if case .dict(let o)? = options, case .string(let average)? = o[.string("average")] {
                guard ["micro", "macro", "weighted"].contains(average) else { throw invalid(key + ".average", .string(average), "micro, macro or weighted") }
                chosen += "_" + average
            }
            names.append(chosen)
        }
        switch value {
        case .list(let list):
            for (i, item) in list.items.enumerated() {
                if case .dict(let d) = item, let entry = d.entries.first { try add(entry.key, entry.value, "metrics[\(i)]") } else { try add(item, nil, "metrics[\(i)]") }
            }
        case .dict(let dict):
            for (name, options) in dict.entries { try add(name, options, "metrics") }
        case .string:
            try add(value, nil, "metrics")
        default:
            throw invalid("metrics", value, "a list of metric names or a mapping of names to options")
        }
        return .list(ListStorage(names.map { .string($0) }))
    }

    private func nestedTraining(_ value: Value?) throws -> DictStorage {
        let out = DictStorage()
        let given: DictStorage
        switch value {
        case nil, .nil?: given = DictStorage()
        case .dict(let d)?: given = d
        default: throw invalid("nested_training", value!, "a mapping with testing and validation fold counts")
        }
        for key in ["testing", "validation"] {
            let count = try int(given, key, "nested_training." + key, default: -5)
            if case .int(0) = count { throw invalid("nested_training." + key, count, "a non-zero fold count (1: no such split, negative: only the first fold)") }
            try out.set(.string(key), count)
        }
        let stratified = try bool(given, "stratified", "nested_training.stratified", default: false)
        let proportional = try bool(given, "proportional", "nested_training.proportional", default: false)
        try out.set(.string("stratified"), .bool(stratified.isTruthy || proportional.isTruthy))
        return out
    }

    /// A processing section: a mapping (or a list of names) whose keys must be known.
    private func section(_ top: DictStorage, _ key: String, _ allowed: Set<String>) throws -> Value {
        let out = DictStorage()
        switch top[.string(key)] {
        case nil, .nil?: return .dict(out)
        case .dict(let d)?:
            for (name, options) in d.entries {
                guard allowed.contains(name.printed) else { throw invalid("\(key).\(name.printed)", options, "keys " + allowed.sorted().joined(separator: ", ")) }
                try out.set(name, options)
            }
        case .list(let l)?:
            for item in l.items {
                guard case .string(let name) = item, allowed.contains(name) else { throw invalid(key, item, "keys " + allowed.sorted().joined(separator: ", ")) }
                try out.set(item, .nil)
            }
        case let other?:
            throw invalid(key, other, "a mapping of step names to their options")
        }
        return .dict(out)
    }

    /// stain_normalization (stain_normalizer before GaNDLF 0.1.3): a target image is required,
    /// the extractor is one of three and defaults to ruifrok.
    private func completeStainNormalization(_ steps: DictStorage) throws {
        for name in ["stain_normalization", "stain_normalizer"] {
            guard let options = steps[.string(name)] else { continue }
            let key = "data_preprocessing." + name
            guard case .dict(let given) = options else {
                throw invalid(key, options, "a mapping {target: path of an RGB image, extractor: ruifrok, macenko or vahadane}")
            }
            let target = given[.string("target")] ?? .nil
            if target.isNil { throw ScryError(.valueError, "\(location(key)): the required key \(key).target is missing: the image whose stains to match") }
            guard case .string(let file) = target, !file.isEmpty else { throw invalid(key + ".target", target, "the path of an RGB image") }
            let out = DictStorage()
            try out.set(.string("target"), target)
            try out.set(.string("extractor"), try choice(given[.string("extractor")], key + ".extractor", ["ruifrok", "macenko", "vahadane"], default: "ruifrok"))
            try steps.set(.string(name), .dict(out))
        }
    }

    private func inferenceMechanism(_ value: Value?) throws -> DictStorage {
        let out = DictStorage(), given: DictStorage
        if case .dict(let d)? = value { given = d } else { given = DictStorage() }
        try out.set(.string("grid_aggregator_overlap"), try choice(given[.string("grid_aggregator_overlap")], "inference_mechanism.grid_aggregator_overlap",
                                                                 ["crop", "average", "hann"], default: "crop"))
        try out.set(.string("patch_overlap"), try int(given, "patch_overlap", "inference_mechanism.patch_overlap", default: 0, minimum: 0))
        return out
    }

    /// GaNDLF's patch_sampler; a top-level enable_padding (read by GaNDLF up to 0.0.18, dead
    /// since, yet still in its config_all_options) is the default of its enable_padding.
    private func patchSampler(_ value: Value?, padding: Bool) throws -> DictStorage {
        let out = DictStorage()
        var given = DictStorage()
        switch value {
        case .string?: try given.set(.string("type"), value!)
        case .dict(let d)?: given = d
        default: break
        }
        try out.set(.string("type"), try choice(given[.string("type")], "patch_sampler.type", ["uniform", "label"], default: "uniform"))
        try out.set(.string("enable_padding"), try bool(given, "enable_padding", "patch_sampler.enable_padding", default: padding))
        try out.set(.string("padding_mode"), try choice(given[.string("padding_mode")], "patch_sampler.padding_mode",
                                                        ["symmetric", "reflect", "edge", "constant", "wrap"], default: "symmetric"))
        try out.set(.string("biased_sampling"), try bool(given, "biased_sampling", "patch_sampler.biased_sampling", default: false))
        return out
    }

    private func medcam(_ value: Value?) throws -> Value {
        guard case .dict(let given)? = value else { return .nil }
        let out = DictStorage()
        try out.set(.string("backend"), try choice(given[.string("backend")], "medcam.backend", ["gcam", "gbp", "ggcam", "gcampp"], default: "gcam"))
        let layer = given[.string("layer")] ?? .string("auto")
        guard case .string = layer else { throw invalid("medcam.layer", layer, "auto or a layer name") }
        try out.set(.string("layer"), layer)
        return .dict(out)
    }

    nonisolated(unsafe) static let functions: [NativeFunction] = [
        NativeFunction("read_config", [Parameter("path")],
                       doc: "A GaNDLF YAML configuration, checked (one error naming the file, line, key, value and what is allowed) and completed with GaNDLF's defaults, as a dict; warnings (unknown keys, keys that do not apply here) under \"warnings\".") { a in
            try read(try a.string("path"), architectures: try zooArchitectures(a.interpreter)).config
        },
    ]
}
