import Foundation
import ScryData
import ScryTensor
import XCTest

/// Transforms against TorchIO on a fixed image and label (Fixtures/transform_reference.json),
/// random ones by their statistics and their seeds.
final class TransformTests: XCTestCase {
    nonisolated(unsafe) static let fixture: [String: Any] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/transform_reference.json")
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    func tensor(_ any: Any?) throws -> Tensor {
        let values = any as! [String: Any]
        return try Tensor(flat: (values["data"] as! [NSNumber]).map(\.doubleValue), shape: values["shape"] as! [Int])
    }

    func sample() throws -> Sample {
        let f = TransformTests.fixture
        let spacing = (f["spacing"] as! [NSNumber]).map(\.doubleValue)
        return Sample(image: try MedicalImage(data: try tensor(f["input"]), spacing: spacing),
                      label: try MedicalImage(data: try tensor(f["label"]), spacing: spacing))
    }

    func testDeterministicTransformsMatchTorchIO() throws {
        var names = Set<String>()
        for item in TransformTests.fixture["cases"] as! [[String: Any]] {
            let name = item["name"] as! String, args = item["args"] as! [String: Any]
            func number(_ key: String) -> Double { (args[key] as! NSNumber).doubleValue }
            let transform: Transform
            switch name {
            case "zscore": transform = .zscore(nonzero: args["nonzero"] as? Bool ?? false)
            case "rescale":
                let p = (args["percentiles"] as? [NSNumber])?.map(\.doubleValue) ?? [0, 100]
                transform = .rescale(low: number("low"), high: number("high"), percentiles: (p[0], p[1]))
            case "clip": transform = .clip(low: number("low"), high: number("high"))
            case "crop_or_pad": transform = .cropOrPad(args["size"] as! [Int])
            case "flip": transform = .flip(axes: args["axes"] as! [Int])
            case "gamma": transform = .gamma(logRange: (Foundation.log(number("gamma")), Foundation.log(number("gamma"))))
            case "blur": transform = .blur(stdRange: (number("std"), number("std")))
            case "bias_field": transform = .biasField(coefficients: (args["coefficients"] as! [NSNumber]).map(\.doubleValue), order: args["order"] as! Int)
            case "ghosting": transform = .ghosting(every: args["every"] as! Int, axis: args["axis"] as! Int, intensity: number("intensity"))
            case "affine":
                func list(_ key: String) -> [Double] { (args[key] as! [NSNumber]).map(\.doubleValue) }
                transform = .affine(rotation: list("rotation"), scales: list("scales"), translation: list("translation"))
            case "swap":
                let pairs = (args["locations"] as! [[[Int]]]).map { ($0[0], $0[1]) }
                transform = .swapPatches(patchSize: args["patch"] as! [Int], locations: pairs)
            case "anisotropy": transform = .anisotropy(axis: args["axis"] as! Int, factor: number("factor"))
            case "motion":
                func nested(_ key: String) -> [[Double]] { (args[key] as! [[NSNumber]]).map { $0.map(\.doubleValue) } }
                transform = .motion(rotations: nested("rotations"), translations: nested("translations"), times: (args["times"] as! [NSNumber]).map(\.doubleValue))
            case "elastic":
                transform = .elastic(displacements: (args["displacements"] as! [NSNumber]).map(\.doubleValue), grid: args["grid"] as! [Int])
            case "resize": transform = .resize(args["size"] as! [Int])
            case "resample": transform = .resample(spacing: (args["spacing"] as! [NSNumber]).map(\.doubleValue))
            case "spikes": transform = .spikes(positions: (args["positions"] as! [[NSNumber]]).map { $0.map(\.doubleValue) }, intensity: number("intensity"))
            default: XCTFail("unknown case \(name)"); continue
            }
            let out = try Pipeline([transform]).apply(try sample())
            let expected = try tensor(item["image"]), expectedLabel = try tensor(item["label"])
            // The geometry follows as TorchIO's does (new spacing and origin after resampling, crops, pads).
            for (row, expectedRow) in zip(out.image.affine.prefix(3), (item["affine"] as! [[NSNumber]]).prefix(3)) {
                for (a, e) in zip(row, expectedRow) { XCTAssertEqual(a, e.doubleValue, accuracy: 1e-6, "\(name) \(args) affine") }
            }
            XCTAssertEqual(out.image.data.shape, expected.shape, name)
            assertClose(out.image.data.scalars(), expected.scalars(), "\(name) \(args)")
            if name == "resize" {
                // Upsampling by 3/2 puts output voxels exactly halfway between input ones, where
                // nearest-neighbour ties go whichever way SimpleITK's rounding of the positions falls.
                let same = zip(out.label!.data.scalars(), expectedLabel.scalars()).filter { $0 == $1 }.count
                XCTAssertGreaterThan(Double(same) / Double(expectedLabel.count), 0.7, "resize label")
            } else {
                XCTAssertEqual(out.label?.data.scalars(), expectedLabel.scalars(), "\(name) label")
            }
            names.insert(name)
        }
        XCTAssertEqual(names.count, 17)
    }

