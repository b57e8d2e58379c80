import Foundation

/// Line charts, histograms and bar charts drawn with libgd: axes with ticks at round numbers,
/// axis labels, a title and a legend; series in the label palette's colours.
public enum Chart {
    /// One line of a line chart.
    public struct Series {
        public let name: String, x: [Double], y: [Double]
        public init(name: String, x: [Double], y: [Double]) { self.name = name; self.x = x; self.y = y }
    }

    /// Several series against a shared x axis, with a legend when they have names.
    public static func lines(_ series: [Series], title: String = "", xLabel: String = "", yLabel: String = "",
                             width: Int = 640, height: Int = 400, dpi: Int? = nil) throws -> Picture {
        let points = series.flatMap { zip($0.x, $0.y) }.filter { $0.0.isFinite && $0.1.isFinite }
        guard !points.isEmpty else { throw PictureError("plot(): no finite points to draw") }
        if let bad = series.first(where: { $0.x.count != $0.y.count }) {
            throw PictureError("plot(): series \"\(bad.name)\" has \(bad.x.count) x values and \(bad.y.count) y values")
        }
        let axes = try Axes(width: width, height: height, x: range(points.map(\.0)), y: range(points.map(\.1)),
                            title: title, xLabel: xLabel, yLabel: yLabel)
        for (k, line) in series.enumerated() {
            let color = Colormap.label(k + 1)
            let visible = zip(line.x, line.y).filter { $0.0.isFinite && $0.1.isFinite }.map(axes.point)
            for (a, b) in zip(visible, visible.dropFirst()) { axes.canvas.line(a.0, a.1, b.0, b.1, color, thickness: 2) }
            if visible.count == 1 { axes.canvas.fill(visible[0].0 - 2, visible[0].1 - 2, 5, 5, color) }
        }
        if series.contains(where: { !$0.name.isEmpty }) { axes.legend(series.map(\.name)) }
        return axes.picture(title, dpi: dpi)
    }

    /// Bars of heights `values` over the intervals between consecutive `edges`.
    public static func histogram(edges: [Double], counts: [Double], title: String = "", xLabel: String = "", yLabel: String = "count",
                                 width: Int = 640, height: Int = 400, dpi: Int? = nil) throws -> Picture {
        guard edges.count == counts.count + 1, !counts.isEmpty else { throw PictureError("histogram(): needs one more edge than counts") }
        let axes = try Axes(width: width, height: height, x: (edges.first!, edges.last!), y: (0, Swift.max(counts.max()!, 1)),
                            title: title, xLabel: xLabel, yLabel: yLabel)
        for (i, count) in counts.enumerated() where count > 0 {
            let (left, top) = axes.point(edges[i], count), (right, bottom) = axes.point(edges[i + 1], 0)
            axes.canvas.fill(left, top, Swift.max(1, right - left), bottom - top + 1, Colormap.label(1))
        }
        return axes.picture(title, dpi: dpi)
    }

    /// One bar per label.
    public static func bars(labels: [String], values: [Double], title: String = "", yLabel: String = "",
                            width: Int = 640, height: Int = 400, dpi: Int? = nil) throws -> Picture {
        guard labels.count == values.count, !values.isEmpty, values.allSatisfy(\.isFinite) else {
            throw PictureError("bar_chart(): needs as many finite values as labels, at least one")
        }
        let axes = try Axes(width: width, height: height, x: (0, Double(values.count)), y: range(values + [0]),
                            title: title, xLabel: "", yLabel: yLabel, xTicks: false)
        for (i, value) in values.enumerated() {
            let (left, top) = axes.point(Double(i) + 0.15, Swift.max(value, 0)), (right, bottom) = axes.point(Double(i) + 0.85, Swift.min(value, 0))
            axes.canvas.fill(left, top, Swift.max(1, right - left), Swift.max(1, bottom - top), Colormap.label(i + 1))
            let label = labels[i], center = axes.point(Double(i) + 0.5, 0).0
            axes.canvas.text(label, center - Canvas.textWidth(label) / 2, axes.bottom + 6)
        }
        return axes.picture(title, dpi: dpi)
    }

    /// A data range widened when empty, so that axes always span something.
    public static func range(_ values: [Double]) -> (Double, Double) {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return (0, 1) }
        if low == high { return (low - Swift.max(0.5, abs(low) * 0.01), high + Swift.max(0.5, abs(high) * 0.01)) }
        return (low, high)
    }

    /// The tick spacing: 1, 2 or 5 × 10ᵏ, about five across the range.
    static func tickStep(_ low: Double, _ high: Double) -> Double {
        let (mantissa, exponent) = tickMantissa(low, high)
        return exponent < 0 ? Double(mantissa) / pow(10, Double(-exponent)) : Double(mantissa) * pow(10, Double(exponent))
    }

    private static func tickMantissa(_ low: Double, _ high: Double) -> (Int, Int) {
        let raw = (high - low) / 5
        guard raw > 0, raw.isFinite else { return (1, 0) }
        let exponent = Int(floor(log10(raw)))
        return ([1, 2, 5, 10].first { Double($0) * pow(10, Double(exponent)) >= raw } ?? 10, exponent)
    }

    /// The ticks inside a range, each a multiple of the step computed so that 0.6 is 0.6
    /// (6 / 10, not 3 × 0.2).
    static func ticks(_ low: Double, _ high: Double) -> [Double] {
        let (mantissa, exponent) = tickMantissa(low, high)
        func value(_ k: Int) -> Double {
            exponent < 0 ? Double(k * mantissa) / pow(10, Double(-exponent)) : Double(k * mantissa) * pow(10, Double(exponent))
        }
        let step = value(1)
        let first = (low / step - 1e-9).rounded(.up), last = (high / step + 1e-9).rounded(.down)
        guard first.isFinite, last.isFinite, last - first < 1000, first <= last else { return [] }
        return (Int(first)...Int(last)).map(value)
    }
}

