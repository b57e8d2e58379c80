import ScryLang
import ScryNN
import ScryTensor

/// The layer constructors (`conv`, `linear`, `batchnorm`…) and the operations of the same names.
enum LayerBindings {
    /// Each name, called on a tensor, computes (`relu(x)`, `maxpool(x, 2)`); otherwise it builds
    /// the layer (`relu()`, `maxpool(2)`, `conv(1, 16, 3)`).
    static func install(into interpreter: Interpreter) {
        for (layer, function) in pairs {
            let onTensor = function ?? NativeFunction(layer.name, variadic: true, doc: layer.doc ?? "") { _ in
                throw ScryError(.typeError, "\(layer.name)() builds a layer; call the layer on the tensor: \(layer.name)(…)(x)")
            }
            interpreter.register(ArgumentDispatch(layer.name, when: ArgumentDispatch.isTensor, then: onTensor, otherwise: layer,
                                                  doc: layer.doc, signature: layer.signature,
                                                  help: function.map { "On a tensor: " + $0.signature + "\n" + ($0.doc ?? "") }))
        }
    }

    private static func wrap(_ module: Module) -> Value { ModuleObject.wrap(module) }
    private static func x(_ a: BoundArguments) throws -> Tensor { try TensorBindings.tensor(a["x"], "x", a.function) }
    private static func tensor(_ a: BoundArguments, _ name: String) throws -> Tensor? {
        a.has(name) ? try TensorBindings.tensor(a[name], name, a.function) : nil
    }

    private static func required(_ a: BoundArguments, _ name: String) throws -> Tensor {
        guard let t = try tensor(a, name) else { throw a.typeError(name, "a tensor") }
        return t
    }

    private static func dimension(_ a: BoundArguments) throws -> Int {
        let d = try a.int("dimension")
        guard (1...3).contains(d) else { throw ScryError(.valueError, "\(a.function)(): dimension must be 1, 2 or 3, got \(d)") }
        return d
    }

    private static func padding(_ a: BoundArguments) throws -> ConvPadding {
        if case .string(let s) = a["padding"] {
            guard s == "same" else { throw a.typeError("padding", "an int, a list of ints or \"same\"") }
            return .same
        }
        return .explicit(try a.intList("padding"))
    }

    private static func mode(_ a: BoundArguments) throws -> UpsampleMode {
        switch try a.string("mode") {
        case "nearest": return .nearest
        case "linear", "bilinear", "trilinear": return .linear
        default: throw a.typeError("mode", "\"nearest\", \"bilinear\" or \"trilinear\"")
        }
    }

    private static func scale(_ a: BoundArguments) throws -> [Double]? { a.has("scale") ? try a.doubleList("scale") : nil }

    private static func activation(_ name: String, _ doc: String, _ extra: [Parameter] = [],
                                   _ kind: @escaping (BoundArguments) throws -> Activation.Kind) -> (NativeFunction, NativeFunction?) {
        (NativeFunction(name, extra, doc: "A \(name) layer: \(doc)") { a in wrap(Activation(try kind(a))) },
         NativeFunction(name, [Parameter("x")] + extra, doc: doc) { a in
            TensorBindings.wrap(try Activation(try kind(a)).forward(x(a)))
         })
    }

