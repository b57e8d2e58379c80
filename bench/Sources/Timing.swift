import Foundation

/// Median wall-clock seconds of `runs` calls after `warmup` untimed ones (WORKLOADS.md's rule).
func medianSeconds(warmup: Int = 2, runs: Int = 5, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<warmup { try body() }
    var times: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[runs / 2]
}

/// Prints one JSON object per line with sorted keys, so runs diff cleanly.
func emit(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
    fflush(nil)
}

/// Rounds for display: four significant digits are all a timing carries.
func rounded(_ x: Double) -> Double {
    guard x != 0, x.isFinite else { return x }
    let scale = pow(10, 3 - floor(log10(abs(x))))
    return (x * scale).rounded() / scale
}

/// Adds the peer's time and the ratio peer/Scry to a workload's fields (or says why not).
func comparing(_ fields: [String: Any], with peer: [String: Any]?, missing: String) -> [String: Any] {
    var result = fields
    guard let peerSeconds = peer?["seconds"] as? Double, let seconds = fields["seconds"] as? Double else {
        result["peer"] = missing
        return result
    }
    result["peer"] = peer?["peer"] ?? "peer"
    result["peer_seconds"] = rounded(peerSeconds)
    result["ratio"] = rounded(peerSeconds / seconds)
    return result
}
