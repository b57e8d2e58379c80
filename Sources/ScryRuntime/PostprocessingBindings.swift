import ScryData
import ScryLang
import ScryTensor

/// Label-map clean-up (ScryData's Postprocessing) bound into Scry: each takes a label map
/// tensor, or an image whose data it replaces (keeping its geometry).
enum PostprocessingBindings {
    private static func apply(_ a: BoundArguments, _ name: String, _ body: (Tensor) throws -> Tensor) throws -> Value {
        let labels = try TensorBindings.tensor(a["labels"], "labels", name)
        let result: Tensor
        do { result = try body(labels) } catch let error as TensorError { throw Session.convert(error) }
        if case .host(let object as ImageObject) = a["labels"] {
            var image = object.image
            image.data = result
            return .host(ImageObject(image))
        }
        return TensorBindings.wrap(result)
    }

    nonisolated(unsafe) static let functions: [NativeFunction] = [
        NativeFunction("fill_holes", [Parameter("labels")],
                       doc: "Fills each label's holes (background regions it encloses, not reaching the border) with that label.") { a in
            try apply(a, "fill_holes", Postprocessing.fillHoles)
        },
        NativeFunction("largest_component", [Parameter("labels")],
                       doc: "Keeps each label's largest connected component (face connectivity); its other pieces become background.") { a in
            try apply(a, "largest_component", Postprocessing.largestComponent)
        },
        NativeFunction("morphology", [Parameter("labels"), Parameter("operation"), Parameter("radius", default: .int(1))],
                       doc: "Dilation, erosion, opening or closing of each label by the face-neighbour cross, radius times.") { a in
            let operation = try a.choice("operation", Postprocessing.Morphology.self) { $0.lowercased() }
            let radius = try a.int("radius")
            return try apply(a, "morphology") { try Postprocessing.morphology($0, operation, radius: radius) }
        },
        NativeFunction("map_labels", [Parameter("labels"), Parameter("mapping")],
                       doc: "Replaces label values through a dict such as {1: 255} (GaNDLF's mapping); other values stay.") { a in
            guard case .dict(let dict) = a["mapping"] else { throw a.typeError("mapping", "a dict of label values") }
            var mapping: [Double: Double] = [:]
            for (key, value) in dict.entries {
                guard let from = Double(key.printed), let to = Double(value.printed) else {
                    throw ScryError(.valueError, "map_labels(): mapping \(key.printed): \(value.printed) is not number to number")
                }
                mapping[from] = to
            }
            return try apply(a, "map_labels") { try Postprocessing.mapLabels($0, mapping) }
        },
    ]
}
