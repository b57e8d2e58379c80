import Foundation
import ScryData
import ScryLang
import ScryTensor

/// A dataset as a Scry value: `len(ds)`, `ds[i]` (a subject), iteration, `ds.write(folder)`;
/// shown as a cell's result, its summary.
final class DatasetObject: HostObject {
    let dataset: Dataset
    init(_ dataset: Dataset) { self.dataset = dataset }

    var typeName: String { "dataset" }
    var display: String { "<dataset: \(dataset.count) subjects from \(dataset.source)>" }
    var detailedDisplay: String {
        guard let summary = try? DatasetSummary(dataset) else { return display }
        return display + "\n" + summary.text
    }
    var length: Int? { dataset.count }
    var attributeNames: [String] { ["cache_limit", "cached_mb", "ids", "source", "summary", "write", "write_csv"] }

    func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "source": return .string(dataset.source)
        case "cache_limit": return .float(Double(dataset.cacheLimit) / 1_048_576)
        case "cached_mb": return .float(Double(dataset.cachedByteCount) / 1_048_576)
        case "ids": return .list(ListStorage(dataset.subjects.map { .string($0.id) }))
        case "summary":
            return .function(NativeFunction("summary", doc: "Subjects, channels, shapes, spacings, intensity range, label classes with voxel counts, targets.") { _ in
                .string(try DatasetSummary(self.dataset).text)
            })
        case "write_csv":
            return .function(NativeFunction("write_csv", [Parameter("path")], doc: "Writes a GaNDLF CSV listing this dataset's files (a split written back).") { a in
                do { try self.dataset.writeCSV(to: try a.string("path")) } catch let error as DataError { throw ScryError(.ioError, error.description) }
                return .nil
            })
        case "write":
            return .function(NativeFunction("write", [Parameter("folder")],
                                            doc: "Writes every subject (NIfTI for volumes, PNG for 2D) and a GaNDLF CSV, data.csv, listing them; returns the CSV's path.") { a in
                do { return .string(try self.dataset.write(to: try a.string("folder"))) } catch let error as DataError {
                    throw ScryError(.ioError, error.description)
                }
            })
        default: return nil
        }
    }

    /// `ds.cache_limit = 256` keeps at most that many MB of decoded images (the oldest go first).
    func setAttribute(_ name: String, _ value: Value) throws -> Bool {
        guard name == "cache_limit" else { return false }
        guard let megabytes = value.number, megabytes >= 0, megabytes.isFinite else {
            throw ScryError(.valueError, "cache_limit is a size in MB (0 or more), got \(value.printed)")
        }
        dataset.cacheLimit = Int(megabytes * 1_048_576)
        return true
    }

    func subscriptGet(_ subscripts: [SubscriptValue]) throws -> Value? {
        guard subscripts.count == 1, case .index(.int(let i)) = subscripts[0] else {
            throw ScryError(.typeError, "a dataset is indexed by a subject number")
        }
        let index = i < 0 ? i + dataset.count : i
        guard (0..<dataset.count).contains(index) else {
            throw ScryError(.indexError, "subject \(i) out of range for \(dataset.count) subjects")
        }
        return .host(SubjectObject(dataset, index))
    }

    func makeIterator() throws -> AnyIterator<Value>? {
        AnyIterator((0..<dataset.count).map { .host(SubjectObject(self.dataset, $0)) }.makeIterator())
    }
}

/// One subject: `.id`, `.image`, `.label` (images, loaded on use), `.value`, `.metadata`.
final class SubjectObject: HostObject {
    let dataset: Dataset, index: Int
    init(_ dataset: Dataset, _ index: Int) { self.dataset = dataset; self.index = index }

    var typeName: String { "subject" }
    var display: String { "<subject \(dataset.subjects[index].id)>" }
    var attributeNames: [String] { ["id", "image", "label", "metadata", "value"] }

