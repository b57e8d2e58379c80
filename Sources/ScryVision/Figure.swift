import Foundation

extension Picture {
    /// A grid of panels (rows of pictures; nil leaves a cell empty), each under its title, with
    /// an overall title and optionally a colour bar from `low` to `high` on the right; panels are
    /// enlarged by an integer `scale`, and `dpi` is recorded in the PNG.
    public static func figure(_ rows: [[Picture?]], titles: [[String]] = [], title: String = "", colorbar: Colormap? = nil,
                              low: Double = 0, high: Double = 1, scale: Int = 1, dpi: Int? = nil) throws -> Picture {
        let panels = rows.flatMap { $0 }.compactMap { $0 }
        guard !panels.isEmpty else { throw PictureError("figure(): needs at least one picture") }
        guard (1...16).contains(scale) else { throw PictureError("figure(): scale must be 1…16, got \(scale)") }
        let margin = 10, gap = 10, font = Canvas.Font.small, titleFont = Canvas.Font.large
        let cellWidth = panels.map(\.width).max()! * scale, cellHeight = panels.map(\.height).max()! * scale
        let hasTitles = titles.contains { $0.contains { !$0.isEmpty } }
        let labelHeight = hasTitles ? font.size.height + 4 : 0
        let top = margin + (title.isEmpty ? 0 : titleFont.size.height + 8)
        let columns = rows.map(\.count).max() ?? 1
        let gridWidth = columns * cellWidth + (columns - 1) * gap
        let gridHeight = rows.count * (cellHeight + labelHeight) + (rows.count - 1) * gap
        let tickLabels = [high, (low + high) / 2, low].map(Picture.tickLabel)
        let barWidth = colorbar == nil ? 0 : gap + 16 + 4 + tickLabels.map { Canvas.textWidth($0, font: font) }.max()!
        let canvas = try Canvas(width: 2 * margin + Swift.max(gridWidth + barWidth, Canvas.textWidth(title, font: titleFont)),
                                height: top + gridHeight + margin)
        if !title.isEmpty { canvas.text(title, margin, margin, font: titleFont) }
        for (r, row) in rows.enumerated() {
            for (c, panel) in row.enumerated() {
                let x = margin + c * (cellWidth + gap), y = top + r * (cellHeight + labelHeight + gap)
                if r < titles.count, c < titles[r].count { canvas.text(titles[r][c], x, y, font: font) }
                if let panel { canvas.draw(panel, x, y + labelHeight, scale: scale) }
            }
        }
        if let colorbar {
            let x = margin + gridWidth + gap, barTop = top + labelHeight, barHeight = Swift.max(2, gridHeight - labelHeight)
            for i in 0..<barHeight { canvas.fill(x, barTop + i, 16, 1, colorbar.color(1 - Double(i) / Double(barHeight - 1))) }
            canvas.frame(x, barTop, 16, barHeight, (0, 0, 0))
            for (k, label) in tickLabels.enumerated() {
                let y = barTop + k * (barHeight - 1) / 2 - font.size.height / 2
                canvas.text(label, x + 20, Swift.min(Swift.max(y, barTop - 4), barTop + barHeight - font.size.height + 4), font: font)
            }
        }
        var result = canvas.picture(title: title)
        result.dpi = dpi
        return result
    }

    /// A number as an axis or colour-bar label: up to four significant digits, no trailing zeros.
    static func tickLabel(_ value: Double) -> String {
        if value == 0 { return "0" }
        if abs(value) >= 1e5 || abs(value) < 1e-3 { return String(format: "%.2g", value) }
        var text = String(format: "%.4g", value)
        if text.contains("."), !text.contains("e") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
