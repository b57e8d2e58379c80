import XCTest
@testable import ScryData
import ScryTensor

/// Nested k-fold splits, checked as properties over many subject and fold counts, stratified
/// and not, with subjects that own several rows: within a fold no subject is in two of
/// training, validation and testing; across folds each subject is tested once and, within a
/// testing fold, validated once; strata keep their shares.
final class CrossValidationTests: XCTestCase {
    /// `subjects` subjects, some with two or three rows, with a class in 0..<classes each.
    private func dataset(subjects: Int, classes: Int, seed: UInt64) -> Dataset {
        var random = RandomGenerator(seed: seed)
        var rows: [Dataset.Subject] = []
        for s in 0..<subjects {
            let value = Double(Int(random.next() % UInt64(classes)))
            for _ in 0..<(1 + Int(random.next() % 3)) {
                rows.append(Dataset.Subject(id: "s\(s)", channelPaths: [], labelPath: nil, value: value, metadata: [:]))
            }
        }
        for i in stride(from: rows.count - 1, to: 0, by: -1) { rows.swapAt(i, Int(random.next() % UInt64(i + 1))) }
        return Dataset(subjects: rows, source: "test", channelNames: ["Channel_0"])
    }

    private func ids(_ d: Dataset?) -> Set<String> { Set(d?.subjects.map(\.id) ?? []) }

    func testNoSubjectEverSitsInTwoPartsOfAFold() throws {
        var checkedFolds = 0
        for subjects in [3, 4, 5, 7, 10, 13, 24, 41] {
            for testing in [-3, -2, 1, 2, 3, 5] where Swift.abs(testing) <= subjects {
                for validation in [-4, -2, 1, 2, 3, 4] {
                    for stratify in [false, true] {
                        let ds = dataset(subjects: subjects, classes: 3, seed: UInt64(subjects * 31 + testing + 7 * validation))
                        let remaining = subjects - (Swift.abs(testing) == 1 ? 0 : subjects / Swift.abs(testing) + 1)
                        guard Swift.abs(validation) <= remaining else { continue }
                        let folds = try ds.nestedFolds(testing: testing, validation: validation, seed: 5, stratify: stratify)
                        let context = "\(subjects) subjects, testing \(testing), validation \(validation), stratify \(stratify)"
                        XCTAssertEqual(folds.count, (testing < 0 ? 1 : testing) * (validation < 0 ? 1 : validation), context)
                        var tested: [String: Int] = [:]
                        for fold in folds {
                            let train = ids(fold.train), val = ids(fold.validation), test = ids(fold.test)
                            XCTAssertTrue(train.isDisjoint(with: val) && train.isDisjoint(with: test) && val.isDisjoint(with: test), context)
                            XCTAssertEqual(train.union(val).union(test).count, subjects, "\(context): every subject is used")
                            XCTAssertFalse(train.isEmpty, context)
                            XCTAssertEqual(fold.validation == nil, Swift.abs(validation) == 1, context)
                            XCTAssertEqual(fold.test == nil, Swift.abs(testing) == 1, context)
                            // Rows stay with their subject: every row of a subject is in its part.
                            let rows = fold.train.count + (fold.validation?.count ?? 0) + (fold.test?.count ?? 0)
                            XCTAssertEqual(rows, ds.count, context)
                            if fold.validationFold == 0 { for id in test { tested[id, default: 0] += 1 } }
                            checkedFolds += 1
                        }
                        if testing > 1 {
                            XCTAssertEqual(tested.count, subjects, "\(context): every subject is tested")
                            XCTAssertTrue(tested.values.allSatisfy { $0 == 1 }, "\(context): and only once")
                        }
                        if validation > 1 {
                            for t in Set(folds.map(\.testingFold)) {
                                let perTesting = folds.filter { $0.testingFold == t }
                                let validated = perTesting.flatMap { Array(ids($0.validation)) }
                                XCTAssertEqual(validated.count, Set(validated).count, "\(context): validated once per testing fold")
                                XCTAssertEqual(Set(validated).union(ids(perTesting[0].test)).count, subjects, context)
                            }
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(checkedFolds, 1000)
    }

    func testStratifiedFoldsKeepEachClassShare() throws {
        let ds = dataset(subjects: 60, classes: 2, seed: 11)
        let classOf = Dictionary(ds.subjects.map { ($0.id, $0.value!) }, uniquingKeysWith: { a, _ in a })
        let ones = Double(classOf.values.filter { $0 == 1 }.count) / 60
        for fold in try ds.nestedFolds(testing: 3, validation: 2, seed: 1, stratify: true) {
            let test = ids(fold.test)
            let share = Double(test.filter { classOf[$0] == 1 }.count) / Double(test.count)
            XCTAssertEqual(share, ones, accuracy: 0.08)
        }
    }

    func testBadCountsAreErrors() throws {
        let ds = dataset(subjects: 4, classes: 2, seed: 1)
        XCTAssertThrowsError(try ds.nestedFolds(testing: 0, validation: 2))
        XCTAssertThrowsError(try ds.nestedFolds(testing: 5, validation: 2))
        XCTAssertThrowsError(try ds.nestedFolds(testing: 2, validation: 3))
    }
}
