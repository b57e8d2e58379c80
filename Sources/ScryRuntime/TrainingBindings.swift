import ScryLang
import ScryNN
import ScryTensor

/// `loss("dcce")`: a loss chosen by GaNDLF's name, called on (prediction, target).
final class LossObject: HostObject {
    let loss: LossFunction
    let name: String
    init(_ loss: LossFunction, name: String) { self.loss = loss; self.name = name }
    var typeName: String { "loss" }
    var display: String { "<loss \(name)>" }

    func call(_ arguments: Arguments, _ interpreter: Interpreter) throws -> Value? {
        guard arguments.positional.count == 2, arguments.keywords.isEmpty else {
            throw ScryError(.typeError, "loss \(name) takes (prediction, target), got \(arguments.positional.count) positional arguments")
        }
        let prediction = try TensorBindings.tensor(arguments.positional[0], "prediction", name)
        let target = try TensorBindings.tensor(arguments.positional[1], "target", name)
        return TensorBindings.wrap(try loss(prediction, target))
    }
}

/// Losses, optimizers, schedules and gradient clipping bound into the language.
enum TrainingBindings {
    private static func module(_ a: BoundArguments, _ name: String = "model") throws -> Module {
        guard case .host(let object as ModuleObject) = a[name] else { throw a.typeError(name, "a module") }
        return object.module
    }

    private static func optionalList(_ a: BoundArguments, _ name: String) throws -> [Double]? {
        a.has(name) ? try a.doubleList(name) : nil
    }

    private static func optionalBool(_ a: BoundArguments, _ name: String) throws -> Bool? {
        a.has(name) ? try a.bool(name) : nil
    }

