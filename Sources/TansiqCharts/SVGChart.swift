import Foundation

/// Inline SVG charts for self-contained pages (the simulation report, the desk's facts): no
/// script, no external resource. Each series names its own colour, so that a colour means one
/// thing on a page; durations are shown in hours, or in days once a span passes two days; every
/// bar can carry its sample size.
public enum SVGChart {
    /// One bar series: its name in the legend and its colour.
    public struct Series: Sendable {
        public var name: String
        public var colour: String
        public init(_ name: String, colour: String) {
            self.name = name
            self.colour = colour
        }
    }

    /// One group of bars: its label, one value per series, and optionally the sample size.
    public struct Row: Sendable {
        public var label: String
        public var values: [Double]
        public var sampleSize: Int?
        public init(_ label: String, _ values: [Double], sampleSize: Int? = nil) {
            self.label = label
            self.values = values
            self.sampleSize = sampleSize
        }
    }

    /// How values are written: plain numbers, or durations given in hours.
    public enum Scale: Sendable {
        case count
        case hours
    }

    /// Colours with one meaning each across the charts.
    public enum Colour {
        public static let completed = "#2b8a3e"
        public static let failed = "#c92a2a"
        public static let rejected = "#e67700"
        public static let p50 = "#74c0fc"
        public static let p90 = "#1c7ed6"
        public static let p99 = "#0b3d91"
        public static let arrow = "#666"
        /// Arrivals per period (bars) and the backlog (a line) of the time series.
        public static let arrivals = "#adb5bd"
        public static let backlog = "#212529"
        /// A what-if figure: its spread over the seeds (band, ticks) and its mean (dot).
        public static let spread = "#1864ab"
        public static let mean = "#c2255c"
    }

    /// Horizontal grouped bars: one group per row, one bar per series; durations in days when the
    /// longest passes two days; `n` after the label when a row has a sample size.
    public static func bars(_ rows: [Row], series: [Series], scale: Scale = .count, sampleLabel: String = "n") -> String {
        let longest = rows.flatMap(\.values).max() ?? 0
        let duration = DurationUnit(fittingHours: longest)
        let divisor = scale == .hours ? duration.hoursPer : 1.0
        let unit = scale == .count ? "" : " " + duration.symbol
        let maximum = max(longest / divisor, 1e-9)
        let bar = 12, gap = 8, left = 190, plot = 640
        let groupHeight = bar * max(series.count, 1) + gap
        let height = rows.count * groupHeight + 30
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(left + plot + 90)\" height=\(quote(height)) font-size=\"11\" role=\"img\">"
        for (index, item) in series.enumerated() {
            let x = left + index * 100
            svg += "<rect x=\(quote(x)) y=\"2\" width=\"10\" height=\"10\" fill=\(quote(item.colour))/><text x=\(quote(x + 14)) y=\"11\">\(escape(item.name))</text>"
        }
        for (row, item) in rows.enumerated() {
            let top = 22 + row * groupHeight
            let label = item.sampleSize.map { "\(item.label) (\(sampleLabel) \($0))" } ?? item.label
            svg += "<text x=\(quote(left - 6)) y=\(quote(top + groupHeight / 2)) text-anchor=\"end\">\(escape(label))</text>"
            for (index, raw) in item.values.enumerated() {
                let value = raw / divisor
                let width = Int((value / maximum * Double(plot)).rounded())
                let y = top + index * bar
                let colour = index < series.count ? series[index].colour : "#888"
                svg += "<rect x=\(quote(left)) y=\(quote(y)) width=\(quote(width)) height=\(quote(bar - 2)) fill=\(quote(colour))/>"
                svg += "<text x=\(quote(left + width + 4)) y=\(quote(y + bar - 3))>\(number(value))\(unit)</text>"
            }
        }
        return svg + "</svg>"
    }

    /// A node of a directed diagram.
    public struct Node: Sendable {
        public var id: String
        public var colour: String
        public var emphasised: Bool
        public var size: Int
        /// Its name on the diagram, when not its id.
        public var label: String?
        public init(_ id: String, colour: String, emphasised: Bool = false, size: Int = 1, label: String? = nil) {
            self.id = id
            self.label = label
            self.colour = colour
            self.emphasised = emphasised
            self.size = size
        }
    }

    /// Who refers to whom: an arrow from referrer to receiver, labelled with its categories.
    public struct Edge: Sendable {
        public var from: String
        public var to: String
        public var label: String
        public var weight: Double
        public init(from: String, to: String, label: String, weight: Double = 1) {
            self.from = from
            self.to = to
            self.label = label
            self.weight = weight
        }
    }

