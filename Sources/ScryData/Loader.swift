import Foundation
import ScryTensor

/// Batches of a dataset for training: shuffled per epoch with a seed, optionally as patches,
/// each batch prepared on a background thread while the previous one is used. The same seed
/// gives the same batches, however the threads interleave.
/// (Unchecked sendable: only the reading thread counts epochs; datasets lock their cache.)
public final class Loader: @unchecked Sendable {
    public struct Batch {
        /// [N, C, …spatial]
        public let images: Tensor
        /// Label maps [N, 1, …spatial] (class indices as floats), for segmentation.
        public let labels: Tensor?
        /// Targets [N], for classification and regression.
        public let values: Tensor?
        public let ids: [String]
    }

    public let dataset: Dataset
    public let batchSize: Int
    public let sampler: PatchSampler?
    /// Preprocessing and augmentation applied to each subject before patches are taken.
    public let pipeline: Pipeline?
    public let shuffle: Bool
    public let seed: UInt64
    /// Samples (patches) taken from each subject per epoch, GaNDLF's q_samples_per_volume.
    public let samplesPerSubject: Int
    /// Patches held and mixed at once, GaNDLF's q_max_length (torchio's Queue): the subjects
    /// are shuffled, their patches queued in that order and shuffled within each queue-full, so
    /// a batch draws on at most this many patches. Nil mixes the whole epoch.
    public let queueLength: Int?
    /// Epochs started so far (each iteration is the next epoch); a resumed run sets it.
    public var epochs = 0

    public init(_ dataset: Dataset, batchSize: Int, sampler: PatchSampler? = nil, pipeline: Pipeline? = nil, shuffle: Bool = true,
                seed: UInt64 = 0, samplesPerSubject: Int = 1, queueLength: Int? = nil) throws {
        guard batchSize >= 1 else { throw TensorError.invalidArgument(op: "loader", "batch_size must be at least 1, got \(batchSize)") }
        guard samplesPerSubject >= 1 else { throw TensorError.invalidArgument(op: "loader", "samples_per_subject must be at least 1, got \(samplesPerSubject)") }
        if let queueLength, queueLength < 1 { throw TensorError.invalidArgument(op: "loader", "queue_length must be at least 1, got \(queueLength)") }
        guard dataset.count > 0 else { throw TensorError.invalidArgument(op: "loader", "the dataset has no subjects") }
        self.dataset = dataset; self.batchSize = batchSize; self.sampler = sampler; self.pipeline = pipeline; self.shuffle = shuffle; self.seed = seed
        self.samplesPerSubject = samplesPerSubject; self.queueLength = queueLength
    }

    public var batchesPerEpoch: Int { (dataset.count * samplesPerSubject + batchSize - 1) / batchSize }

    /// The sample order of epoch `epoch`: positions in 0..<count·samplesPerSubject, position p
    /// standing for subject p % count (so each position draws its own patch).
    public func order(epoch: Int) -> [Int] {
        let subjects = dataset.count, total = subjects * samplesPerSubject
        var indices = Array(0..<total)
        guard shuffle else { return indices }
        var random = RandomGenerator(seed: seed &* 7919 &+ UInt64(epoch))
        guard let queueLength, queueLength < total else {
            random.shuffle(&indices)
            return indices
        }
        var queued = Array(0..<subjects)
        random.shuffle(&queued)
        indices = queued.flatMap { subject in (0..<samplesPerSubject).map { subject + $0 * subjects } }
        for start in stride(from: 0, to: total, by: queueLength) { random.shuffle(&indices, in: start..<Swift.min(start + queueLength, total)) }
        return indices
    }

    /// Batch `number` of epoch `epoch`.
    public func batch(epoch: Int, number: Int) throws -> Batch {
        try batch(epoch: epoch, members: Array(order(epoch: epoch).dropFirst(number * batchSize).prefix(batchSize)))
    }

    private func batch(epoch: Int, members: [Int]) throws -> Batch {
        var images: [Tensor] = [], labels: [Tensor] = [], values: [Float] = []
        for position in members {
            let index = position % dataset.count
            let sampleSeed = seed &* 104_729 &+ UInt64(epoch) &* 65_537 &+ UInt64(position)
            var subject = Sample(image: try dataset.image(index), label: try dataset.label(index))
            if let pipeline { subject = try pipeline.apply(subject, seed: sampleSeed) }
            var image = subject.image.data, label = subject.label?.data
            if let sampler {
                var random = RandomGenerator(seed: sampleSeed)
                (image, label) = try sampler.sample(image, label: label, random: &random)
            }
            images.append(image)
            if let label { labels.append(label) }
            if let value = dataset.subjects[index].value { values.append(Float(value)) }
        }
        let shapes = Set(images.map(\.shape))
        guard shapes.count == 1 else {
            throw TensorError.shapeMismatch(op: "loader", "subjects of different shapes (\(shapes.map(shapeString).sorted().joined(separator: ", "))) cannot share a batch: give a patch_size")
        }
        return Batch(images: try Tensor.stack(images), labels: labels.count == members.count ? try Tensor.stack(labels) : nil,
                     values: values.count == members.count ? try Tensor(values, shape: [values.count]) : nil,
                     ids: members.map { dataset.subjects[$0 % dataset.count].id })
    }

    /// The next epoch's batches, each prepared in the background while the previous is used.
    public func nextEpoch() -> AnyIterator<Result<Batch, Error>> {
        let epoch = epochs
        epochs += 1
        let count = batchesPerEpoch, order = self.order(epoch: epoch)
        var number = 0
        var pending: (DispatchSemaphore, ResultBox)?
        func start(_ n: Int) -> (DispatchSemaphore, ResultBox) {
            let done = DispatchSemaphore(value: 0), box = ResultBox()
            let members = Array(order.dropFirst(n * batchSize).prefix(batchSize))
            DispatchQueue.global().async {
                box.result = Result { try self.batch(epoch: epoch, members: members) }
                done.signal()
            }
            return (done, box)
        }
        return AnyIterator {
            guard number < count else { return nil }
            let (done, box) = pending ?? start(number)
            number += 1
            pending = number < count ? start(number) : nil
            done.wait()
            return box.result
        }
    }

    /// Hands a batch from the preparing thread to the reader; the semaphore orders the accesses.
    private final class ResultBox: @unchecked Sendable { var result: Result<Batch, Error>? }
}