    func testRandomStepsFollowTheirSeedAndStatistics() throws {
        let pipeline = Pipeline([.flip(axes: [0], probability: 0.5), .rotate90(), .noise(stdRange: (0.5, 0.5)), .gamma(probability: 0.3)])
        let base = try sample()
        let a = try pipeline.apply(base, seed: 4), b = try pipeline.apply(base, seed: 4), c = try pipeline.apply(base, seed: 5)
        XCTAssertEqual(a.image.data.scalars(), b.image.data.scalars(), "a seed fixes the result")
        XCTAssertNotEqual(a.image.data.scalars(), c.image.data.scalars())
        // Noise of standard deviation 0.5 on a constant image.
        let flat = Sample(image: try MedicalImage(data: try Tensor.full([1, 40, 40, 20], 3)))
        let noisy = try Pipeline([.noise(stdRange: (0.5, 0.5))]).apply(flat, seed: 1).image.data
        XCTAssertEqual(try noisy.mean().item(), 3, accuracy: 0.01)
        XCTAssertEqual(try noisy.std().item(), 0.5, accuracy: 0.01)
        // A flip with probability 0.5 flips about half the samples.
        var flips = 0
        let ramp = Sample(image: try MedicalImage(data: try Tensor.arange(0, 4).reshape([1, 4])))
        for seed in 0..<400 where try Pipeline([.flip(axes: [0], probability: 0.5)]).apply(ramp, seed: UInt64(seed)).image.data.scalars()[0] == 3 { flips += 1 }
        XCTAssertEqual(Double(flips) / 400, 0.5, accuracy: 0.08)
        // Rotations keep the label with its image.
        let turned = try Pipeline([.rotate90(axes: (0, 1))]).apply(base, seed: 2)
        XCTAssertEqual(Set(turned.label!.data.scalars()), Set(base.label!.data.scalars()))
        XCTAssertEqual(turned.image.data.count, base.image.data.count)
        XCTAssertTrue(pipeline.description.hasPrefix("1. flip(axes: [0]) (p = 0.5)\n2. rotate90"), pipeline.description)
    }

    func testClippingToPercentiles() throws {
        let ramp = Sample(image: try MedicalImage(data: try Tensor.arange(0, 101).reshape([1, 101])))
        let clipped = try Pipeline([.clip(percentiles: (10, 90))]).apply(ramp).image.data.scalars()
        XCTAssertEqual(clipped.min(), 10); XCTAssertEqual(clipped.max(), 90); XCTAssertEqual(clipped[50], 50)
        XCTAssertThrowsError(try Pipeline([.clip(percentiles: (90, 10))]).apply(ramp))
    }

