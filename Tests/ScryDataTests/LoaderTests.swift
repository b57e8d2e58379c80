import Foundation
import ScryData
import ScryTensor
import XCTest

/// Patch samplers, loaders, sliding-window inference and splits.
final class LoaderTests: XCTestCase {
    func testLoadersAreDeterministicAndCoverEveryoneEachEpoch() throws {
        let ds = Dataset.phantom(try Phantom(size: 24), count: 7)
        let make = { try Loader(ds, batchSize: 3, sampler: try PatchSampler(.uniform, patchSize: [16, 16]), seed: 5) }
        let a = try make(), b = try make()
        let first = try a.nextEpoch().map { try $0.get() }, again = try b.nextEpoch().map { try $0.get() }
        XCTAssertEqual(first.map(\.ids), again.map(\.ids))
        XCTAssertEqual(first.map { $0.images.scalars() }, again.map { $0.images.scalars() }, "the same seed gives the same patches")
        XCTAssertEqual(first.flatMap(\.ids).sorted(), ds.subjects.map(\.id).sorted(), "an epoch visits every subject once")
        XCTAssertEqual(first.map { $0.images.shape }, [[3, 1, 16, 16], [3, 1, 16, 16], [1, 1, 16, 16]])
        XCTAssertEqual(first[0].labels?.shape, [3, 1, 16, 16])
        let second = try a.nextEpoch().map { try $0.get() }
        XCTAssertNotEqual(second.map(\.ids), first.map(\.ids), "each epoch is shuffled anew")
        let whole = try Loader(ds, batchSize: 2, shuffle: false).batch(epoch: 0, number: 0)
        XCTAssertEqual(whole.images.shape, [2, 1, 24, 24])
    }

    func testLabelSamplingCentresTheChosenFractionOnForeground() throws {
        // A label with one foreground voxel in a corner: uniform patches rarely hold it.
        var label = [Float](repeating: 0, count: 64 * 64)
        label[3 * 64 + 60] = 1
        let labelTensor = try Tensor(label, shape: [1, 64, 64]), image = try Tensor.zeros([1, 64, 64])
        for (kind, low, high) in [(PatchSampler.Kind.label(foreground: 1), 1.0, 1.0), (.label(foreground: 0.5), 0.35, 0.65), (.uniform, 0.0, 0.2)] {
            let sampler = try PatchSampler(kind, patchSize: [8, 8])
            var random = RandomGenerator(seed: 9), hits = 0
            for _ in 0..<200 where try sampler.sample(image, label: labelTensor, random: &random).label!.sum().item() > 0 { hits += 1 }
            XCTAssertTrue((low...high).contains(Double(hits) / 200), "\(kind): \(hits) of 200 patches hold the foreground")
        }
        var random = RandomGenerator(seed: 1)
        let small = try PatchSampler(patchSize: [8, 8]).sample(try Tensor.ones([2, 5, 3]), label: nil, random: &random)
        XCTAssertEqual(small.image.shape, [2, 8, 8])
        XCTAssertEqual(try small.image.sum().item(), 30, "smaller images are padded with zeros")
    }

    func testSlidingWindowRebuildsTheVolume() throws {
        let volume = try Tensor.randn([1, 21, 17, 9])
        for blend in [SlidingWindow.Blend.gaussian, .uniform] {
            var calls = 0
            let out = try SlidingWindow.infer(volume, patchSize: [8, 8, 8], overlap: 0.5, batchSize: 3, blend: blend) { patches in
                calls += 1
                return try Tensor.concat([patches, patches * -1], axis: 1)
            }
            XCTAssertEqual(out.shape, [2, 21, 17, 9])
            XCTAssertGreaterThan(calls, 1)
            assertClose(try out.index([.at(0)]).scalars(), try volume.index([.at(0)]).scalars())
            assertClose(try out.index([.at(1)]).scalars(), try volume.index([.at(0)]).neg().scalars())
        }
        let tiny = try SlidingWindow.infer(try Tensor.ones([1, 4, 4]), patchSize: [8, 8]) { try $0 * 3 }
        XCTAssertEqual(tiny.shape, [1, 4, 4])
        assertClose(tiny.scalars(), [Double](repeating: 3, count: 16))
        XCTAssertThrowsError(try SlidingWindow.infer(volume, patchSize: [8, 8, 8]) { try $0.index([.at(0)]) })
    }

