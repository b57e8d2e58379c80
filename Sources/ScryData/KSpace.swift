import CFFTW
import Foundation
import ScryTensor

/// MRI artefacts made in k-space through FFTW, as TorchIO makes them: ghosting (every n-th
/// plane of k-space along an axis damped), spikes (bright points added to k-space) and motion
/// (k-space assembled from moved copies of the image).
enum KSpace {
    /// FFTW's planner is not thread-safe; loaders transform on background threads.
    static let planner = NSLock()

    /// The n-d discrete Fourier transform of a real volume (forward) or the inverse of a
    /// spectrum (backward, normalised), as interleaved complex values.
    static func transform(_ values: [Float], shape: [Int], forward: Bool, complexInput: Bool = false) -> [Float] {
        let count = shape.reduce(1, *)
        let input = fftwf_alloc_complex(count)!, output = fftwf_alloc_complex(count)!
        defer { fftwf_free(input); fftwf_free(output) }
        let inFloats = UnsafeMutableRawPointer(input).assumingMemoryBound(to: Float.self)
        let outFloats = UnsafeMutableRawPointer(output).assumingMemoryBound(to: Float.self)
        for i in 0..<count {
            inFloats[2 * i] = complexInput ? values[2 * i] : values[i]
            inFloats[2 * i + 1] = complexInput ? values[2 * i + 1] : 0
        }
        planner.lock()
        let dims = shape.map { Int32($0) }
        let plan = fftwf_plan_dft(Int32(shape.count), dims, input, output, forward ? FFTW_FORWARD : FFTW_BACKWARD, UInt32(FFTW_ESTIMATE))
        planner.unlock()
        fftwf_execute(plan)
        planner.lock()
        fftwf_destroy_plan(plan)
        planner.unlock()
        let scale: Float = forward ? 1 : 1 / Float(count)
        return (0..<(2 * count)).map { outFloats[$0] * scale }
    }

    /// Applies `edit` to each channel's spectrum and returns the real part of the result.
    static func edit(_ image: Tensor, _ edit: (inout [Float], [Int]) -> Void) throws -> Tensor {
        let shape = Array(image.shape.dropFirst()), volume = shape.reduce(1, *)
        let values = try image.contiguous().floats()
        var result = [Float](repeating: 0, count: values.count)
        for c in 0..<image.shape[0] {
            var spectrum = transform(Array(values[(c * volume)..<((c + 1) * volume)]), shape: shape, forward: true)
            edit(&spectrum, shape)
            let back = transform(spectrum, shape: shape, forward: false, complexInput: true)
            for i in 0..<volume { result[c * volume + i] = back[2 * i] }
        }
        return try Tensor(result, shape: image.shape)
    }

}

extension Transform {
    /// Every n-th plane of the (centred) k-space along an axis damped by `intensity`, the
    /// central plane kept, as TorchIO's Ghosting does; `ghosting(ghosts:…)` draws n, the axis and
    /// the intensity (RandomGhosting).
    public static func ghosting(every: Int, axis: Int, intensity: Double) -> Transform {
        Transform("ghosting(every: \(every), axis: \(axis), intensity: \(intensity))") { sample, _ in
            guard every >= 1 else { throw TensorError.invalidArgument(op: "ghosting", "ghost spacing must be at least 1, got \(every)") }
            guard axis >= 0, axis < sample.image.shape.count else { throw TensorError.invalidAxis(op: "ghosting", axis: axis, rank: sample.image.shape.count) }
            let damping = Float(1 - intensity)
            sample.image.data = try KSpace.edit(sample.image.data) { spectrum, shape in
                let n = shape[axis], stride = shape[(axis + 1)...].reduce(1, *)
                for i in 0..<(spectrum.count / 2) {
                    let position = (i / stride) % n
                    // The plane's index once the spectrum is centred (fftshift).
                    let centred = (position + n / 2) % n
                    if centred % every == 0 && position != 0 {
                        spectrum[2 * i] *= damping; spectrum[2 * i + 1] *= damping
                    }
                }
            }
        }
    }

    public static func ghosting(ghosts: (Int, Int) = (4, 10), intensity: (Double, Double) = (0.5, 1), axes: [Int] = [0, 1, 2],
                                probability: Double = 1) -> Transform {
        Transform("ghosting(ghosts: [\(ghosts.0), \(ghosts.1)], intensity: [\(intensity.0), \(intensity.1)])", probability: probability) { sample, random in
            let dims = sample.image.shape.count, usable = axes.filter { $0 >= 0 && $0 < dims }
            guard !usable.isEmpty else { return }
            let axis = usable[Int(random.next() % UInt64(usable.count))]
            let every = ghosts.0 + Int(random.next() % UInt64(Swift.max(1, ghosts.1 - ghosts.0 + 1)))
            let strength = intensity.0 + (intensity.1 - intensity.0) * Double(random.nextUniform())
            try ghosting(every: every, axis: axis, intensity: strength).body(&sample, &random)
        }
    }