    func testCroppingAndResampling() throws {
        let values = (0..<64).map { i -> Float in (2..<5).contains(i / 8) && (3..<6).contains(i % 8) ? 1 : 0 }
        let image = try MedicalImage(data: try Tensor(values, shape: [1, 8, 8]), spacing: [1, 2])
        let cropped = try Pipeline([.cropToNonzero()]).apply(Sample(image: image, label: image))
        XCTAssertEqual(cropped.image.shape, [3, 3]); XCTAssertEqual(cropped.label?.shape, [3, 3])
        let resampled = try Pipeline([.resample(spacing: [0.5, 1])]).apply(Sample(image: image, label: image))
        XCTAssertEqual(resampled.image.shape, [16, 16]); XCTAssertEqual(resampled.image.spacing, [0.5, 1])
        XCTAssertEqual(Set(resampled.label!.data.scalars()), [0, 1], "labels stay labels (nearest)")
    }

    func assertClose(_ a: [Double], _ b: [Double], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, label, file: file, line: line)
        let scale = b.map { Swift.abs($0) }.max() ?? 1
        for (x, y) in zip(a, b) where Swift.abs(x - y) > 1e-4 * scale + 1e-5 { return XCTFail("\(label): \(x) vs \(y)", file: file, line: line) }
    }
}

extension TransformTests {
    func testOneHotWithUnionsAndBack() throws {
        let label = try Tensor([0, 1, 2, 3, 1, 0], shape: [1, 1, 2, 3])
        let classes = try LabelEncoding.parse(["0", "1", "2||3"])
        let encoded = try LabelEncoding.oneHot(label, classes: classes)
        XCTAssertEqual(encoded.shape, [1, 3, 2, 3])
        XCTAssertEqual(try encoded.index([.at(0), .at(2)]).scalars(), [0, 0, 1, 1, 0, 0], "a union class covers both labels")
        XCTAssertEqual(try LabelEncoding.labels(encoded, classes: classes).scalars(), [0, 1, 2, 2, 1, 0])
        XCTAssertEqual(try LabelEncoding.oneHot(try label.index([.at(0)]), classes: classes).shape, [3, 2, 3], "an image's [1, …] label")
        XCTAssertThrowsError(try LabelEncoding.parse(["0", "lesion"])) { XCTAssertTrue("\($0)".contains("\"lesion\"")) }
    }
}

extension TransformTests {
    func testBiasAnisotropySwapsColourAndEqualisation() throws {
        let flat = Sample(image: try MedicalImage(data: try Tensor.full([1, 12, 10, 8], 2)))
        // A bias field is smooth and multiplicative: its log averages near zero over many seeds.
        var logMeans: [Double] = []
        for seed in 0..<40 {
            let biased = try Pipeline([.biasField(coefficient: 0.3, order: 2)]).apply(flat, seed: UInt64(seed)).image.data
            logMeans.append(try (biased / 2).log().mean().item())
        }
        XCTAssertEqual(logMeans.reduce(0, +) / 40, 0, accuracy: 0.1)
        XCTAssertGreaterThan(logMeans.map { Swift.abs($0) }.max()!, 0.01, "it changes the image")
        // Anisotropy keeps the shape and blurs a ramp by no more than its slice thickness.
        let ramp = Sample(image: try MedicalImage(data: try Tensor.arange(0, 64).reshape([1, 64])))
        let thick = try Pipeline([.anisotropy(axes: [0], factor: (4, 4))]).apply(ramp).image.data.scalars()
        XCTAssertEqual(thick.count, 64)
        XCTAssertLessThanOrEqual(zip(thick, 0..<64).map { Swift.abs($0 - Double($1)) }.max()!, 4)
        XCTAssertGreaterThan(zip(thick, 0..<64).map { Swift.abs($0 - Double($1)) }.max()!, 0.5, "and does change it")
        // Swapping patches permutes values.
        let swapped = try Pipeline([.swapPatches(patchSize: [4, 4, 4], count: 5)]).apply(Sample(image: try MedicalImage(data: try Tensor.randn([2, 12, 10, 8]))), seed: 1)
        XCTAssertEqual(swapped.image.data.shape, [2, 12, 10, 8])
        let original = try Tensor.randn([1, 8, 8])
        let permuted = try Pipeline([.swapPatches(patchSize: [2, 2], count: 4)]).apply(Sample(image: try MedicalImage(data: original))).image.data
        XCTAssertEqual(permuted.scalars().sorted(), original.scalars().sorted())
        // Colour.
        let rgba = Sample(image: try MedicalImage(data: try Tensor.full([4, 2, 2], 255)))
        let imagenet = try Pipeline([.rgbaToRGB(), try .normalizeRGB("imagenet")]).apply(rgba).image.data
        XCTAssertEqual(imagenet.shape, [3, 2, 2])
        XCTAssertEqual(try imagenet.index([.at(0), .at(0), .at(0)]).item(), (1 - 0.485) / 0.229, accuracy: 1e-5)
        // Equalisation spreads a skewed histogram towards uniform.
        let skewed = try Tensor.rand([1, 4000]).pow(4)
        let equalized = try Pipeline([.equalize()]).apply(Sample(image: try MedicalImage(data: skewed))).image.data
        XCTAssertEqual(try equalized.mean().item(), 0.5, accuracy: 0.05)
        XCTAssertLessThan(try skewed.mean().item(), 0.25)
    }
}