    /// numpy.pad's five modes (expected values printed by numpy 2), margins wider than the
    /// axis included, on every spatial axis of an image [C, …].
    func testPaddingModesMatchNumpy() throws {
        let expected: [(PaddingMode, [Float], [Float])] = [
            (.constant, [0, 0, 1, 2, 3, 0, 0], [0, 0, 0, 1, 2, 0, 0, 0]), (.edge, [1, 1, 1, 2, 3, 3, 3], [1, 1, 1, 1, 2, 2, 2, 2]),
            (.reflect, [3, 2, 1, 2, 3, 2, 1], [2, 1, 2, 1, 2, 1, 2, 1]), (.symmetric, [2, 1, 1, 2, 3, 3, 2], [2, 2, 1, 1, 2, 2, 1, 1]),
            (.wrap, [2, 3, 1, 2, 3, 1, 2], [2, 1, 2, 1, 2, 1, 2, 1]),
        ]
        for (mode, three, two) in expected {
            XCTAssertEqual(try mode.pad(try Tensor([1, 2, 3], shape: [1, 3]), margins: [2]).floats(), three, "\(mode)")
            XCTAssertEqual(try mode.pad(try Tensor([1, 2], shape: [1, 2]), margins: [3]).floats(), two, "\(mode), margin wider than the axis")
        }
        let image = try Tensor((0..<12).map(Float.init), shape: [2, 3, 2])
        let padded = try PaddingMode.symmetric.pad(image, margins: [1, 0])
        XCTAssertEqual(padded.shape, [2, 5, 2])
        XCTAssertEqual(try padded.index([.at(1), .all, .at(1)]).floats(), [7, 7, 9, 11, 11])
        XCTAssertThrowsError(try PaddingMode.edge.pad(image, margins: [1]))
    }

    /// GaNDLF's q_max_length: a batch's patches come from the queue-full they were mixed in, a
    /// window of consecutive subjects; every patch of the epoch is still drawn once.
    func testQueueLengthBoundsTheMixing() throws {
        let ds = Dataset.phantom(try Phantom(size: 16), count: 10)
        let loader = try Loader(ds, batchSize: 2, sampler: try PatchSampler(.uniform, patchSize: [8, 8]), seed: 3, samplesPerSubject: 3,
                                queueLength: 7)
        let order = loader.order(epoch: 0)
        XCTAssertEqual(order.sorted(), Array(0..<30))
        XCTAssertNotEqual(order, loader.order(epoch: 1))
        for start in stride(from: 0, to: 30, by: 7) {
            let subjects = Set(order[start..<min(start + 7, 30)].map { $0 % 10 })
            XCTAssertLessThanOrEqual(subjects.count, 4, "a queue of 7 holds patches of at most 4 subjects (3 each)")
        }
        let unbounded = try Loader(ds, batchSize: 2, seed: 3, samplesPerSubject: 3, queueLength: 30)
        XCTAssertEqual(unbounded.order(epoch: 0), try Loader(ds, batchSize: 2, seed: 3, samplesPerSubject: 3).order(epoch: 0),
                       "a queue holding the whole epoch mixes it all")
        XCTAssertThrowsError(try Loader(ds, batchSize: 2, queueLength: 0))
    }

