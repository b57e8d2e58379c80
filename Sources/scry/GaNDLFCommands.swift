import ArgumentParser
import Foundation
import ScryLang
import ScryRuntime
import Yams

/// Calls a prelude function (stdlib/gandlf.scry does the commands' work) and returns its result.
private func call(_ interpreter: Interpreter, _ function: String, _ positional: [Value],
                  keywords: [(name: String, value: Value)] = []) throws -> Value {
    try interpreter.call(try interpreter.global(function), Arguments(positional, keywords: keywords))
}

/// Calls a prelude function in a fresh session; with `printing`, prints its result as print() does.
private func callScry(_ function: String, _ positional: [Value], keywords: [(name: String, value: Value)] = [],
                      printing: Bool = false) throws {
    try inSession { interpreter in
        let result = try call(interpreter, function, positional, keywords: keywords)
        if printing { interpreter.write(result.printed + "\n") }
    }
}

private func string(_ s: String?) -> Value { s.map { .string($0) } ?? .nil }

/// `scry run -c config.yaml -i data.csv -m outdir --train | --infer`, as `gandlf run`.
struct GaNDLFRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Train or infer as a GaNDLF configuration says (gandlf run).",
        discussion: """
        --train reads the configuration's nested_training folds (or pre-split data: -i train.csv,val.csv[,test.csv]) \
        and writes logs and checkpoints under the model folder; --infer loads <architecture>_best.safetensors from it and \
        writes each subject's prediction (<SubjectID>_seg.nii.gz with the input's geometry, or predictions.csv) under -o \
        (default: the model folder); with modality histo, each whole slide's maps under histopathology/<SubjectID>/ there. \
        Ends by printing the peak memory.
        """)

    @Option(name: [.customShort("c"), .long], help: "The GaNDLF YAML configuration.") var config: String
    @Option(name: [.customShort("i"), .customLong("input-data")], help: "A GaNDLF CSV, train.csv,val.csv[,test.csv], or a folder holding data.csv.")
    var input: String
    @Option(name: [.customShort("v"), .customLong("validation-data")], help: "A validation CSV (pre-split data).") var validation: String?
    @Option(name: [.customShort("m"), .customLong("model-dir")], help: "Where training writes and inference reads the model.") var modelDir: String?
    @Option(name: [.customShort("o"), .customLong("output-path")], help: "Where inference writes predictions (default: the model folder).") var output: String?
    @Flag(name: [.customShort("t"), .long], help: "Train.") var train = false
    @Flag(help: "Infer with a trained model.") var infer = false
    @Flag(name: [.customShort("r"), .long], help: "Continue each fold from its latest checkpoint.") var resume = false
    @Flag(name: .long, help: "Delete the model folder first, starting over.") var reset = false

    func validate() throws {
        guard train != infer else { throw ValidationError("give exactly one of --train and --infer") }
        guard modelDir != nil || output != nil else { throw ValidationError("give the model folder with -m") }
        guard !(resume && reset) else { throw ValidationError("--resume continues the run that --reset would delete: give one") }
    }

    func run() throws {
        // A folder holding data.csv is read by dataset() itself.
        let inputs = input.split(separator: ",").map(String.init)
        let modelFolder = modelDir ?? output!
        if reset, train { try? FileManager.default.removeItem(atPath: modelFolder) }
        let (train, resume, output) = (self.train, self.resume, self.output)
        let validation = string(validation ?? (inputs.count > 1 ? inputs[1] : nil)), test = string(inputs.count > 2 ? inputs[2] : nil)
        let arguments: [Value] = [.string(config), .string(inputs[0]), .string(modelFolder)]
        try inSession { interpreter in
            if train {
                _ = try call(interpreter, "gandlf_train", arguments, keywords: [("val", validation), ("test", test), ("resume", .bool(resume))])
            } else {
                _ = try call(interpreter, "gandlf_infer", arguments, keywords: [("output", string(output))])
            }
            if case .float(let peak) = try call(interpreter, "peak_memory", []) { interpreter.write(String(format: "peak memory: %.0f MB\n", peak)) }
        }
    }
}

/// `scry config check|new`.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check a GaNDLF configuration, or write a commented starter one.",
        subcommands: [Check.self, New.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a configuration without running it: every key and value, and the patch size against the architecture.")
        @Argument(help: "The YAML configuration.") var path: String
        func run() throws { try callScry("gandlf_check", [.string(path)]) }
    }

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a commented starter configuration.")
        @Argument(help: "Where to write it.") var path: String = "config.yaml"
        func run() throws {
            guard !FileManager.default.fileExists(atPath: path) else { throw ValidationError("\(path) exists; choose another name") }
            try inSession { [path] interpreter in
                _ = try call(interpreter, "write_text", [.string(path), try call(interpreter, "gandlf_starter_config", [])])
                interpreter.write("wrote \(path)\n")
            }
        }
    }
}

/// `scry construct-csv`, as `gandlf construct-csv`.
struct ConstructCSVCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "construct-csv", abstract: "A GaNDLF CSV from one folder per subject.")
    @Option(name: [.customShort("i"), .customLong("input-dir")], help: "A folder with one subfolder per subject.") var input: String
    @Option(name: [.customShort("c"), .customLong("channels-id")], help: "Comma-separated file-name substrings, one per channel.") var channels: String
    @Option(name: [.customShort("l"), .customLong("label-id")], help: "The label file's name substring.") var label: String?
    @Option(name: [.customShort("o"), .customLong("output-file")], help: "The CSV to write.") var output: String
    func run() throws {
        let ids = channels.split(separator: ",").map { Value.string(String($0)) }
        try callScry("construct_csv", [.string(input), .list(ListStorage(ids))], keywords: [("label", string(label)), ("output", .string(output))],
                     printing: true)
    }
}

