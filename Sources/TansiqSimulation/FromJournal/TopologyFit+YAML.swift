import TansiqAgent
import TansiqMessages

extension TopologyFit.Model {
    /// The topology file: the format of `Topologies/*.yaml`, each fitted figure's origin in a comment.
    func yaml(name: String) -> String {
        var lines = ["# yaml-language-server: $schema=../docs/topology.schema.json", "#"]
        lines += notes.map { "# \($0)" }
        lines += [
            "name: \(name)",
            "description: \"\(description)\"",
            "",
            "general:",
            "  seed: \(seed)",
            "  stop_time: \(Self.text(stopTime))",
            "  drain: \(Self.text(drain))",
            "  time_scale: 86400",
            "",
            "topology:",
            "  nodes:",
        ]
        for node in nodes {
            lines.append("    \(node.id):")
            lines.append("      role: \(node.role.rawValue)")
            if node.coordinator { lines.append("      coordinator: true") }
            if node.agents > 1 { lines.append("      agents: \(node.agents)") }
            if !node.services.isEmpty {
                lines.append("      services:")
                for service in node.services {
                    let unit = service.unit.map { ", unit: \($0)" } ?? ""
                    lines.append("        \(service.category.rawValue): { capacity: \(service.capacity)\(unit) }" + Self.comment(service.how))
                }
            }
            for (key, fitted) in [("acknowledge", node.acknowledge), ("decide", node.decide), ("complete", node.complete)] {
                guard let fitted else { continue }
                lines.append("      \(key): \(Self.text(fitted.distribution))" + Self.comment(fitted.how))
            }
            if let acceptance = node.acceptance {
                lines.append("      acceptance: { accept: \(acceptance.accept), fail: \(acceptance.fail) }" + Self.comment(acceptance.how))
            }
        }
        if !links.isEmpty {
            lines.append("  links:")
            for link in links {
                let weight = link.weight.map { ", weight: \(Self.number($0, digits: 2))" } ?? ""
                lines.append("    - { from: \(link.from), to: \(link.to), services: [\(link.categories.map(\.rawValue).joined(separator: ", "))]\(weight) }")
            }
        }
        lines += ["", "scenario:", "  referrers:"]
        lines += referrers.map { "    \($0.0): \($0.1)" }
        lines.append("  arrivals: \(arrivals)")
        lines.append("  needs:")
        lines += needs.map { "    \($0.0.rawValue): \($0.1)" }
        lines.append("  needs_per_case: { min: \(needsPerCase.lowerBound), max: \(needsPerCase.upperBound) }")
        lines.append("  priorities: { " + priorities.map { "\($0.0.rawValue): \($0.1)" }.joined(separator: ", ") + " }")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A figure's origin after it, when there is one to say.
    static func comment(_ how: String) -> String {
        how.isEmpty ? "" : "   # \(how)"
    }

    static func text(_ distribution: Distribution) -> String {
        switch distribution {
        case .fixed(let value): "{ distribution: fixed, value: \(text(value)) }"
        case let .uniform(min, max): "{ distribution: uniform, min: \(text(min)), max: \(text(max)) }"
        case .exponential(let mean): "{ distribution: exponential, mean: \(text(mean)) }"
        case let .lognormal(median, p90): "{ distribution: lognormal, median: \(text(median)), p90: \(text(p90)) }"
        }
    }

    /// A duration in days, hours, minutes and seconds, largest first (`2d3h20m`), as the
    /// duration syntax reads it back.
    static func text(_ duration: SimulatedDuration) -> String {
        var rest = Int(duration.seconds.rounded())
        guard rest > 0 else { return "0s" }
        var text = ""
        for (symbol, seconds) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] where rest >= seconds {
            text += "\(rest / seconds)\(symbol)"
            rest %= seconds
        }
        return text
    }
}