    /// TorchIO's "crop" aggregation (its documented example: size 10, patch 5, windows at 0, 3
    /// and 5 keep [0, 4), [4, 7) and [6, 10), the last written over the second), Hann weights,
    /// and padding that is made up around the volume and cut off again.
    func testCropHannAndPaddedWindows() throws {
        let line = try Tensor((0..<10).map(Float.init), shape: [1, 10, 1])
        let corners = try SlidingWindow.infer(line, patchSize: [5, 1], overlap: 0.4, blend: .crop) { patches in
            try patches.index([.all, .all, .slice(start: 0, stop: 1, step: nil)]).expand(patches.shape).contiguous()
        }
        XCTAssertEqual(try corners.floats(), [0, 0, 0, 0, 3, 3, 5, 5, 5, 5])
        // Hann: windows at 0 and 2 of a 6-voxel line weigh voxel 2 by sin²(3π/5) and sin²(π/5).
        let six = try Tensor((0..<6).map(Float.init), shape: [1, 6, 1])
        let hann = try SlidingWindow.infer(six, patchSize: [4, 1], overlap: 0.5, blend: .hann) { patches in
            try patches.index([.all, .all, .slice(start: 0, stop: 1, step: nil)]).expand(patches.shape).contiguous()
        }
        let near = sin(Double.pi / 5) * sin(Double.pi / 5), far = sin(3 * Double.pi / 5) * sin(3 * Double.pi / 5)
        assertClose(hann.scalars(), [0, 0, 2 * near / (near + far), 2 * far / (near + far), 2, 2], "hann")
        let volume = try Tensor.randn([1, 13, 11])
        for (blend, padding) in [(SlidingWindow.Blend.crop, nil), (.hann, nil), (.uniform, PaddingMode.symmetric), (.crop, .reflect)] {
            let out = try SlidingWindow.infer(volume, patchSize: [6, 6], overlap: 0.5, blend: blend, padding: padding) { $0 }
            XCTAssertEqual(out.shape, volume.shape)
            assertClose(out.scalars(), volume.scalars(), "\(blend), padding \(String(describing: padding))")
        }
        // Mirrored margins change what border windows see: a window mean differs from zero padding's.
        func means(_ padding: PaddingMode) throws -> [Float] {
            try SlidingWindow.infer(try Tensor.ones([1, 8, 8]), patchSize: [4, 4], overlap: 0.5, blend: .uniform, padding: padding) { patches in
                try patches.mean(axes: [2, 3], keepDims: true).expand(patches.shape).contiguous()
            }.floats()
        }
        XCTAssertEqual(try means(.symmetric), [Float](repeating: 1, count: 64))
        XCTAssertLessThan(try means(.constant)[0], 1)
    }

    func testSplitsAndFolds() throws {
        let ds = Dataset.phantom(try Phantom(size: 8, classes: 2, task: .classification), count: 40)
        let parts = try ds.split([0.5, 0.25, 0.25], seed: 3, stratify: true)
        XCTAssertEqual(parts.map(\.count).reduce(0, +), 40)
        XCTAssertEqual(Set(parts.flatMap { $0.subjects.map(\.id) }).count, 40, "no subject in two parts")
        let positives = ds.subjects.filter { $0.value == 1 }.count
        XCTAssertEqual(Double(parts[0].subjects.filter { $0.value == 1 }.count), Double(positives) / 2, accuracy: 1, "stratified")
        XCTAssertEqual(try ds.split([0.5, 0.25, 0.25], seed: 3, stratify: true)[1].subjects.map(\.id), parts[1].subjects.map(\.id))
        let folds = try ds.folds(4, seed: 1)
        XCTAssertEqual(folds.flatMap { $0.validation.subjects.map(\.id) }.sorted(), ds.subjects.map(\.id).sorted())
        for fold in folds { XCTAssertEqual(fold.train.count + fold.validation.count, 40) }
        XCTAssertEqual(try folds[2].validation.image(0).data.scalars(), try ds.image(ds.subjects.firstIndex { $0.id == folds[2].validation.subjects[0].id }!).data.scalars())
        XCTAssertThrowsError(try ds.split([0.5, 0.6]))
    }

    func assertClose(_ a: [Double], _ b: [Double], _ label: String = "", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, label, file: file, line: line)
        for (x, y) in zip(a, b) where Swift.abs(x - y) > 1e-4 * Swift.max(1, Swift.abs(y)) { return XCTFail("\(x) vs \(y) \(label)", file: file, line: line) }
    }
}