    /// Nodes on a circle, directed edges as arrows ending at the receiver's circle, each edge
    /// labelled along its length where no other label is (a white halo keeps crossing lines
    /// from striking it through); node names outside the circle, pointing away from it; a
    /// legend of `legend` (name, colour) above. Every arrow's tooltip names both ends.
    public static func directed(_ nodes: [Node], _ edges: [Edge], legend: [(String, String)] = [], title: String = "") -> String {
        let width = 1100.0, height = 800.0, centre = 550.0, middle = 390.0
        let radius = nodes.count <= 2 ? 250.0 : 300.0
        let count = max(nodes.count, 1)
        var position: [String: (Double, Double)] = [:]
        var angleOf: [String: Double] = [:]
        var radiusOf: [String: Double] = [:]
        for (index, node) in nodes.enumerated() {
            let angle = 2 * Double.pi * Double(index) / Double(count) - Double.pi / 2
            position[node.id] = (centre + radius * cos(angle), middle + radius * sin(angle))
            angleOf[node.id] = angle
            radiusOf[node.id] = Double(7 + min(8, node.size * 2))
        }
        var placed: [LabelBox] = []
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height + 20))\" font-size=\"10\" role=\"img\""
        svg += title.isEmpty ? ">" : " aria-label=\(quote(title))><title>\(escape(title))</title>"
        svg += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"9\" markerHeight=\"9\" markerUnits=\"userSpaceOnUse\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"\(Colour.arrow)\"/></marker></defs>"
        for (index, (name, colour)) in legend.enumerated() {
            svg += "<circle cx=\(quote(20 + index * 150)) cy=\"12\" r=\"6\" fill=\(quote(colour))/><text x=\(quote(30 + index * 150)) y=\"16\">\(escape(name))</text>"
        }
        svg += "<g transform=\"translate(0,10)\">"
        // Node names first: edge labels keep clear of them.
        var names = ""
        for node in nodes {
            guard let (x, y) = position[node.id], let angle = angleOf[node.id] else { continue }
            let stroke = node.emphasised ? " stroke=\"#000\" stroke-width=\"3\"" : ""
            let r = radiusOf[node.id] ?? 8
            names += "<circle cx=\(quote(x)) cy=\(quote(y)) r=\(quote(r)) fill=\(quote(node.colour))\(stroke)><title>\(escape(node.id))</title></circle>"
            let (cx, cy) = (cos(angle), sin(angle))
            let anchor = cx < -0.25 ? "end" : (cx > 0.25 ? "start" : "middle")
            let lx = x + cx * (r + 5), ly = y + sy(cy, r)
            let name = node.label ?? node.id
            names += "<text x=\(quote(lx)) y=\(quote(ly)) text-anchor=\(quote(anchor)) font-weight=\"600\" font-size=\"11\">\(escape(name))</text>"
            placed.append(LabelBox(anchor: anchor, x: lx, y: ly, characters: name.count, size: 11))
        }
        let pairs = Set(edges.map { "\($0.from)|\($0.to)" })
        let heaviest = max(edges.map(\.weight).max() ?? 1, 1)
        var labels = ""
        for edge in edges {
            guard let from = position[edge.from], let to = position[edge.to], edge.from != edge.to else { continue }
            let (dx, dy) = (to.0 - from.0, to.1 - from.1)
            let length = max((dx * dx + dy * dy).squareRoot(), 1)
            // Two agencies referring to each other: the two arrows side by side, not on one line.
            let offset = pairs.contains("\(edge.to)|\(edge.from)") ? 5.0 : 0
            let (nx, ny) = (-dy / length * offset, dx / length * offset)
            let start = (from.0 + dx / length * (radiusOf[edge.from] ?? 8) + nx, from.1 + dy / length * (radiusOf[edge.from] ?? 8) + ny)
            let end = (to.0 - dx / length * ((radiusOf[edge.to] ?? 8) + 2) + nx, to.1 - dy / length * ((radiusOf[edge.to] ?? 8) + 2) + ny)
            let tooltip = "<title>\(escape(edge.from)) → \(escape(edge.to)): \(escape(edge.label))</title>"
            svg += "<line x1=\(quote(start.0)) y1=\(quote(start.1)) x2=\(quote(end.0)) y2=\(quote(end.1)) stroke=\"\(Colour.arrow)\" stroke-width=\(quote(0.8 + 3.2 * edge.weight / heaviest)) marker-end=\"url(#arrow)\">\(tooltip)</line>"
            let text = edge.label.count > 34 ? String(edge.label.prefix(33)) + "…" : edge.label
            // Along the arrow, nearer its head first (so a label reads as the receiver's), where it overlaps nothing.
            var best: LabelBox?
            var bestOverlap = Double.infinity
            for t in [0.62, 0.5, 0.72, 0.4, 0.8, 0.3, 0.85] {
                let box = LabelBox(anchor: "middle", x: start.0 + (end.0 - start.0) * t + nx * 2, y: start.1 + (end.1 - start.1) * t + ny * 2 + 3,
                                   characters: text.count, size: 9)
                let overlap = placed.reduce(0) { $0 + box.overlap($1) }
                if overlap < bestOverlap { (best, bestOverlap) = (box, overlap) }
                if overlap == 0 { break }
            }
            guard let best else { continue }
            placed.append(best)
            labels += "<text x=\(quote(best.x)) y=\(quote(best.y)) text-anchor=\"middle\" fill=\"#333\" font-size=\"9\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">\(escape(text))\(tooltip)</text>"
        }
        return svg + labels + names + "</g></svg>"
    }

    /// The vertical offset of a node's name: above a node at the top, below one at the bottom.
    private static func sy(_ cy: Double, _ r: Double) -> Double {
        cy < -0.5 ? -(r + 5) : (cy > 0.5 ? r + 13 : 4)
    }

    /// Where a label sits, roughly: for keeping labels apart.
    private struct LabelBox {
        var x: Double, y: Double
        var left: Double, right: Double, top: Double, bottom: Double

        init(anchor: String, x: Double, y: Double, characters: Int, size: Double) {
            self.x = x
            self.y = y
            let width = Double(characters) * size * 0.58
            left = anchor == "start" ? x : (anchor == "end" ? x - width : x - width / 2)
            right = left + width
            top = y - size
            bottom = y + 2
        }

        func overlap(_ other: LabelBox) -> Double {
            max(0, min(right, other.right) - max(left, other.left)) * max(0, min(bottom, other.bottom) - max(top, other.top))
        }
    }

    public static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.1f", value)
    }

    static func quote(_ value: Int) -> String { "\"\(value)\"" }
    static func quote(_ value: Double) -> String { String(format: "\"%.1f\"", value) }
    static func quote(_ value: String) -> String { "\"\(escape(value))\"" }

    public static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
