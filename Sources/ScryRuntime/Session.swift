import Foundation
import ScryData
import ScryLang
import ScryTensor

/// The version printed by `scry --version` and recorded in notebooks.
public let scryVersion = "0.1.0"

/// Builds interpreters with everything bound: the tensor library, the prelude under
/// `stdlib/`, and the mapping of host errors to Scry's error names.
public enum Session {
    /// A fresh interpreter with the host bindings and the prelude.
    public static func makeInterpreter() -> Interpreter {
        let interpreter = Interpreter(preludeDirectory: stdlibDirectory())
        interpreter.hostErrorConverter = convert
        TensorBindings.install(into: interpreter)
        DisplayBindings.install(into: interpreter)
        LayerBindings.install(into: interpreter)
        for function in ModuleBuilding.functions + TrainingBindings.functions + WeightFiles.functions + ImageBindings.functions
            + DatasetBindings.functions + TransformBindings.functions + PictureBindings.functions + ProgressObject.functions
            + TrainerObject.functions + Checkpoint.functions + FileBindings.functions
            + MetricBindings.functions + PostprocessingBindings.functions + GaNDLFConfig.functions
            + MemoryBindings.functions + SlideBindings.functions { interpreter.register(function) }
        LoaderBindings.install(into: interpreter)
        // The demo dataset every session starts with (subjects are made when first used).
        if let demo = try? Phantom(dimension: 2, size: 128, classes: 3, task: .segmentation, seed: 0) {
            interpreter.globals["demo"] = .host(DatasetObject(Dataset.phantom(demo, count: 20)))
        }
        return interpreter
    }

    /// Maps host errors to Scry errors, keeping their messages.
    public static func convert(_ error: Error) -> ScryError {
        switch error {
        case let error as ScryError: return error
        case let error as TensorError:
            switch error {
            case .shapeMismatch: return ScryError(.shapeError, error.description)
            case .indexOutOfRange, .invalidAxis: return ScryError(.indexError, error.description)
            case .dtypeMismatch: return ScryError(.typeError, error.description)
            case .invalidArgument, .autograd: return ScryError(.valueError, error.description)
            }
        case let error as CocoaError: return ScryError(.ioError, error.localizedDescription)
        default: return ScryError(.valueError, "\(error)")
        }
    }

    /// The prelude folder: `SCRY_STDLIB`, else the `stdlib` folder of the source tree the
    /// executable was built from (found by walking up from it), else the one beside this file.
    public static func stdlibDirectory() -> URL? {
        let fileManager = FileManager.default
        if let path = ProcessInfo.processInfo.environment["SCRY_STDLIB"] { return URL(fileURLWithPath: path) }
        var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent("stdlib")
            if fileManager.fileExists(atPath: candidate.appendingPathComponent("prelude.scry").path) { return candidate }
            directory.deleteLastPathComponent()
        }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("stdlib")
        return fileManager.fileExists(atPath: source.path) ? source : nil
    }

    /// Runs `body` on a thread with a 512 MB stack, so that deep (but bounded) Scry recursion
    /// and deep graphs never reach the main thread's 8 MB limit.
    public static func runOnLargeStack<T>(_ body: @escaping () -> T) -> T {
        let box = ResultBox<T>(body)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.value = box.body()
            done.signal()
        }
        thread.stackSize = 512 << 20
        thread.start()
        done.wait()
        return box.value!
    }
}

/// Hands the work to the other thread and its result back; the semaphore orders the accesses.
private final class ResultBox<T>: @unchecked Sendable {
    let body: () -> T
    var value: T?
    init(_ body: @escaping () -> T) { self.body = body }
}
