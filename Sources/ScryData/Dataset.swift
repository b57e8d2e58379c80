import Foundation
import ScryTensor

/// Subjects for training and evaluation, as GaNDLF lists them in CSV files: each with one or
/// more image channels, an optional label map (segmentation) and an optional target value
/// (classification, regression). Images load on first use and stay cached up to a memory bound.
/// (Unchecked sendable: its one mutable part, the cache, is behind a lock.)
public final class Dataset: @unchecked Sendable {
    public struct Subject {
        public let id: String
        /// Image files of the channels (empty for subjects made in memory).
        public let channelPaths: [String]
        public let labelPath: String?
        public let value: Double?
        /// The CSV's other columns.
        public let metadata: [String: String]
    }

    public let subjects: [Subject]
    /// Where the subjects come from: the CSV file, or `phantom`.
    public let source: String
    /// Column names of the channels (Channel_0…), for writing back.
    public let channelNames: [String]
    private let phantom: Phantom?
    /// For phantom datasets, the phantom subject number of each subject (subsets keep them).
    private let phantomIndices: [Int]
    private var cache: [Int: (image: MedicalImage, label: MedicalImage?)] = [:]
    /// Loaders prepare batches on a background thread while the session reads subjects too.
    private let lock = NSLock()
    private var cacheOrder: [Int] = []
    /// Bytes of decoded images kept; the oldest are dropped beyond it.
    public var cacheLimit = 1 << 30 {
        didSet {
            lock.lock()
            defer { lock.unlock() }
            evict()
        }
    }

    init(subjects: [Subject], source: String, channelNames: [String], phantom: Phantom? = nil, phantomIndices: [Int]? = nil) {
        self.subjects = subjects; self.source = source; self.channelNames = channelNames; self.phantom = phantom
        self.phantomIndices = phantomIndices ?? Array(subjects.indices)
    }

    /// The subjects at `indices`, as a dataset of their own.
    public func subset(_ indices: [Int]) -> Dataset {
        Dataset(subjects: indices.map { subjects[$0] }, source: source, channelNames: channelNames, phantom: phantom,
                phantomIndices: indices.map { phantomIndices[$0] })
    }

    public var count: Int { subjects.count }

    /// `n` phantom subjects (see Phantom), made on demand.
    public static func phantom(_ phantom: Phantom, count: Int) -> Dataset {
        let subjects = (0..<count).map { i in
            Subject(id: String(format: "phantom_%03d", i), channelPaths: [], labelPath: nil,
                    value: phantom.task == .segmentation ? nil : try? phantom.subject(i).value, metadata: [:])
        }
        return Dataset(subjects: subjects, source: "phantom", channelNames: ["Channel_0"], phantom: phantom)
    }

    /// Whether subjects have label maps (segmentation).
    public var hasLabels: Bool { phantom.map { $0.task == .segmentation } ?? subjects.contains { $0.labelPath != nil } }

    /// The image of subject `index`: its channels stacked as [C, …spatial].
    public func image(_ index: Int) throws -> MedicalImage { try load(index).image }

    /// The label map of subject `index`, if it has one.
    public func label(_ index: Int) throws -> MedicalImage? { try load(index).label }

    private func load(_ index: Int) throws -> (image: MedicalImage, label: MedicalImage?) {
        guard subjects.indices.contains(index) else {
            throw TensorError.indexOutOfRange(op: "dataset", index: index, axis: 0, size: subjects.count)
        }
        lock.lock()
        defer { lock.unlock() }
        if let hit = cache[index] { return hit }
        let entry: (image: MedicalImage, label: MedicalImage?)
        if let phantom {
            let made = try phantom.subject(phantomIndices[index])
            entry = (made.image, phantom.task == .segmentation ? made.label : nil)
        } else {
            let subject = subjects[index]
            let channels = try subject.channelPaths.map(MedicalImage.read)
            var image = channels[0]
            if channels.count > 1 { image.data = try Tensor.concat(channels.map(\.data), axis: 0) }
            entry = (image, try subject.labelPath.map(MedicalImage.read))
        }
        cache[index] = entry
        cacheOrder.append(index)
        cachedBytes += Dataset.bytes(entry)
        evict()
        return entry
    }

    /// Drops the oldest entries until the cache fits its limit (keeping the newest); the lock is held.
    private func evict() {
        while cacheOrder.count > 1 && cachedBytes > cacheLimit {
            if let dropped = cache.removeValue(forKey: cacheOrder.removeFirst()) { cachedBytes -= Dataset.bytes(dropped) }
        }
    }

    /// Bytes held by the cache, kept as entries come and go.
    private var cachedBytes = 0

    private static func bytes(_ entry: (image: MedicalImage, label: MedicalImage?)) -> Int {
        entry.image.data.count * 4 + (entry.label?.data.count ?? 0) * 4
    }

    /// Bytes of decoded images the cache holds now.
    public var cachedByteCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return cachedBytes
    }
}