    nonisolated(unsafe) static let functions: [NativeFunction] = [
        NativeFunction("loss", [Parameter("name"), Parameter("weights", default: .nil), Parameter("class_list", default: .nil),
                                Parameter("reduction", default: .string("mean")), Parameter("gamma", default: .float(2)),
                                Parameter("size_average", default: .bool(true)), Parameter("alpha", default: .float(0.5)),
                                Parameter("beta", default: .nil), Parameter("ignore_index", default: .nil),
                                Parameter("label_smoothing", default: .float(0)), Parameter("scaling_factor", default: .float(1)),
                                Parameter("pos_weight", default: .nil)],
                       doc: "A loss by GaNDLF's name, called as l(prediction, target): dc (dice), dc_log, mcc, mcc_log, tversky, focal, dc_focal, dcce, dcce_logits, ce, cel, mse, l1, kld, and bce_logits, smooth_l1, kl_div.",
                       help: """
                       Segmentation losses take probabilities [N, K, …] (after softmax; dcce_logits takes logits) and one-hot \
                       targets of the same shape; scores are per class over the whole batch, averaged over classes, or summed \
                       with weights (GaNDLF's penalty weights: see penalty_weights). gamma, size_average: focal; alpha, beta: \
                       tversky (beta: smooth_l1's threshold too); ignore_index, label_smoothing, weights: cel (cross-entropy \
                       on logits with class indices or one-hot targets); scaling_factor: mse and l1's factor on the target; \
                       reduction: mean, sum or none (per class for the segmentation losses). docs/networks.md has the formulas.
                       """) { a in
            let name = try a.string("name")
            var options = LossFunction.Options()
            options.segmentation.penaltyWeights = try optionalList(a, "weights")
            options.segmentation.classList = try optionalList(a, "class_list")
            guard let reduction = LossReduction(rawValue: try a.string("reduction")) else { throw a.typeError("reduction", "\"mean\", \"sum\" or \"none\"") }
            options.reduction = reduction
            options.segmentation.reduction = reduction
            options.segmentation.gamma = try a.double("gamma")
            options.segmentation.sizeAverage = try a.bool("size_average")
            options.segmentation.alpha = try a.double("alpha")
            if let beta = try a.optionalDouble("beta") { options.segmentation.beta = beta; options.beta = beta }
            options.ignoreIndex = try a.optionalInt("ignore_index")
            options.labelSmoothing = try a.double("label_smoothing")
            options.scalingFactor = try a.double("scaling_factor")
            if a.has("pos_weight") { options.positiveWeight = try TensorBindings.tensor(a["pos_weight"], "pos_weight", "loss", dtype: .float32) }
            return .host(LossObject(try LossFunction(name, options: options), name: name))
        },
        NativeFunction("penalty_weights", [Parameter("labels"), Parameter("class_list")],
                       doc: "GaNDLF's per-class loss weights from training label maps (a tensor or a list of them): proportional to 1 / voxels of the class, summing to 1; pass them as loss(…, weights: w).") { a in
            let labels: [Tensor]
            if case .host(let object as TensorObject) = a["labels"] { labels = [object.tensor] } else {
                labels = try a.list("labels").map { try TensorBindings.tensor($0, "labels", "penalty_weights") }
            }
            let weights = try SegmentationLosses.penaltyWeights(labels: labels, classList: try a.doubleList("class_list"))
            return .list(ListStorage(weights.map { .float($0) }))
        },
        NativeFunction("optimizer", [Parameter("name"), Parameter("model"), Parameter("lr", default: .float(1e-3)),
                                     Parameter("momentum", default: .nil), Parameter("dampening", default: .nil), Parameter("nesterov", default: .nil),
                                     Parameter("weight_decay", default: .nil), Parameter("eps", default: .nil), Parameter("betas", default: .nil),
                                     Parameter("alpha", default: .nil), Parameter("rho", default: .nil), Parameter("etas", default: .nil),
                                     Parameter("step_sizes", default: .nil), Parameter("lambd", default: .nil), Parameter("t0", default: .nil),
                                     Parameter("amsgrad", default: .nil), Parameter("decoupled", default: .nil)],
                       doc: "An optimizer for a model's parameters by GaNDLF's name, with GaNDLF's defaults: sgd, asgd, adam, adamw, adamax, rprop, adadelta, adagrad, rmsprop, radam, nadam, novograd, lion, ademamix, adopt.",
                       help: """
                       opt.step() updates the model from its gradients, opt.zero_grad() clears them, opt.lr reads or sets the rate. \
                       GaNDLF's defaults differ from PyTorch's: sgd has momentum 0.99 with Nesterov and weight decay 3e-5; \
                       adam, adamw and adamax weight decay 5e-5; most others 3e-5. save(opt, path) and load_weights(opt, path) \
                       keep its state, so training resumes exactly.
                       """) { a in
            let name = try a.string("name")
            var s = GaNDLFDefaults.OptimizerSettings()
            s.momentum = try a.optionalDouble("momentum"); s.dampening = try a.optionalDouble("dampening")
            s.nesterov = try optionalBool(a, "nesterov"); s.weightDecay = try a.optionalDouble("weight_decay")
            s.eps = try a.optionalDouble("eps"); s.betas = try optionalList(a, "betas"); s.alpha = try a.optionalDouble("alpha")
            s.rho = try a.optionalDouble("rho"); s.etas = try optionalList(a, "etas"); s.stepSizes = try optionalList(a, "step_sizes")
            s.lambda = try a.optionalDouble("lambd"); s.t0 = try a.optionalDouble("t0")
            s.amsgrad = try optionalBool(a, "amsgrad"); s.decoupled = try optionalBool(a, "decoupled")
            let optimizer = try GaNDLFDefaults.optimizer(name, learningRate: try a.double("lr"), s)
            return .host(OptimizerObject(optimizer, module: try module(a), name: optimizer.kind.rawValue))
        },
        NativeFunction("scheduler", [Parameter("name"), Parameter("optimizer"), Parameter("step_size", default: .nil), Parameter("gamma", default: .nil),
                                     Parameter("min_lr", default: .nil), Parameter("max_lr", default: .nil), Parameter("milestones", default: .nil),
                                     Parameter("T_0", default: .nil), Parameter("T_mult", default: .nil), Parameter("T_max", default: .nil),
                                     Parameter("eta_min", default: .nil), Parameter("factor", default: .nil), Parameter("patience", default: .nil),
                                     Parameter("threshold", default: .nil), Parameter("cooldown", default: .nil), Parameter("warmup_steps", default: .nil),
                                     Parameter("epochs", default: .int(100))],
                       doc: "A learning-rate schedule driving an optimizer, by GaNDLF's name: triangle, triangle_modified, triangular, exp_range, exp, step, multistep, reduce_on_plateau, cosineannealing, cosineannealinglr, warmupcosineschedule.",
                       help: """
                       s.step() once per epoch (s.step(metric) for reduce_on_plateau, lower being better) sets the optimizer's rate; \
                       s.lr is the rate of the coming epoch. Defaults are GaNDLF's, including step_size = lr / 5 when not given, \
                       which keeps triangle, triangular, exp_range and step constant: give step_size in epochs to cycle.
                       """) { a in
            guard case .host(let optimizer as OptimizerObject) = a["optimizer"] else { throw a.typeError("optimizer", "an optimizer") }
            var settings: [String: Double] = [:]
            for key in ["step_size", "gamma", "min_lr", "max_lr", "T_0", "T_mult", "T_max", "eta_min", "factor", "patience", "threshold", "cooldown", "warmup_steps"] {
                if let number = try a.optionalDouble(key) { settings[key] = number }
            }
            let name = try a.string("name")
            let scheduler = try GaNDLFDefaults.scheduler(name, baseRate: optimizer.optimizer.learningRate, settings: settings,
                                                         milestones: a.has("milestones") ? try a.intList("milestones") : [], epochs: try a.int("epochs"))
            return .host(SchedulerObject(scheduler, optimizer: optimizer, name: GaNDLFDefaults.schedulerNames[name.lowercased()]!))
        },
        NativeFunction("clip_grad", [Parameter("model"), Parameter("max_norm", default: .nil), Parameter("norm_type", default: .float(2)),
                                     Parameter("value", default: .nil)],
                       doc: "Clips a model's gradients in place: by their joint norm (max_norm; returns the norm before clipping) or elementwise to ±value.") { a in
            let model = try module(a)
            if let value = try a.optionalDouble("value") {
                try GradientClipping.clip(model, value: value)
                return .nil
            }
            guard let maxNorm = try a.optionalDouble("max_norm") else { throw ScryError(.typeError, "clip_grad() needs max_norm or value") }
            return .float(try GradientClipping.clip(model, maxNorm: maxNorm, normType: try a.double("norm_type")))
        },
    ]
}
