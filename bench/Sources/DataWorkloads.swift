import Foundation
import ScryData
import ScryTensor

/// Reading a 256×256×160 float32 .nii.gz into a tensor, against nibabel + NumPy reading the same
/// file in the same run.
func benchData() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scry-bench-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("volume.nii.gz").path
    Random.seed(0)
    // A smooth volume with noise compresses as real scans do (random noise alone would not).
    let ramp = try Tensor.arange(0, 256 * 256 * 160).reshape([1, 256, 256, 160]) / Double(256 * 256 * 160)
    let volume = try ramp * 1000 + Tensor.randn([1, 256, 256, 160]) * 20
    try NIfTI.write(try MedicalImage(data: volume, spacing: [1, 1, 1.5]), to: path)
    let seconds = try medianSeconds { _ = try NIfTI.read(path) }
    let peer = runPeer(benchPath("peers/nibabel_load.py"), arguments: [path])
    emit(comparing(["workload": "nifti_load", "seconds": rounded(seconds), "threads": Threads.count,
                    "megavoxels_per_second": rounded(256 * 256 * 160 / seconds / 1e6)],
                   with: peer["nifti_load"], missing: "nibabel not installed (pip install nibabel)"))
}