extension TransformTests {
    func testAffineAndElasticWarps() throws {
        let data = try Tensor.arange(0, 25).reshape([1, 5, 5])
        let sample = Sample(image: try MedicalImage(data: data), label: try MedicalImage(data: data))
        let identity = try Pipeline([.affine(degrees: 0, scale: (1, 1))]).apply(sample)
        XCTAssertEqual(identity.image.data.scalars(), data.scalars())
        let turned = try Pipeline([.affine(degrees: 90, scale: (1, 1))]).apply(sample, seed: 0).image.data.scalars()
        XCTAssertEqual(turned[12], 12, accuracy: 1e-4, "a rotation about the centre keeps it")
        // Scale 2 zooms in about the centre.
        let zoomed = try Pipeline([.affine(degrees: 0, scale: (2, 2))]).apply(sample).image.data.scalars()
        XCTAssertEqual(zoomed[12], 12, accuracy: 1e-4)
        XCTAssertEqual(zoomed[0], 6, accuracy: 1e-4, "the corner now shows voxel (1, 1)")
        // Elastic deformation keeps labels as labels and moves voxels by at most the bound.
        let warped = try Pipeline([.elastic(controlPoints: 4, maxDisplacement: 1)]).apply(sample, seed: 3)
        XCTAssertTrue(Set(warped.label!.data.scalars()).isSubset(of: Set(data.scalars()).union([0])))
        XCTAssertNotEqual(warped.image.data.scalars(), data.scalars())
        XCTAssertLessThan(try (warped.image.data - data).abs().mean().item(), 5, "displacements of at most one voxel move values little")
    }
}

extension TransformTests {
    func testKSpaceArtefacts() throws {
        let image = try Phantom(dimension: 2, size: 32).subject(0).image
        let sample = Sample(image: image)
        // The Fourier transform and its inverse give the image back.
        let values = try image.data.contiguous().floats()
        let roundTrip = try Pipeline([.ghosting(ghosts: (4, 4), intensity: (0, 0), axes: [0])]).apply(sample).image.data.floats()
        XCTAssertLessThan(zip(roundTrip, values).map { Swift.abs($0 - $1) }.max()!, 1e-4, "k-space and back, unchanged")
        // Ghosting keeps the mean (the k-space centre is untouched) and adds structure.
        let ghosted = try Pipeline([.ghosting(ghosts: (4, 4), intensity: (1, 1), axes: [0])]).apply(sample).image.data
        XCTAssertEqual(try ghosted.mean().item(), try image.data.mean().item(), accuracy: 1e-4)
        XCTAssertGreaterThan(try (ghosted - image.data).abs().mean().item(), 1e-3)
        // A spike stripes the whole image: nearly every voxel changes.
        let spiked = try Pipeline([.spikes(count: (1, 1), intensity: (1, 1))]).apply(sample, seed: 2).image.data
        let changed = try (spiked - image.data).abs().gt(1e-3).to(.float32).mean().item()
        XCTAssertGreaterThan(changed, 0.8)
        // Motion without movement is the identity.
        let still = try Pipeline([.motion(degrees: 0, translation: 0, transforms: 2)]).apply(sample).image.data
        assertClose(still.scalars(), try image.data.scalars(), "motion without motion")
        let moved = try Pipeline([.motion(degrees: 10, translation: 3, transforms: 2)]).apply(sample, seed: 1).image.data
        XCTAssertEqual(moved.shape, image.data.shape)
        XCTAssertGreaterThan(try (moved - image.data).abs().mean().item(), 1e-3)
    }
}

