import ScryData
import ScryLang
import ScryTensor

/// `transforms([transform("zscore"), transform("flip", axes: [0], p: 0.5)])`: a pipeline value
/// that lists its steps and applies them to an image (and label) for a seed.
final class PipelineObject: HostObject {
    let pipeline: Pipeline
    init(_ pipeline: Pipeline) { self.pipeline = pipeline }
    var typeName: String { "transforms" }
    var display: String { "transforms:\n" + pipeline.description }
    var length: Int? { pipeline.steps.count }

    /// `t(image)`, `t(image, label)` or `t(subject)`, with `seed:`; returns the image, or
    /// [image, label] when a label was given.
    func call(_ arguments: Arguments, _ interpreter: Interpreter) throws -> Value? {
        var seed: UInt64 = 0
        for (name, value) in arguments.keywords {
            guard name == "seed", case .int(let s) = value, s >= 0 else { throw ScryError(.typeError, "transforms take (image, label) and seed: n") }
            seed = UInt64(s)
        }
        func image(_ value: Value) throws -> MedicalImage {
            if case .host(let object as ImageObject) = value { return object.image }
            return try MedicalImage(data: try TensorBindings.tensor(value, "image", "transforms", dtype: .float32))
        }
        var sample: Sample
        switch arguments.positional.first {
        case .host(let subject as SubjectObject)?:
            sample = Sample(image: try subject.dataset.image(subject.index), label: try subject.dataset.label(subject.index))
        case let first?:
            sample = Sample(image: try image(first), label: try arguments.positional.dropFirst().first.map(image))
        case nil: throw ScryError(.typeError, "transforms need an image (and a label)")
        }
        let out = try pipeline.apply(sample, seed: seed)
        guard let label = out.label else { return .host(ImageObject(out.image)) }
        return .list(ListStorage([.host(ImageObject(out.image)), .host(ImageObject(label))]))
    }
}

/// A single step as a value, to put in a pipeline.
final class TransformObject: HostObject {
    let transform: Transform
    init(_ transform: Transform) { self.transform = transform }
    var typeName: String { "transform" }
    var display: String { "<transform \(transform)" + (transform.probability < 1 ? ", p = \(transform.probability)" : "") + ">" }
}

enum TransformBindings {
    static let names = ["zscore", "rescale", "clip", "threshold", "gamma", "noise", "brightness_contrast", "flip", "rotate90",
                        "crop_or_pad", "pad", "centre_crop", "crop_to_nonzero", "resize", "resample", "blur", "bias_field", "anisotropy",
                        "swap_patches", "rgba_to_rgb", "normalize_rgb", "equalize", "affine", "elastic", "ghosting", "spikes", "motion",
                        "colour_jitter", "stain_augmentation", "match_histogram", "adaptive_equalize", "stain_normalize"]

    /// A range given as one number or [low, high]; finite, low ≤ high.
    private static func range(_ a: BoundArguments, _ name: String, _ fallback: (Double, Double)) throws -> (Double, Double) {
        guard a.has(name) else { return fallback }
        let values = try a.doubleList(name)
        guard (1...2).contains(values.count), values.allSatisfy(\.isFinite), values[0] <= values[values.count - 1] else {
            throw a.typeError(name, "a finite number or a rising pair [low, high]")
        }
        return (values[0], values[values.count - 1])
    }

    /// A range of counts: whole numbers from 0 to a million.
    private static func countRange(_ a: BoundArguments, _ name: String, _ fallback: (Int, Int)) throws -> (Int, Int) {
        let (low, high) = try range(a, name, (Double(fallback.0), Double(fallback.1)))
        guard low >= 0, high <= 1e6, low == low.rounded(), high == high.rounded() else { throw a.typeError(name, "whole numbers from 0 to 1e6") }
        return (Int(low), Int(high))
    }

