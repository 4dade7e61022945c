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
    }

    /// Horizontal grouped bars: one group per row, one bar per series; durations in days when the
    /// longest passes two days; `n` after the label when a row has a sample size.
    public static func bars(_ rows: [Row], series: [Series], scale: Scale = .count, sampleLabel: String = "n") -> String {
        let longest = rows.flatMap(\.values).max() ?? 0
        let inDays = scale == .hours && longest > 48
        let divisor = inDays ? 24.0 : 1.0
        let unit = scale == .count ? "" : (inDays ? " d" : " h")
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
        public init(_ id: String, colour: String, emphasised: Bool = false, size: Int = 1) {
            self.id = id
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
    /// labelled at its middle; a legend of `legend` (name, colour) above.
    public static func directed(_ nodes: [Node], _ edges: [Edge], legend: [(String, String)] = []) -> String {
        let width = 1050.0, height = 780.0, centre = 525.0, middle = 380.0, radius = 320.0
        let count = max(nodes.count, 1)
        var position: [String: (Double, Double)] = [:]
        var radiusOf: [String: Double] = [:]
        for (index, node) in nodes.enumerated() {
            let angle = 2 * Double.pi * Double(index) / Double(count) - Double.pi / 2
            position[node.id] = (centre + radius * cos(angle), middle + radius * sin(angle))
            radiusOf[node.id] = Double(7 + min(8, node.size * 2))
        }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height + 20))\" font-size=\"10\" role=\"img\">"
        svg += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"\(Colour.arrow)\"/></marker></defs>"
        for (index, (name, colour)) in legend.enumerated() {
            svg += "<circle cx=\(quote(20 + index * 150)) cy=\"12\" r=\"6\" fill=\(quote(colour))/><text x=\(quote(30 + index * 150)) y=\"16\">\(escape(name))</text>"
        }
        svg += "<g transform=\"translate(0,10)\">"
        let pairs = Set(edges.map { "\($0.from)|\($0.to)" })
        for edge in edges {
            guard let from = position[edge.from], let to = position[edge.to], edge.from != edge.to else { continue }
            let (dx, dy) = (to.0 - from.0, to.1 - from.1)
            let length = max((dx * dx + dy * dy).squareRoot(), 1)
            // Two agencies referring to each other: the two arrows side by side, not on one line.
            let offset = pairs.contains("\(edge.to)|\(edge.from)") ? 5.0 : 0
            let (nx, ny) = (-dy / length * offset, dx / length * offset)
            let start = (from.0 + dx / length * (radiusOf[edge.from] ?? 8) + nx, from.1 + dy / length * (radiusOf[edge.from] ?? 8) + ny)
            let end = (to.0 - dx / length * ((radiusOf[edge.to] ?? 8) + 2) + nx, to.1 - dy / length * ((radiusOf[edge.to] ?? 8) + 2) + ny)
            svg += "<line x1=\(quote(start.0)) y1=\(quote(start.1)) x2=\(quote(end.0)) y2=\(quote(end.1)) stroke=\"\(Colour.arrow)\" stroke-width=\(quote(min(4, 0.8 + edge.weight * 0.6))) marker-end=\"url(#arrow)\"><title>\(escape(edge.from)) → \(escape(edge.to)): \(escape(edge.label))</title></line>"
            let labelAt = (start.0 + (end.0 - start.0) * 0.55 + nx * 2, start.1 + (end.1 - start.1) * 0.55 + ny * 2)
            svg += "<text x=\(quote(labelAt.0)) y=\(quote(labelAt.1)) text-anchor=\"middle\" fill=\"#444\" font-size=\"9\">\(escape(edge.label))</text>"
        }
        for node in nodes {
            guard let (x, y) = position[node.id] else { continue }
            let stroke = node.emphasised ? " stroke=\"#000\" stroke-width=\"3\"" : ""
            let r = radiusOf[node.id] ?? 8
            svg += "<circle cx=\(quote(x)) cy=\(quote(y)) r=\(quote(r)) fill=\(quote(node.colour))\(stroke)><title>\(escape(node.id))</title></circle>"
            let anchor = x < centre - 5 ? "end" : (x > centre + 5 ? "start" : "middle")
            let dx = anchor == "end" ? -(r + 3) : (anchor == "start" ? r + 3 : 0)
            let dy = anchor != "middle" ? 3 : (y < middle ? -r - 4 : r + 12)
            svg += "<text x=\(quote(x + dx)) y=\(quote(y + dy)) text-anchor=\(quote(anchor)) font-weight=\"600\">\(escape(node.id))</text>"
        }
        return svg + "</g></svg>"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.1f", value)
    }

    private static func quote(_ value: Int) -> String { "\"\(value)\"" }
    private static func quote(_ value: Double) -> String { String(format: "\"%.1f\"", value) }
    private static func quote(_ value: String) -> String { "\"\(escape(value))\"" }

    static func escape(_ text: String) -> String {
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