/// The frame of a chart: the plot area inside margins, axes with ticks and labels, and the
/// mapping from data to pixels.
final class Axes {
    let canvas: Canvas
    let left: Int, right: Int, top: Int, bottom: Int
    let x: (Double, Double), y: (Double, Double)

    init(width: Int, height: Int, x: (Double, Double), y: (Double, Double), title: String, xLabel: String, yLabel: String,
         xTicks: Bool = true) throws {
        guard (160...16384).contains(width), (120...16384).contains(height) else {
            throw PictureError("a chart is 160…16384 pixels wide and 120…16384 high, got \(width)×\(height)")
        }
        guard x.1 > x.0, y.1 > y.0, (x.1 - x.0).isFinite, (y.1 - y.0).isFinite else {
            throw PictureError("a chart's values must span a finite, non-empty range, got x \(x.0)…\(x.1) and y \(y.0)…\(y.1)")
        }
        canvas = try Canvas(width: width, height: height)
        let font = Canvas.Font.small
        // The y axis is widened to the ticks just outside the data, so that they sit on the frame.
        let step = Chart.tickStep(y.0, y.1)
        self.x = x
        self.y = (floor(y.0 / step + 1e-9) * step, ceil(y.1 / step - 1e-9) * step)
        let yTicks = Chart.ticks(self.y.0, self.y.1)
        let tickWidth = yTicks.map { Canvas.textWidth(Picture.tickLabel($0), font: font) }.max() ?? 0
        left = 12 + (yLabel.isEmpty ? 0 : font.size.height + 6) + tickWidth
        right = width - 16
        top = title.isEmpty ? 12 : 14 + Canvas.Font.large.size.height
        bottom = height - 10 - font.size.height - (xLabel.isEmpty ? 0 : font.size.height + 4)
        if !title.isEmpty { canvas.text(title, (width - Canvas.textWidth(title, font: .large)) / 2, 6, font: .large) }
        canvas.frame(left, top, right - left + 1, bottom - top + 1, (0, 0, 0))
        for value in yTicks {
            let py = point(self.x.0, value).1
            canvas.line(left - 4, py, left, py, (0, 0, 0))
            canvas.line(left + 1, py, right - 1, py, (230, 230, 230))
            let label = Picture.tickLabel(value)
            canvas.text(label, left - 6 - Canvas.textWidth(label, font: font), py - font.size.height / 2, font: font)
        }
        if xTicks {
            for value in Chart.ticks(x.0, x.1) where value >= x.0 && value <= x.1 {
                let px = point(value, self.y.0).0
                canvas.line(px, bottom, px, bottom + 4, (0, 0, 0))
                let label = Picture.tickLabel(value)
                canvas.text(label, px - Canvas.textWidth(label, font: font) / 2, bottom + 6, font: font)
            }
        }
        if !xLabel.isEmpty { canvas.text(xLabel, (left + right - Canvas.textWidth(xLabel, font: font)) / 2, height - 6 - font.size.height, font: font) }
        if !yLabel.isEmpty { canvas.text(yLabel, 6, (top + bottom + Canvas.textWidth(yLabel, font: font)) / 2, font: font, vertical: true) }
    }

    /// The pixel of a data point.
    func point(_ px: Double, _ py: Double) -> (Int, Int) {
        let fx = x.1 > x.0 ? (px - x.0) / (x.1 - x.0) : 0.5, fy = y.1 > y.0 ? (py - y.0) / (y.1 - y.0) : 0.5
        return (left + Int((fx * Double(right - left)).rounded()), bottom - Int((fy * Double(bottom - top)).rounded()))
    }

    /// Names beside colour swatches in the top-right corner.
    func legend(_ names: [String]) {
        let font = Canvas.Font.small, rowHeight = font.size.height + 2
        let boxWidth = 28 + (names.map { Canvas.textWidth($0, font: font) }.max() ?? 0)
        let x = right - boxWidth - 6, y = top + 6
        canvas.fill(x, y, boxWidth, names.count * rowHeight + 6, (255, 255, 255))
        canvas.frame(x, y, boxWidth, names.count * rowHeight + 6, (160, 160, 160))
        for (k, name) in names.enumerated() {
            let rowTop = y + 3 + k * rowHeight
            canvas.fill(x + 5, rowTop + rowHeight / 2 - 1, 16, 3, Colormap.label(k + 1))
            canvas.text(name, x + 25, rowTop, font: font)
        }
    }

    func picture(_ title: String, dpi: Int?) -> Picture {
        var result = canvas.picture(title: title)
        result.dpi = dpi
        return result
    }
}