    nonisolated(unsafe) static let pairs: [(NativeFunction, NativeFunction?)] = [
        (NativeFunction("conv", [Parameter("in_channels"), Parameter("out_channels"), Parameter("kernel_size", default: .int(3)),
                                 Parameter("stride", default: .int(1)), Parameter("padding", default: .int(0)), Parameter("dilation", default: .int(1)),
                                 Parameter("groups", default: .int(1)), Parameter("bias", default: .bool(true)), Parameter("dimension", default: .int(2))],
                        doc: "A convolution layer (Conv1d/2d/3d by dimension): padding an int, a list or \"same\"; groups: in_channels for depthwise.") { a in
            wrap(try Conv(dimensions: dimension(a), inChannels: a.int("in_channels"), outChannels: a.int("out_channels"),
                          kernel: a.intList("kernel_size"), stride: a.intList("stride"), padding: padding(a),
                          dilation: a.intList("dilation"), groups: a.int("groups"), bias: a.bool("bias")))
        },
         NativeFunction("conv", [Parameter("x"), Parameter("weight"), Parameter("bias", default: .nil), Parameter("stride", default: .int(1)),
                                 Parameter("padding", default: .int(0)), Parameter("dilation", default: .int(1)), Parameter("groups", default: .int(1))],
                        doc: "Convolution of x [N, C, …] with weight [out, C/groups, …kernel].") { a in
            TensorBindings.wrap(try Tensor.conv(x(a), weight: required(a, "weight"), bias: tensor(a, "bias"), stride: a.intList("stride"),
                                                padding: padding(a), dilation: a.intList("dilation"), groups: a.int("groups")))
         }),
        (NativeFunction("conv_transpose", [Parameter("in_channels"), Parameter("out_channels"), Parameter("kernel_size", default: .int(2)),
                                           Parameter("stride", default: .int(1)), Parameter("padding", default: .int(0)),
                                           Parameter("output_padding", default: .int(0)), Parameter("groups", default: .int(1)),
                                           Parameter("bias", default: .bool(true)), Parameter("dimension", default: .int(2))],
                        doc: "A transposed convolution layer (ConvTranspose2d/3d): conv_transpose(64, 32, 2, stride: 2) doubles the size.") { a in
            wrap(try ConvTranspose(dimensions: dimension(a), inChannels: a.int("in_channels"), outChannels: a.int("out_channels"),
                                   kernel: a.intList("kernel_size"), stride: a.intList("stride"), padding: a.intList("padding"),
                                   outputPadding: a.intList("output_padding"), groups: a.int("groups"), bias: a.bool("bias")))
        },
         NativeFunction("conv_transpose", [Parameter("x"), Parameter("weight"), Parameter("bias", default: .nil), Parameter("stride", default: .int(1)),
                                           Parameter("padding", default: .int(0)), Parameter("output_padding", default: .int(0)), Parameter("groups", default: .int(1))],
                        doc: "Transposed convolution of x with weight [C, out/groups, …kernel].") { a in
            TensorBindings.wrap(try Tensor.convTranspose(x(a), weight: required(a, "weight"), bias: tensor(a, "bias"), stride: a.intList("stride"),
                                                         padding: a.intList("padding"), outputPadding: a.intList("output_padding"), groups: a.int("groups")))
         }),
        (NativeFunction("linear", [Parameter("in_features"), Parameter("out_features"), Parameter("bias", default: .bool(true))],
                        doc: "A fully connected layer: y = x·Wᵀ + b over the last axis.") { a in
            wrap(try Linear(inFeatures: a.int("in_features"), outFeatures: a.int("out_features"), bias: a.bool("bias")))
        },
         NativeFunction("linear", [Parameter("x"), Parameter("weight"), Parameter("bias", default: .nil)], doc: "x·Wᵀ + b, weight [out, in].") { a in
            TensorBindings.wrap(try Tensor.linear(x(a), weight: required(a, "weight"), bias: tensor(a, "bias")))
         }),
        (NativeFunction("batchnorm", [Parameter("features"), Parameter("dimension", default: .int(2)), Parameter("eps", default: .float(1e-5)),
                                      Parameter("momentum", default: .float(0.1)), Parameter("affine", default: .bool(true))],
                        doc: "Batch normalisation (BatchNorm1d/2d/3d): batch statistics in training, running ones in eval.") { a in
            wrap(try BatchNorm(dimensions: dimension(a), features: a.int("features"), eps: a.double("eps"), momentum: a.double("momentum"), affine: a.bool("affine")))
        }, nil),
        (NativeFunction("instancenorm", [Parameter("features"), Parameter("dimension", default: .int(2)), Parameter("eps", default: .float(1e-5)),
                                         Parameter("affine", default: .bool(false)), Parameter("track_running_stats", default: .bool(false)),
                                         Parameter("momentum", default: .float(0.1))],
                        doc: "Instance normalisation (InstanceNorm1d/2d/3d): each sample's channels over their spatial axes; track_running_stats keeps running statistics for eval, as GaNDLF's models do.") { a in
            wrap(try InstanceNorm(dimensions: dimension(a), features: a.int("features"), eps: a.double("eps"), momentum: a.double("momentum"),
                                  affine: a.bool("affine"), trackRunningStats: a.bool("track_running_stats")))
        },
         NativeFunction("instancenorm", [Parameter("x"), Parameter("weight", default: .nil), Parameter("bias", default: .nil), Parameter("eps", default: .float(1e-5))],
                        doc: "Normalises each sample's channels over their spatial axes.") { a in
            TensorBindings.wrap(try Tensor.instanceNorm(x(a), weight: tensor(a, "weight"), bias: tensor(a, "bias"), eps: a.double("eps")))
         }),
        (NativeFunction("groupnorm", [Parameter("groups"), Parameter("channels"), Parameter("eps", default: .float(1e-5)), Parameter("affine", default: .bool(true))],
                        doc: "Group normalisation: channels in groups, each normalised with its spatial axes.") { a in
            wrap(try GroupNorm(groups: a.int("groups"), channels: a.int("channels"), eps: a.double("eps"), affine: a.bool("affine")))
        },
         NativeFunction("groupnorm", [Parameter("x"), Parameter("groups"), Parameter("weight", default: .nil), Parameter("bias", default: .nil), Parameter("eps", default: .float(1e-5))],
                        doc: "Normalises channel groups with their spatial axes.") { a in
            TensorBindings.wrap(try Tensor.groupNorm(x(a), groups: a.int("groups"), weight: tensor(a, "weight"), bias: tensor(a, "bias"), eps: a.double("eps")))
         }),
        (NativeFunction("layernorm", [Parameter("shape"), Parameter("eps", default: .float(1e-5)), Parameter("affine", default: .bool(true))],
                        doc: "Layer normalisation over trailing axes of the given shape, with an elementwise affine.") { a in
            wrap(try LayerNorm(shape: a.intList("shape"), eps: a.double("eps"), affine: a.bool("affine")))
        },
         NativeFunction("layernorm", [Parameter("x"), Parameter("axes", default: .int(1)), Parameter("weight", default: .nil), Parameter("bias", default: .nil), Parameter("eps", default: .float(1e-5))],
                        doc: "Normalises over the last `axes` axes.") { a in
            TensorBindings.wrap(try Tensor.layerNorm(x(a), normalizedAxes: a.int("axes"), weight: tensor(a, "weight"), bias: tensor(a, "bias"), eps: a.double("eps")))
         }),
        (NativeFunction("maxpool", [Parameter("kernel_size", default: .int(2)), Parameter("stride", default: .nil), Parameter("padding", default: .int(0)),
                                    Parameter("dimension", default: .int(2))],
                        doc: "Max pooling (MaxPool2d/3d); stride defaults to the kernel size.") { a in
            wrap(Pool(.max, dimensions: try dimension(a), kernel: try a.intList("kernel_size"),
                      stride: a.has("stride") ? try a.intList("stride") : nil, padding: try a.intList("padding")))
        },
         NativeFunction("maxpool", [Parameter("x"), Parameter("kernel_size", default: .int(2)), Parameter("stride", default: .nil), Parameter("padding", default: .int(0))],
                        doc: "The maximum of each window.") { a in
            TensorBindings.wrap(try Tensor.maxPool(x(a), kernel: a.intList("kernel_size"), stride: a.has("stride") ? a.intList("stride") : nil,
                                                   padding: a.intList("padding")).values)
         }),
        (NativeFunction("avgpool", [Parameter("kernel_size", default: .int(2)), Parameter("stride", default: .nil), Parameter("padding", default: .int(0)),
                                    Parameter("count_include_pad", default: .bool(true)), Parameter("dimension", default: .int(2))],
                        doc: "Average pooling (AvgPool2d/3d); stride defaults to the kernel size.") { a in
            wrap(Pool(.average(countIncludePad: try a.bool("count_include_pad")), dimensions: try dimension(a), kernel: try a.intList("kernel_size"),
                      stride: a.has("stride") ? try a.intList("stride") : nil, padding: try a.intList("padding")))
        },
         NativeFunction("avgpool", [Parameter("x"), Parameter("kernel_size", default: .int(2)), Parameter("stride", default: .nil), Parameter("padding", default: .int(0)),
                                    Parameter("count_include_pad", default: .bool(true))],
                        doc: "The mean of each window.") { a in
            TensorBindings.wrap(try Tensor.avgPool(x(a), kernel: a.intList("kernel_size"), stride: a.has("stride") ? a.intList("stride") : nil,
                                                   padding: a.intList("padding"), countIncludePad: a.bool("count_include_pad")))
         }),
        (NativeFunction("adaptive_avgpool", [Parameter("size"), Parameter("dimension", default: .int(2))],
                        doc: "Adaptive average pooling to a fixed output size.") { a in
            wrap(AdaptiveAvgPool(dimensions: try dimension(a), size: try a.intList("size")))
        },
         NativeFunction("adaptive_avgpool", [Parameter("x"), Parameter("size")], doc: "Average pooling to the given output size.") { a in
            TensorBindings.wrap(try Tensor.adaptiveAvgPool(x(a), size: a.intList("size")))
         }),
        (NativeFunction("global_avgpool", doc: "Global average pooling: [N, C, …] → [N, C].") { _ in wrap(GlobalPool(max: false)) },
         NativeFunction("global_avgpool", [Parameter("x")], doc: "The mean over every spatial axis.") { a in
            TensorBindings.wrap(try GlobalPool(max: false).forward(x(a)))
         }),
        (NativeFunction("global_maxpool", doc: "Global max pooling: [N, C, …] → [N, C].") { _ in wrap(GlobalPool(max: true)) },
         NativeFunction("global_maxpool", [Parameter("x")], doc: "The maximum over every spatial axis.") { a in
            TensorBindings.wrap(try GlobalPool(max: true).forward(x(a)))
         }),
        (NativeFunction("upsample", [Parameter("size", default: .nil), Parameter("scale", default: .nil), Parameter("mode", default: .string("nearest")),
                                     Parameter("align_corners", default: .bool(false)), Parameter("dimension", default: .nil)],
                        doc: "Upsampling to a size or by a scale: mode \"nearest\", \"bilinear\" (2D) or \"trilinear\" (3D); dimension: 2 keeps [N, C, x, y, 1] inputs planar.") { a in
            wrap(Upsample(size: a.has("size") ? try a.intList("size") : nil, scale: try scale(a), mode: try mode(a), alignCorners: try a.bool("align_corners"),
                          dimensions: try a.optionalInt("dimension")))
        },
         NativeFunction("upsample", [Parameter("x"), Parameter("size", default: .nil), Parameter("scale", default: .nil), Parameter("mode", default: .string("nearest")),
                                     Parameter("align_corners", default: .bool(false))],
                        doc: "Resamples the spatial axes to a size or by a scale; bilinear on a one-slice volume [N, C, x, y, 1] keeps the slice axis.") { a in
            let input = try x(a)
            // Bilinear is 2D: a one-slice volume is resampled in-plane, as the 2D layers treat it.
            let planar = try a.string("mode") == "bilinear" ? 2 : nil
            return TensorBindings.wrap(try input.planar(dimensions: planar) { x in
                try Tensor.upsample(x, size: a.has("size") ? a.intList("size") : nil, scale: scale(a), mode: mode(a),
                                    alignCorners: a.bool("align_corners"))
            })
         }),
        (NativeFunction("dropout", [Parameter("p", default: .float(0.5)), Parameter("dimension", default: .nil)],
                        doc: "Dropout in training mode: elements, or whole channels with dimension 1, 2 or 3 (Dropout2d…).") { a in
            wrap(try Dropout(p: a.double("p"), dimensions: a.optionalInt("dimension")))
        },
         NativeFunction("dropout", [Parameter("x"), Parameter("p", default: .float(0.5)), Parameter("training", default: .bool(true)),
                                    Parameter("channel_wise", default: .bool(false))],
                        doc: "Zeroes elements (or channels) with probability p and scales the rest by 1/(1−p).") { a in
            TensorBindings.wrap(try x(a).dropout(p: a.double("p"), training: a.bool("training"), channelWise: a.bool("channel_wise")))
         }),
        (NativeFunction("prelu", [Parameter("parameters", default: .int(1)), Parameter("init", default: .float(0.25))],
                        doc: "A leaky ReLU whose slope is learnt (one, or one per channel).") { a in
            wrap(try PReLU(parameters: a.int("parameters"), initial: a.double("init")))
        },
         NativeFunction("prelu", [Parameter("x"), Parameter("weight")], doc: "Leaky ReLU with slopes from weight (one, or one per channel).") { a in
            TensorBindings.wrap(try x(a).prelu(required(a, "weight")))
         }),
        (NativeFunction("flatten", [Parameter("start", default: .int(1))], doc: "A layer joining the axes from start (default 1: all but the batch) into one.") { a in
            wrap(Flatten(start: try a.int("start")))
        },
         NativeFunction("flatten", [Parameter("x"), Parameter("start", default: .int(0)), Parameter("end", default: .int(-1))], doc: "Merges axes start…end into one.") { a in
            TensorBindings.wrap(try x(a).flatten(start: a.int("start"), end: a.int("end")))
         }),
        (NativeFunction("identity", doc: "A layer returning its input (where a configuration turns a layer off).") { _ in wrap(Identity()) }, nil),
        activation("relu", "max(x, 0) for each element.") { _ in .relu },
        activation("leaky_relu", "x where positive, slope·x elsewhere.", [Parameter("slope", default: .float(0.01))]) { .leakyRelu(slope: try $0.double("slope")) },
        activation("elu", "x where positive, alpha·(eˣ − 1) elsewhere.", [Parameter("alpha", default: .float(1))]) { .elu(alpha: try $0.double("alpha")) },
        activation("gelu", "x·Φ(x), with the exact normal CDF.") { _ in .gelu },
        activation("silu", "x·sigmoid(x) (swish).") { _ in .silu },
        activation("sigmoid", "1 / (1 + e^-x) for each element.") { _ in .sigmoid },
        activation("tanh", "Hyperbolic tangent of each element.") { _ in .tanh },
        activation("softmax", "Softmax over an axis (default 1, the channels).", [Parameter("axis", default: .int(1))]) { .softmax(axis: try $0.int("axis")) },
        activation("log_softmax", "Log-softmax over an axis (default 1, the channels).", [Parameter("axis", default: .int(1))]) { .logSoftmax(axis: try $0.int("axis")) },
    ]
}