extension TransformTests {
    func testColourStepsAndHistogramMatching() throws {
        let rgb = try PlanarImage.read(URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/rgb.png").path)
        let sample = Sample(image: rgb)
        let unchanged = try Pipeline([.colourJitter(brightness: 0, contrast: 0, saturation: 0, hue: 0)]).apply(sample).image.data
        assertClose(unchanged.scalars(), rgb.data.scalars(), "jitter of strength 0")
        let jittered = try Pipeline([.colourJitter()]).apply(sample, seed: 3).image.data
        XCTAssertGreaterThan(try (jittered - rgb.data).abs().mean().item(), 0.5)
        XCTAssertLessThanOrEqual(try jittered.max().item(), 255); XCTAssertGreaterThanOrEqual(try jittered.min().item(), 0)
        // A gray pixel has no hue to turn.
        let grayImage = Sample(image: try MedicalImage(data: try Tensor.full([3, 2, 2], 120)))
        assertClose(try Pipeline([.colourJitter(brightness: 0, contrast: 0, saturation: 0, hue: 0.4)]).apply(grayImage, seed: 1).image.data.scalars(),
                    [Double](repeating: 120, count: 12), "gray stays gray")
        // Stain deconvolution and recomposition without perturbation is the identity (for non-black pixels).
        let bright = Sample(image: try MedicalImage(data: try rgb.data.clamp(min: 1)))
        let restained = try Pipeline([.stainAugmentation(sigma: 0, bias: 0)]).apply(bright).image.data
        assertClose(restained.scalars(), bright.image.data.scalars(), "H&E round trip")
        let stained = try Pipeline([.stainAugmentation(sigma: 0.2, bias: 0.2)]).apply(bright, seed: 2).image.data
        XCTAssertGreaterThan(try (stained - bright.image.data).abs().mean().item(), 0.5)
        // Matching to a reference gives the reference's distribution.
        let source = try MedicalImage(data: try Tensor.randn([1, 50])), reference = try MedicalImage(data: try Tensor.rand([1, 50]) * 10 + 5)
        let matched = try Pipeline([.matchHistogram(to: reference)]).apply(Sample(image: source)).image.data
        assertClose(matched.scalars().sorted(), reference.data.scalars().sorted(), "matched distribution")
        let order = source.data.scalars().indices.sorted { source.data.scalars()[$0] < source.data.scalars()[$1] }
        XCTAssertEqual(order, matched.scalars().indices.sorted { matched.scalars()[$0] < matched.scalars()[$1] }, "and keeps the order")
    }
}

extension TransformTests {
    func testAdaptiveEqualisationRaisesLocalContrast() throws {
        // Two halves of different brightness, each with faint texture: CLAHE stretches each.
        var values = [Float]()
        for x in 0..<64 { for y in 0..<64 { values.append((x < 32 ? 0.2 : 0.8) + 0.02 * Float((x * 7 + y * 13) % 5)) } }
        let image = try MedicalImage(data: try Tensor(values, shape: [1, 64, 64]))
        let out = try Pipeline([.adaptiveEqualize(tiles: 4, clipLimit: 40)]).apply(Sample(image: image)).image.data
        let left = try out.index([.at(0), .slice(start: 4, stop: 28, step: nil)]), before = try image.data.index([.at(0), .slice(start: 4, stop: 28, step: nil)])
        XCTAssertGreaterThan(try left.std().item(), 2 * (try before.std().item()), "the dark half's texture is stretched")
        XCTAssertEqual(out.shape, [1, 64, 64])
        XCTAssertGreaterThanOrEqual(try out.min().item(), 0.2 - 1e-4); XCTAssertLessThanOrEqual(try out.max().item(), 0.88 + 1e-4)
    }
}
