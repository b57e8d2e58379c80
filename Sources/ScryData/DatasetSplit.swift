import ScryTensor

/// Train/validation/test splits and k folds, deterministic for a seed; stratified by target
/// value (classification) so that each part keeps the classes' proportions.
extension Dataset {
    /// Subjects grouped by class when stratifying (one group otherwise), each group shuffled.
    private func shuffledGroups(seed: UInt64, stratify: Bool) -> [[Int]] {
        // NaN never equals itself as a key: such targets form one group of their own.
        let keys = subjects.map { subject -> Double in
            let value = subject.value ?? 0
            return stratify ? (value.isNaN ? -.infinity : value) : 0
        }
        return Dataset.shuffledStrata(keys, seed: seed &+ 0x5C12)
    }

    /// The indices of `keys` grouped by key, in ascending key order, each group shuffled by one
    /// generator: the strata that splits and folds deal subjects from.
    static func shuffledStrata(_ keys: [Double], seed: UInt64) -> [[Int]] {
        var random = RandomGenerator(seed: seed)
        var strata: [Double: [Int]] = [:]
        for (i, key) in keys.enumerated() { strata[key, default: []].append(i) }
        return strata.keys.sorted().map { key in
            var members = strata[key]!
            random.shuffle(&members)
            return members
        }
    }

    /// Parts with the given fractions (which must sum to 1), e.g. [0.7, 0.15, 0.15].
    public func split(_ fractions: [Double], seed: UInt64 = 0, stratify: Bool = false) throws -> [Dataset] {
        guard !fractions.isEmpty, fractions.allSatisfy({ $0 >= 0 }), Swift.abs(fractions.reduce(0, +) - 1) < 1e-6 else {
            throw TensorError.invalidArgument(op: "split", "fractions must be non-negative and sum to 1, got \(fractions)")
        }
        var parts = [[Int]](repeating: [], count: fractions.count)
        for group in shuffledGroups(seed: seed, stratify: stratify) {
            // Cumulative rounding gives every part its share of each group without losing anyone.
            var start = 0, cumulative = 0.0
            for (k, fraction) in fractions.enumerated() {
                cumulative += fraction
                let end = k == fractions.count - 1 ? group.count : Int((cumulative * Double(group.count)).rounded())
                parts[k] += group[start..<Swift.max(start, end)]
                start = Swift.max(start, end)
            }
        }
        return parts.map { subset($0.sorted()) }
    }

    /// k (training, validation) pairs, each subject validating in exactly one fold.
    public func folds(_ k: Int, seed: UInt64 = 0, stratify: Bool = false) throws -> [(train: Dataset, validation: Dataset)] {
        guard k >= 2, k <= count else { throw TensorError.invalidArgument(op: "split", "folds must be between 2 and the \(count) subjects, got \(k)") }
        var assignment = [Int](repeating: 0, count: count), next = 0
        for group in shuffledGroups(seed: seed, stratify: stratify) {
            for member in group { assignment[member] = next % k; next += 1 }
        }
        return (0..<k).map { fold in
            (subset(assignment.indices.filter { assignment[$0] != fold }), subset(assignment.indices.filter { assignment[$0] == fold }))
        }
    }
}
