import CBLAS
import Foundation
import ScryTensor

/// The tensor library's benchmark: matmul overhead over a raw sgemm call, and element-wise
/// ops and reductions on 16M elements against NumPy in the same run.
func benchTensors() throws {
    let n = 1024
    let a = try Tensor.randn([n, n]), b = try Tensor.randn([n, n])
    let raw = try a.floats(), rawB = try b.floats()
    var c = [Float](repeating: 0, count: n * n)
    let sgemm = medianSeconds {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1,
                    raw, Int32(n), rawB, Int32(n), 0, &c, Int32(n))
    }
    let ours = try medianSeconds { _ = try a.matmul(b) }
    let flops = 2.0 * Double(n * n * n)
    emit(["workload": "matmul_1024", "seconds": rounded(ours), "sgemm_seconds": rounded(sgemm),
          "overhead_percent": rounded((ours / sgemm - 1) * 100), "gflops": rounded(flops / ours / 1e9),
          "threads": Threads.count])

    let peer = runPeer(benchPath("peers/numpy_ops.py"))
    let count = 16 * 1024 * 1024
    Random.seed(0)
    let x = try Tensor.randn([count]), y = try Tensor.randn([count])
    let matrix = try x.reshape([4096, 4096])
    let row = try matrix.index([.at(0)])
    let workloads: [(String, () throws -> Tensor)] = [
        ("add_16m", { try x + y }),
        ("mul_16m", { try x * y }),
        ("exp_16m", { try x.exp() }),
        ("tanh_16m", { try x.tanh() }),
        ("relu_16m", { try x.relu() }),
        ("sqrt_16m", { try x.abs().sqrt() }),
        ("broadcast_add_16m", { try matrix + row }),
        ("sum_16m", { try x.sum() }),
        ("mean_rows_16m", { try matrix.mean(axes: [1]) }),
        ("sum_columns_16m", { try matrix.sum(axes: [0]) }),
        ("max_16m", { try x.max() }),
    ]
    for (name, body) in workloads {
        let seconds = try medianSeconds { _ = try body() }
        emit(comparing(["workload": name, "seconds": rounded(seconds), "threads": Threads.count], with: peer[name],
                       missing: "numpy not available: no ratio"))
    }
}

/// A path under bench/, found from this source file so the runner works from any directory.
func benchPath(_ relative: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(relative).path
}
