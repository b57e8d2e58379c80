import ScryTensor

/// Nested k-fold cross-validation as GaNDLF's `nested_training` sets it up: the subjects are
/// dealt into `testing` folds; for each testing fold, the others are dealt into `validation`
/// folds. Rows sharing a SubjectID always go together, so no subject ever sits in two of
/// training, validation and testing within a fold (GaNDLF's own splitter can leak test
/// subjects into training when there is more than one testing fold; this one cannot).
extension Dataset {
    /// One training run of a nested cross-validation.
    public struct Fold {
        /// Which testing and validation fold this is (0-based).
        public let testingFold: Int, validationFold: Int
        public let train: Dataset
        /// Nil when there is no validation split (a validation count of 1).
        public let validation: Dataset?
        /// Nil when there is no testing split (a testing count of 1).
        public let test: Dataset?
    }

    /// The folds for `testing` × `validation` counts. A count of 1 means no such split; a
    /// negative count -k splits k ways but runs only the first fold, as in GaNDLF. Stratified
    /// on request by target value (classification), so each fold keeps the classes' shares.
    public func nestedFolds(testing: Int, validation: Int, seed: UInt64 = 0, stratify: Bool = false) throws -> [Fold] {
        let groups = subjectGroups()
        let testingWays = Swift.abs(testing), validationWays = Swift.abs(validation)
        guard testingWays >= 1, validationWays >= 1 else {
            throw TensorError.invalidArgument(op: "nested_training", "testing and validation must be non-zero fold counts, got \(testing) and \(validation)")
        }
        guard testingWays <= groups.count else {
            throw TensorError.invalidArgument(op: "nested_training", "testing: \(testing) folds for \(groups.count) subjects")
        }
        let testAssignment = Dataset.deal(groups, ways: testingWays, seed: seed, stratify: stratify, values: groupValues(groups))
        var folds: [Fold] = []
        for t in 0..<(testing < 0 ? 1 : testingWays) {
            let remaining = testingWays == 1 ? groups.indices.map { $0 } : groups.indices.filter { testAssignment[$0] != t }
            let tested = testingWays == 1 ? [] : groups.indices.filter { testAssignment[$0] == t }
            guard validationWays <= remaining.count else {
                throw TensorError.invalidArgument(op: "nested_training", "validation: \(validation) folds for the \(remaining.count) subjects left after testing")
            }
            let remainingGroups = remaining.map { groups[$0] }
            let validationAssignment = Dataset.deal(remainingGroups, ways: validationWays, seed: seed &+ UInt64(t + 1) &* 0x9E37,
                                                    stratify: stratify, values: groupValues(remainingGroups))
            for v in 0..<(validation < 0 ? 1 : validationWays) {
                let validated = validationWays == 1 ? [] : remainingGroups.indices.filter { validationAssignment[$0] == v }
                let trained = remainingGroups.indices.filter { validationWays == 1 || validationAssignment[$0] != v }
                func rows(_ members: [[Int]]) -> [Int] { members.joined().sorted() }
                folds.append(Fold(testingFold: t, validationFold: v, train: subset(rows(trained.map { remainingGroups[$0] })),
                                  validation: validated.isEmpty ? nil : subset(rows(validated.map { remainingGroups[$0] })),
                                  test: tested.isEmpty ? nil : subset(rows(tested.map { groups[$0] }))))
            }
        }
        return folds
    }

    /// Row indices grouped by SubjectID, in order of first appearance.
    func subjectGroups() -> [[Int]] {
        var order: [String] = [], members: [String: [Int]] = [:]
        for (i, subject) in subjects.enumerated() {
            if members[subject.id] == nil { order.append(subject.id) }
            members[subject.id, default: []].append(i)
        }
        return order.map { members[$0]! }
    }

    /// Each group's stratum: its first row's target (NaN and missing targets share one).
    private func groupValues(_ groups: [[Int]]) -> [Double] {
        groups.map { group in
            let value = subjects[group[0]].value ?? -.infinity
            return value.isNaN ? -.infinity : value
        }
    }

    /// A fold number for each group: shuffled within each stratum, then dealt in turn, so
    /// folds differ in size by at most one and each stratum spreads evenly.
    static func deal(_ groups: [[Int]], ways: Int, seed: UInt64, stratify: Bool, values: [Double]) -> [Int] {
        var assignment = [Int](repeating: 0, count: groups.count), next = 0
        for stratum in shuffledStrata(groups.indices.map { stratify ? values[$0] : 0 }, seed: seed &+ 0xF01D) {
            for g in stratum { assignment[g] = next % ways; next += 1 }
        }
        return assignment
    }
}
