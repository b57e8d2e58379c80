import ScryTensor

/// GaNDLF's class lists: each class is a label value or a union of them written "2||3"; label
/// maps become one channel per class (one-hot) and back.
public enum LabelEncoding {
    /// The label values of each class.
    public static func parse(_ classList: [String]) throws -> [[Double]] {
        guard !classList.isEmpty else { throw TensorError.invalidArgument(op: "one_hot", "class_list is empty") }
        return try classList.map { entry in
            try entry.components(separatedBy: "||").map { part in
                guard let value = Double(part.trimmingCharacters(in: .whitespaces)) else {
                    throw TensorError.invalidArgument(op: "one_hot", "class \"\(entry)\" is not a label value or a union such as \"2||3\"")
                }
                return value
            }
        }
    }

    /// [N, 1, …] (or [1, …]) label maps → [N, K, …] (or [K, …]): channel k is 1 where the label
    /// is one of class k's values.
    public static func oneHot(_ label: Tensor, classes: [[Double]]) throws -> Tensor {
        let axis: Int
        if label.rank >= 3 && label.shape[1] == 1 { axis = 1 } else if label.rank >= 2 && label.shape[0] == 1 { axis = 0 } else {
            throw TensorError.shapeMismatch(op: "one_hot", "a label map [N, 1, …] or [1, …], got \(shapeString(label.shape))")
        }
        let channels = try classes.map { values in
            try values.map { try label.eq($0).to(.float32) }.reduce(try Tensor.zeros(label.shape)) { try $0 + $1 }.gt(0).to(.float32)
        }
        return try Tensor.concat(channels, axis: axis)
    }

    /// [N, K, …] scores → [N, 1, …] label maps: the first value of the highest-scoring class.
    public static func labels(_ scores: Tensor, classes: [[Double]]) throws -> Tensor {
        guard scores.rank >= 2, scores.shape[1] == classes.count else {
            throw TensorError.shapeMismatch(op: "from_one_hot", "scores \(shapeString(scores.shape)) need [N, \(classes.count), …] for \(classes.count) classes")
        }
        let winners = try scores.argmax(axis: 1, keepDims: true)
        let values = try Tensor(flat: classes.map { $0[0] }, shape: [classes.count])
        return try values.indexSelect(axis: 0, indices: winners.flatten()).reshape(winners.shape)
    }
}