/// `scry split-csv`, as `gandlf split-csv` (without its leak of test subjects into training).
struct SplitCSVCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split-csv", abstract: "Split a GaNDLF CSV into the configuration's nested_training folds.",
        discussion: "Writes testing_<t>.csv, training_<v>.csv and validation_<v>.csv (in testing_<t>/ when there are several testing folds).")
    @Option(name: [.customShort("i"), .customLong("input-csv")], help: "The CSV to split.") var input: String
    @Option(name: [.customShort("o"), .customLong("output-dir")], help: "The folder for the split CSVs.") var output: String
    @Option(name: [.customShort("c"), .long], help: "The configuration (its nested_training).") var config: String
    func run() throws {
        try callScry("gandlf_split_csv", [.string(config), .string(input), .string(output)])
    }
}

/// `scry preprocess`, as `gandlf preprocess`.
struct PreprocessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preprocess", abstract: "Apply a configuration's data_preprocessing to every subject and write them with a new CSV.")
    @Option(name: [.customShort("c"), .long], help: "The configuration.") var config: String
    @Option(name: [.customShort("i"), .customLong("input-data")], help: "The GaNDLF CSV.") var input: String
    @Option(name: [.customShort("o"), .customLong("output")], help: "The folder for the preprocessed data.") var output: String
    func run() throws {
        try callScry("gandlf_preprocess", [.string(config), .string(input), .string(output)], printing: true)
    }
}

/// `scry generate-metrics`, as `gandlf generate-metrics`.
struct GenerateMetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-metrics", abstract: "Metrics of predictions against targets listed in a CSV (SubjectID,Target,Prediction), as JSON.")
    @Option(name: [.customShort("c"), .long], help: "The configuration (its class_list and metrics).") var config: String
    @Option(name: [.customShort("i"), .customLong("input-data")], help: "A CSV with SubjectID, Target and Prediction columns.") var input: String
    @Option(name: [.customShort("o"), .customLong("output-file")], help: "The JSON file to write.") var output: String?
    func run() throws {
        try callScry("gandlf_generate_metrics", [.string(config), .string(input), string(output)])
    }
}

/// `scry recover-config`, as `gandlf recover-config`.
struct RecoverConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover-config", abstract: "The configuration a model folder was trained with.")
    @Option(name: [.customShort("m"), .customLong("model-dir")], help: "The training output folder.") var modelDir: String
    @Option(name: [.customShort("o"), .customLong("output-file")], help: "Where to write the configuration.") var output: String
    func run() throws {
        try callScry("gandlf_recover_config", [.string(modelDir), .string(output)])
    }
}

/// `scry config-generator`, as `gandlf config-generator`: one configuration per combination
/// of a strategy's values.
struct ConfigGeneratorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config-generator", abstract: "Configurations for every combination of the values a strategy lists.",
        discussion: "The strategy maps keys (or model: {key: …}) to lists of values; config_<i>.yaml is written for each combination.")
    @Option(name: [.customShort("c"), .long], help: "The base configuration.") var config: String
    @Option(name: [.customShort("s"), .long], help: "The strategy YAML.") var strategy: String
    @Option(name: [.customShort("o"), .long], help: "The folder for the configurations.") var output: String

    func run() throws {
        let base = try Yams.load(yaml: try String(contentsOfFile: config, encoding: .utf8)) as? [String: Any] ?? [:]
        let plan = try Yams.load(yaml: try String(contentsOfFile: strategy, encoding: .utf8)) as? [String: Any] ?? [:]
        // Each axis: a key path and its values.
        var axes: [(path: [String], values: [Any])] = []
        for key in plan.keys.sorted() {
            if let nested = plan[key] as? [String: Any] {
                for inner in nested.keys.sorted() {
                    guard let values = nested[inner] as? [Any] else { throw ValidationError("\(strategy): \(key).\(inner) must list values") }
                    axes.append(([key, inner], values))
                }
            } else if let values = plan[key] as? [Any] {
                axes.append(([key], values))
            } else {
                throw ValidationError("\(strategy): \(key) must list values, or map keys to lists of values")
            }
        }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        var combinations: [[Any]] = [[]]
        for axis in axes { combinations = combinations.flatMap { prefix in axis.values.map { prefix + [$0] } } }
        for (i, combination) in combinations.enumerated() {
            var generated = base
            for (axis, value) in zip(axes, combination) {
                if axis.path.count == 1 {
                    generated[axis.path[0]] = value
                } else {
                    var inner = generated[axis.path[0]] as? [String: Any] ?? [:]
                    inner[axis.path[1]] = value
                    generated[axis.path[0]] = inner
                }
            }
            let path = URL(fileURLWithPath: output).appendingPathComponent("config_\(i).yaml").path
            try Yams.dump(object: generated, sortKeys: true).write(toFile: path, atomically: true, encoding: .utf8)
        }
        print("wrote \(combinations.count) configurations to \(output)")
    }
}
