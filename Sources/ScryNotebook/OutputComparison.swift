import CGD
import Foundation

/// How `scry replay --check` decides that a new output matches the stored one: text equal
/// except numbers, which agree within relative 1e-4 (absolute 1e-6); images of the same size
/// whose mean absolute pixel difference is at most 1%; errors of the same name.
public enum OutputComparison {
    /// nil when the outputs match, else a readable description of the first difference.
    public static func difference(stored: [NotebookOutput], new: [NotebookOutput]) -> String? {
        guard stored.count == new.count else {
            return "expected \(stored.count) output(s), got \(new.count):\n" + describe(stored, "stored") + describe(new, "new")
        }
        for (index, (a, b)) in zip(stored, new).enumerated() {
            if let problem = difference(a, b) { return "output \(index + 1): \(problem)" }
        }
        return nil
    }

    private static func describe(_ outputs: [NotebookOutput], _ label: String) -> String {
        outputs.map { "  \(label): \(summary($0))\n" }.joined()
    }

    private static func summary(_ output: NotebookOutput) -> String {
        switch output {
        case let .stream(name, text): return "\(name) \(text.debugDescription)"
        case let .executeResult(_, data, _): return "result \((data["text/plain"] ?? "").debugDescription)"
        case .displayData: return "display"
        case let .error(name, value, _): return "\(name): \(value)"
        }
    }

    private static func difference(_ a: NotebookOutput, _ b: NotebookOutput) -> String? {
        switch (a, b) {
        case let (.stream(n1, t1), .stream(n2, t2)):
            if n1 != n2 { return "stream \(n1) became \(n2)" }
            return textDifference(t1, t2)
        case let (.executeResult(_, d1, _), .executeResult(_, d2, _)):
            return bundleDifference(d1, d2)
        case let (.displayData(d1, _), .displayData(d2, _)):
            return bundleDifference(d1, d2)
        case let (.error(n1, _, _), .error(n2, _, _)):
            return n1 == n2 ? nil : "error \(n1) became \(n2)"
        default:
            return "\(summary(a)) became \(summary(b))"
        }
    }

    private static func bundleDifference(_ a: [String: String], _ b: [String: String]) -> String? {
        if let png1 = a["image/png"], let png2 = b["image/png"] { return imageDifference(png1, png2) }
        if (a["image/png"] == nil) != (b["image/png"] == nil) { return "an image appeared or disappeared" }
        return textDifference(a["text/plain"] ?? "", b["text/plain"] ?? "")
    }

    /// Compares texts token by token: numbers within tolerance, everything else exactly.
    static func textDifference(_ stored: String, _ new: String) -> String? {
        let x = tokens(stored), y = tokens(new)
        var same = x.count == y.count
        if same {
            for (u, v) in zip(x, y) {
                switch (u, v) {
                case let (.number(p), .number(q)):
                    if !(p.isNaN && q.isNaN) && !(p == q) && (!p.isFinite || !q.isFinite || Swift.abs(p - q) > 1e-4 * Swift.abs(p) + 1e-6) {
                        same = false
                    }
                case let (.text(p), .text(q)):
                    if p != q { same = false }
                default:
                    same = false
                }
                if !same { break }
            }
        }
        if same { return nil }
        return "text differs\n--- stored\n\(stored)\n+++ new\n\(new)"
    }

    private enum Token { case number(Double), text(String) }

    private static func tokens(_ text: String) -> [Token] {
        var result: [Token] = []
        let scalars = Array(text.unicodeScalars)
        var i = 0
        var pending = ""
        func isDigit(_ k: Int) -> Bool { k < scalars.count && ("0"..."9").contains(scalars[k]) }
        while i < scalars.count {
            // A number: optional sign (not after a letter or digit), digits, fraction, exponent.
            let signed = (scalars[i] == "-" || scalars[i] == "+") && isDigit(i + 1)
            let previousIsWord = i > 0 && (scalars[i - 1].properties.isAlphabetic || isDigit(i - 1) || scalars[i - 1] == "_")
            if (isDigit(i) || signed) && !previousIsWord {
                var j = signed ? i + 1 : i
                while isDigit(j) { j += 1 }
                if j < scalars.count, scalars[j] == ".", isDigit(j + 1) { j += 1; while isDigit(j) { j += 1 } }
                if j < scalars.count, scalars[j] == "e" || scalars[j] == "E" {
                    var k = j + 1
                    if k < scalars.count, scalars[k] == "-" || scalars[k] == "+" { k += 1 }
                    if isDigit(k) { j = k; while isDigit(j) { j += 1 } }
                }
                let literal = String(String.UnicodeScalarView(scalars[i..<j]))
                if let value = Double(literal) {
                    if !pending.isEmpty { result.append(.text(pending)); pending = "" }
                    result.append(.number(value))
                    i = j
                    continue
                }
            }
            pending.unicodeScalars.append(scalars[i])
            i += 1
        }
        if !pending.isEmpty { result.append(.text(pending)) }
        return result
    }

    /// Decodes both PNGs (through libgd) and compares sizes and mean absolute difference.
    static func imageDifference(_ stored: String, _ new: String) -> String? {
        guard let a = RGBImage(base64PNG: stored), let b = RGBImage(base64PNG: new) else {
            return "an image could not be decoded as PNG"
        }
        guard a.width == b.width, a.height == b.height else {
            return "image size \(a.width)×\(a.height) became \(b.width)×\(b.height)"
        }
        var total = 0
        for (p, q) in zip(a.pixels, b.pixels) { total += Swift.abs(Int(p) - Int(q)) }
        let mean = Double(total) / Double(max(a.pixels.count, 1)) / 255
        return mean <= 0.01 ? nil : String(format: "images differ by %.2f%% (mean absolute pixel difference; at most 1%% allowed)", mean * 100)
    }
}

/// An RGB raster decoded from PNG through libgd.
struct RGBImage {
    let width: Int, height: Int
    /// R, G, B bytes, row by row.
    let pixels: [UInt8]

    init?(base64PNG: String) {
        guard var data = Data(base64Encoded: base64PNG), !data.isEmpty else { return nil }
        let count = Int32(data.count)
        guard let image = data.withUnsafeMutableBytes({ gdImageCreateFromPngPtr(count, $0.baseAddress) }) else { return nil }
        defer { gdImageDestroy(image) }
        width = Int(image.pointee.sx)
        height = Int(image.pointee.sy)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let color = gdImageGetTrueColorPixel(image, Int32(x), Int32(y))
                bytes += [UInt8((color >> 16) & 0xFF), UInt8((color >> 8) & 0xFF), UInt8(color & 0xFF)]
            }
        }
        pixels = bytes
    }
}