    nonisolated(unsafe) static let functions: [NativeFunction] = [
        NativeFunction("transform", [Parameter("name"), Parameter("p", default: .float(1)), Parameter("nonzero", default: .bool(false)),
                                     Parameter("low", default: .nil), Parameter("high", default: .nil), Parameter("percentiles", default: .nil),
                                     Parameter("axes", default: .nil), Parameter("size", default: .nil), Parameter("spacing", default: .nil),
                                     Parameter("std", default: .nil), Parameter("mean", default: .float(0)), Parameter("log_gamma", default: .nil),
                                     Parameter("brightness", default: .nil), Parameter("contrast", default: .nil), Parameter("coefficient", default: .float(0.5)),
                                     Parameter("order", default: .int(3)), Parameter("factor", default: .nil), Parameter("count", default: .nil),
                                     Parameter("mode", default: .nil), Parameter("bins", default: .int(256)),
                                     Parameter("degrees", default: .float(10)), Parameter("scale", default: .nil), Parameter("translation", default: .float(0)),
                                     Parameter("control_points", default: .int(7)), Parameter("max_displacement", default: .float(4)),
                                     Parameter("ghosts", default: .nil), Parameter("intensity", default: .nil), Parameter("transforms", default: .int(2)),
                                     Parameter("saturation", default: .float(0.2)), Parameter("hue", default: .float(0.05)), Parameter("sigma", default: .float(0.05)),
                                     Parameter("bias", default: .float(0.05)), Parameter("reference", default: .nil),
                                     Parameter("tiles", default: .int(8)), Parameter("clip_limit", default: .float(2)),
                                     Parameter("target", default: .nil), Parameter("extractor", default: .string("ruifrok"))],
                       doc: "One preprocessing or augmentation step for transforms([...]): \(names.joined(separator: ", ")); p is an augmentation's probability.",
                       help: """
                       zscore(nonzero:), rescale(low: 0, high: 1, percentiles: [0, 100]), clip(low, high) or clip(percentiles: [1, 99]), threshold(low, high), \
                       gamma(log_gamma: [-0.3, 0.3]), noise(mean: 0, std: [0, 0.25]), brightness_contrast(brightness: [-0.1, 0.1], \
                       contrast: [0.9, 1.1]), flip(axes: [0]), rotate90(axes: [0, 1]), crop_or_pad(size), pad(size: margin per axis, both sides; mode: constant, edge, reflect, symmetric or wrap, as numpy.pad), centre_crop(size), \
                       crop_to_nonzero, resize(size), resample(spacing), blur(std: [0, 2] in mm), bias_field(coefficient: 0.5, order: 3), \
                       anisotropy(axes:, factor: [1.5, 5]), swap_patches(size, count: 10), rgba_to_rgb, normalize_rgb(mode: imagenet, \
                       divide255 or standardize), equalize(bins: 256), affine(degrees: 10, scale: [0.9, 1.1], translation: 0 mm), \
                       elastic(control_points: 7, max_displacement: 4 voxels), ghosting(ghosts: [4, 10], intensity: [0.5, 1], axes:), \
                       spikes(count: [1, 1], intensity: [1, 3]), motion(degrees: 10, translation: 10, transforms: 2) (k-space, through FFTW). \
                       colour_jitter(brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0.05), stain_augmentation(sigma: 0.05, \
                       bias: 0.05) (H&E), match_histogram(reference: image), adaptive_equalize(tiles: 8, clip_limit: 2) (CLAHE), \
                       stain_normalize(target: image, extractor: ruifrok, macenko or vahadane) (H&E stains and their strengths made the target's). \
                       Ranges are drawn per sample; \
                       spatial steps move the label too (nearest neighbour). Checked against TorchIO's transforms.
                       """) { a in
            let p = try a.double("p")
            guard (0...1).contains(p) else { throw ScryError(.valueError, "transform(): p must be in [0, 1], got \(p)") }
            func need(_ key: String) throws -> Double {
                guard let value = try a.optionalDouble(key) else { throw ScryError(.typeError, "transform(\"\(try a.string("name"))\") needs \(key):") }
                return value
            }
            let step: Transform
            switch try a.string("name") {
            case "zscore": step = .zscore(nonzero: try a.bool("nonzero"))
            case "rescale":
                let percentiles = try range(a, "percentiles", (0, 100))
                guard percentiles.0 >= 0, percentiles.1 <= 100 else { throw a.typeError("percentiles", "a rising pair within 0…100") }
                step = .rescale(low: try a.optionalDouble("low") ?? 0, high: try a.optionalDouble("high") ?? 1, percentiles: percentiles)
            case "clip":
                if a.has("percentiles") {
                    step = .clip(percentiles: try range(a, "percentiles", (0, 100)))
                } else {
                    step = .clip(low: try need("low"), high: try need("high"))
                }
            case "threshold": step = .threshold(low: try need("low"), high: try need("high"))
            case "gamma": step = .gamma(logRange: try range(a, "log_gamma", (-0.3, 0.3)), probability: p)
            case "noise": step = .noise(mean: try a.double("mean"), stdRange: try range(a, "std", (0, 0.25)), probability: p)
            case "brightness_contrast":
                step = .brightnessContrast(brightness: try range(a, "brightness", (-0.1, 0.1)), contrast: try range(a, "contrast", (0.9, 1.1)), probability: p)
            case "flip": step = .flip(axes: a.has("axes") ? try a.intList("axes") : [0], probability: p)
            case "rotate90":
                let axes = a.has("axes") ? try a.intList("axes") : [0, 1]
                guard axes.count == 2 else { throw ScryError(.valueError, "transform(\"rotate90\"): axes names the two axes of the plane") }
                step = .rotate90(axes: (axes[0], axes[1]), probability: p)
            case "crop_or_pad": step = .cropOrPad(try a.intList("size"))
            // Zeros unless mode: names another way of making up values beyond the edge.
            case "pad": step = .pad(try a.intList("size"), mode: a.has("mode") ? try a.choice("mode", PaddingMode.self) : .constant)
            case "centre_crop", "center_crop": step = .centreCrop(try a.intList("size"))
            case "crop_to_nonzero": step = .cropToNonzero()
            case "resize": step = .resize(try a.intList("size"))
            case "resample": step = .resample(spacing: try a.doubleList("spacing"))
            case "blur": step = .blur(stdRange: try range(a, "std", (0, 2)), probability: p)
            case "bias_field": step = .biasField(coefficient: try a.double("coefficient"), order: try a.int("order"), probability: p)
            case "anisotropy":
                step = .anisotropy(axes: a.has("axes") ? try a.intList("axes") : [0, 1, 2], factor: try range(a, "factor", (1.5, 5)), probability: p)
            case "swap_patches": step = .swapPatches(patchSize: try a.intList("size"), count: try a.optionalInt("count") ?? 10, probability: p)
            case "rgba_to_rgb": step = .rgbaToRGB()
            case "normalize_rgb": step = try .normalizeRGB(!a.has("mode") ? "imagenet" : try a.string("mode"))
            case "equalize": step = .equalize(bins: try a.int("bins"))
            case "affine":
                step = .affine(degrees: try a.double("degrees"), scale: try range(a, "scale", (0.9, 1.1)), translation: try a.double("translation"), probability: p)
            case "ghosting":
                let g = try countRange(a, "ghosts", (4, 10))
                guard g.0 >= 1 else { throw a.typeError("ghosts", "plane spacings of at least 1") }
                step = .ghosting(ghosts: g, intensity: try range(a, "intensity", (0.5, 1)),
                                 axes: a.has("axes") ? try a.intList("axes") : [0, 1, 2], probability: p)
            case "spikes":
                step = .spikes(count: try countRange(a, "count", (1, 1)), intensity: try range(a, "intensity", (1, 3)), probability: p)
            case "motion":
                step = .motion(degrees: try a.double("degrees"), translation: a.has("translation") ? try a.double("translation") : 10,
                               transforms: try a.int("transforms"), probability: p)
            case "colour_jitter", "color_jitter":
                let b = try a.optionalDouble("brightness") ?? 0.2, c = try a.optionalDouble("contrast") ?? 0.2
                step = .colourJitter(brightness: b, contrast: c, saturation: try a.double("saturation"), hue: try a.double("hue"), probability: p)
            case "stain_augmentation": step = .stainAugmentation(sigma: try a.double("sigma"), bias: try a.double("bias"), probability: p)
            case "adaptive_equalize", "clahe": step = .adaptiveEqualize(tiles: try a.int("tiles"), clipLimit: try a.double("clip_limit"))
            case "match_histogram":
                guard case .host(let reference as ImageObject) = a["reference"] else { throw a.typeError("reference", "an image") }
                step = .matchHistogram(to: reference.image)
            case "stain_normalize":
                guard case .host(let target as ImageObject) = a["target"] else { throw a.typeError("target", "an RGB image") }
                step = try .stainNormalization(target: target.image, extractor: try a.choice("extractor", StainExtractor.self))
            case "elastic":
                step = .elastic(controlPoints: try a.int("control_points"), maxDisplacement: try a.double("max_displacement"), probability: p)
            case let other: throw ScryError(.valueError, "transform(): unknown step \"\(other)\"; known: \(names.joined(separator: ", "))")
            }
            return .host(TransformObject(step))
        },
        NativeFunction("transforms", [Parameter("steps")],
                       doc: "A pipeline of transform(...) steps, shown as its list; t(image, label, seed: n) applies it; loader(ds, transforms: t) applies it to each subject.") { a in
            .host(PipelineObject(Pipeline(try a.list("steps").map { item in
                guard case .host(let object as TransformObject) = item else { throw a.typeError("steps", "a list of transform(...) steps") }
                return object.transform
            })))
        },
    ]
}