    /// Spikes at given positions of the centred k-space (fractions 0…1 per axis), each adding
    /// `intensity` times the spectrum's largest element (largest real part, as NumPy orders
    /// complex numbers), as TorchIO's Spike does; `spikes(count:…)` draws them (RandomSpike).
    public static func spikes(positions: [[Double]], intensity: Double) -> Transform {
        Transform("spikes(positions: \(positions), intensity: \(intensity))") { sample, _ in
            let shape = sample.image.shape
            guard positions.allSatisfy({ $0.count == shape.count }) else {
                throw TensorError.invalidArgument(op: "spikes", "each spike position needs \(shape.count) coordinates")
            }
            sample.image.data = try KSpace.edit(sample.image.data) { spectrum, shape in
                let total = shape.reduce(1, *)
                var peak = 0
                for i in 1..<total where spectrum[2 * i] > spectrum[2 * peak] || (spectrum[2 * i] == spectrum[2 * peak] && spectrum[2 * i + 1] > spectrum[2 * peak + 1]) {
                    peak = i
                }
                // TorchIO adds the peak's real part only (its complex value is cast to real).
                let re = spectrum[2 * peak] * Float(intensity)
                for position in positions {
                    // The centred index floor(p·n), back to FFTW's layout (zero frequency first).
                    var index = 0
                    for axis in 0..<shape.count {
                        let n = shape[axis], centred = Swift.min(n - 1, Int((position[axis] * Double(n)).rounded(.down)))
                        index = index * n + ((centred - n / 2) % n + n) % n
                    }
                    spectrum[2 * index] += re
                }
            }
        }
    }

    public static func spikes(count: (Int, Int) = (1, 1), intensity: (Double, Double) = (1, 3), probability: Double = 1) -> Transform {
        Transform("spikes(count: [\(count.0), \(count.1)], intensity: [\(intensity.0), \(intensity.1)])", probability: probability) { sample, random in
            let n = Swift.max(0, count.0) + Int(random.next() % UInt64(Swift.max(1, count.1 - count.0 + 1)))
            let strength = intensity.0 + (intensity.1 - intensity.0) * Double(random.nextUniform())
            let positions = (0..<n).map { _ in sample.image.shape.map { _ in Double(random.nextUniform()) } }
            try spikes(positions: positions, intensity: strength).body(&sample, &random)
        }
    }

    /// Motion during acquisition, as TorchIO's Motion makes it: the image resampled through
    /// each rigid move (degrees about x, y, z and a shift in mm, about the first voxel, as
    /// TorchIO's transforms end up), the k-space planes along the last axis taken from the moves
    /// in turn (the move starting after half the acquisition holding the centre), and the real
    /// part of the result. `times` (0…1, ascending) are when each move starts.
    public static func motion(rotations: [[Double]], translations: [[Double]], times: [Double]) -> Transform {
        Transform("motion(rotations: \(rotations), translations: \(translations), times: \(times))") { sample, _ in
            let original = sample.image.shape
            guard original.count == 2 || original.count == 3, rotations.count == times.count, translations.count == times.count,
                  rotations.allSatisfy({ $0.count == 3 }), translations.allSatisfy({ $0.count == 3 }) else {
                throw TensorError.invalidArgument(op: "motion", "one rotation (3 angles), translation (3 mm) and time per move, on a 2D or 3D image")
            }
            let shape = original.count == 2 ? original + [1] : original
            let spacing = original.count == 2 ? sample.image.spacing + [1] : sample.image.spacing
            let volumeData = try sample.image.data.reshape([sample.image.channels] + shape)
            var copies = [volumeData]
            for (angles, shift) in zip(rotations, translations) {
                // ITK's Euler rotation, from LPS to x, y, z voxel axes: the turns about x and y, and
                // the shifts along them, change sign.
                let matrix = eulerMatrix([-angles[0], -angles[1], angles[2]])
                let t = [-shift[0], -shift[1], shift[2]]
                let positions = grid(shape).map { voxel -> [Double] in
                    let point: [Double] = (0..<3).map { voxel[$0] * spacing[$0] }
                    return (0..<3).map { r -> Double in ((0..<3).reduce(0) { $0 + matrix[r][$1] * point[$1] } + t[r]) / spacing[r] }
                }
                copies.append(try resample(volumeData, positions, nearest: false))
            }
            // The move under way at half the acquisition fills the centre of k-space.
            let centre = (times.firstIndex { $0 > 0.5 }) ?? copies.count - 1
            copies.swapAt(0, centre)
            let depth = shape[2], volume = shape.reduce(1, *)
            let bounds = times.map { Int(Double(depth) * $0) } + [depth]
            var result = [Float](repeating: 0, count: volumeData.count)
            let planes = try copies.map { try $0.contiguous().floats() }
            for c in 0..<sample.image.channels {
                let spectra = planes.map { KSpace.transform(Array($0[(c * volume)..<((c + 1) * volume)]), shape: shape, forward: true) }
                var combined = spectra[0]
                for i in 0..<volume {
                    // The plane's index along the last axis once the spectrum is centred.
                    let z = ((i % depth) + depth / 2) % depth
                    var source = 0, start = 0
                    for (k, end) in bounds.enumerated() { if z >= start && z < end { source = k; break }; start = end }
                    combined[2 * i] = spectra[source][2 * i]; combined[2 * i + 1] = spectra[source][2 * i + 1]
                }
                let back = KSpace.transform(combined, shape: shape, forward: false, complexInput: true)
                for i in 0..<volume { result[c * volume + i] = back[2 * i] }
            }
            sample.image.data = try Tensor(result, shape: sample.image.data.shape)
        }
    }

    /// Motion with `transforms` random moves (± degrees, ± translation mm) at random times.
    public static func motion(degrees: Double = 10, translation: Double = 10, transforms: Int = 2, probability: Double = 1) -> Transform {
        Transform("motion(degrees: \(degrees), translation: \(translation), transforms: \(transforms))", probability: probability) { sample, random in
            func draw(_ bound: Double) -> Double { bound * (2 * Double(random.nextUniform()) - 1) }
            let n = Swift.max(1, transforms)
            let rotations = (0..<n).map { _ in (0..<3).map { _ in draw(degrees) } }
            let translations = (0..<n).map { _ in (0..<3).map { _ in draw(translation) } }
            let times = (0..<n).map { _ in Double(random.nextUniform()) }.sorted()
            try motion(rotations: rotations, translations: translations, times: times).body(&sample, &random)
        }
    }
}