    func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        let subject = dataset.subjects[index]
        do {
            switch name {
            case "id": return .string(subject.id)
            case "image": return .host(ImageObject(try dataset.image(index)))
            case "label": return try dataset.label(index).map { .host(ImageObject($0)) } ?? .nil
            case "value": return subject.value.map { $0 == $0.rounded() && Swift.abs($0) < 1e15 ? .int(Int($0)) : .float($0) } ?? .nil
            case "metadata":
                let dict = DictStorage()
                for (key, value) in subject.metadata.sorted(by: { $0.key < $1.key }) { try dict.set(.string(key), .string(value)) }
                return .dict(dict)
            default: return nil
            }
        } catch let error as DataError {
            throw ScryError(.ioError, error.description)
        }
    }
}

enum DatasetBindings {
    /// GaNDLF's `headers` dict (column indices; predictionHeaders holds one, as Scry predicts
    /// one value) as the CSV reader's columns; nil when none is given.
    static func csvColumns(_ a: BoundArguments) throws -> Dataset.Columns? {
        guard a.has("headers") else { return nil }
        guard case .dict(let given) = a["headers"] else { throw a.typeError("headers", "a dict of column indices") }
        func indices(_ key: String) throws -> [Int] {
            switch given[.string(key)] {
            case nil, .nil?: return []
            case .int(let i)?: return [i]
            case .list(let items)?:
                return try items.items.map { item in
                    guard case .int(let i) = item else { throw a.typeError("headers", "column indices: \(key) holds \(item.display)") }
                    return i
                }
            case let other?: throw a.typeError("headers", "column indices: \(key) is \(other.display)")
            }
        }
        let known = ["subjectIDHeader", "channelHeaders", "labelHeader", "predictionHeaders"]
        for entry in given.entries {
            guard case .string(let key) = entry.key, known.contains(key) else {
                throw ScryError(.valueError, "dataset(): headers has no key \(entry.key.display); known: \(known.joined(separator: ", "))")
            }
        }
        let values = try indices("predictionHeaders")
        guard values.count <= 1 else { throw ScryError(.valueError, "dataset(): headers.predictionHeaders lists \(values.count) columns; Scry predicts one value") }
        let channels = try indices("channelHeaders")
        guard !channels.isEmpty else { throw ScryError(.valueError, "dataset(): headers.channelHeaders must list the image columns") }
        return Dataset.Columns(id: try indices("subjectIDHeader").first, channels: channels, label: try indices("labelHeader").first, value: values.first)
    }

    nonisolated(unsafe) static let functions: [NativeFunction] = [
        NativeFunction("dataset", [Parameter("path"), Parameter("headers", default: .nil)],
                       doc: "A dataset from a GaNDLF CSV (SubjectID, Channel_0…, Label, ValueToPredict) or a folder holding data.csv; every row is checked and all problems reported at once. headers: GaNDLF's column indices (subjectIDHeader, channelHeaders, labelHeader, predictionHeaders) instead of the names.") { a in
            do { return .host(DatasetObject(try Dataset.csv(try a.string("path"), columns: try csvColumns(a)))) } catch let error as DataError {
                throw ScryError(.valueError, error.description)
            }
        },
        NativeFunction("construct_csv", [Parameter("folder"), Parameter("channels"), Parameter("label", default: .nil), Parameter("output", default: .nil)],
                       doc: "Builds a GaNDLF CSV from one folder per subject: each channel (and the label) is the file whose name contains its substring; returns the CSV's path (default: folder/data.csv).") { a in
            let folder = try a.string("folder")
            let channels = try a.list("channels").map { item -> String in
                guard case .string(let s) = item else { throw a.typeError("channels", "a list of file-name substrings") }
                return s
            }
            let output = a.has("output") ? try a.string("output") : URL(fileURLWithPath: folder).appendingPathComponent("data.csv").path
            do {
                try Dataset.constructCSV(folder: folder, channels: channels, label: a.has("label") ? try a.string("label") : nil, to: output)
            } catch let error as DataError {
                throw ScryError(.valueError, error.description)
            }
            return .string(output)
        },
        NativeFunction("cross_validation", [Parameter("dataset"), Parameter("testing", default: .int(1)), Parameter("validation", default: .int(5)),
                                            Parameter("seed", default: .int(0)), Parameter("stratify", default: .bool(false))],
                       doc: "GaNDLF's nested_training folds: a list of dicts with testing_fold, validation_fold, train, val and test datasets (nil where a count of 1 means no such split; a negative count runs only the first fold). Split by SubjectID; stratified by target on request.") { a in
            guard case .host(let object as DatasetObject) = a["dataset"] else { throw a.typeError("dataset", "a dataset") }
            let folds: [Dataset.Fold]
            do {
                folds = try object.dataset.nestedFolds(testing: try a.int("testing"), validation: try a.int("validation"),
                                                       seed: UInt64(Swift.max(0, try a.int("seed"))), stratify: try a.bool("stratify"))
            } catch let error as TensorError { throw ScryError(.valueError, error.description) }
            return .list(ListStorage(try folds.map { fold in
                let dict = DictStorage()
                try dict.set(.string("testing_fold"), .int(fold.testingFold))
                try dict.set(.string("validation_fold"), .int(fold.validationFold))
                try dict.set(.string("train"), .host(DatasetObject(fold.train)))
                try dict.set(.string("val"), fold.validation.map { .host(DatasetObject($0)) } ?? .nil)
                try dict.set(.string("test"), fold.test.map { .host(DatasetObject($0)) } ?? .nil)
                return .dict(dict)
            }))
        },
        NativeFunction("one_hot", [Parameter("label"), Parameter("class_list")],
                       doc: "A label map [N, 1, …] (or an image's [1, …]) as one channel per class of a GaNDLF class list, where a class may be a union \"2||3\": [N, K, …].") { a in
            let classes = try LabelEncoding.parse(try a.list("class_list").map { $0.printed })
            return TensorBindings.wrap(try LabelEncoding.oneHot(try TensorBindings.tensor(a["label"], "label", "one_hot", dtype: .float32), classes: classes))
        },
        NativeFunction("from_one_hot", [Parameter("scores"), Parameter("class_list")],
                       doc: "Scores or probabilities [N, K, …] back to label maps [N, 1, …]: the (first) label value of the best class.") { a in
            let classes = try LabelEncoding.parse(try a.list("class_list").map { $0.printed })
            return TensorBindings.wrap(try LabelEncoding.labels(try TensorBindings.tensor(a["scores"], "scores", "from_one_hot", dtype: .float32), classes: classes))
        },
        NativeFunction("phantom", [Parameter("dimension", default: .int(2)), Parameter("n", default: .int(20)), Parameter("size", default: .int(128)),
                                   Parameter("classes", default: .int(3)), Parameter("task", default: .string("segmentation")), Parameter("seed", default: .int(0))],
                       doc: "Synthetic subjects that ship with Scry: an ellipsoid organ with lesions inside, bias field and noise; labels are masks (segmentation), lesion presence or count (classification) or lesion volume in voxels (regression). Deterministic for a seed.") { a in
            guard let task = Phantom.Task(rawValue: try a.string("task")) else { throw a.typeError("task", "\"segmentation\", \"classification\" or \"regression\"") }
            let seed = try a.int("seed"), n = try a.int("n")
            guard seed >= 0, n >= 0 else { throw ScryError(.valueError, "phantom(): seed and n must be non-negative") }
            let phantom = try Phantom(dimension: try a.int("dimension"), size: try a.int("size"), classes: try a.int("classes"), task: task, seed: UInt64(seed))
            return .host(DatasetObject(Dataset.phantom(phantom, count: n)))
        },
    ]
}
