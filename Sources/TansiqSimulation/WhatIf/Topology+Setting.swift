import TansiqMessages

/// One parameter of a topology a sweep varies, and its values: `PATH=LOW..HIGH/STEP` or
/// `PATH=V1,V2,…`, where PATH is `nodes.<id>.capacity` (every service of the node),
/// `nodes.<id>.services.<category>.capacity`, `nodes.<id>.agents` or
/// `nodes.<id>.acceptance.accept`.
public struct TopologySetting: Sendable, Equatable {
    public var path: String
    public var values: [Double]

    /// Reads `PATH=RANGE`; throws a message naming what is wrong.
    public init(parsing text: String) throws(SimulationError) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw Self.error("--set '\(text)': expected PATH=LOW..HIGH/STEP or PATH=V1,V2") }
        path = parts[0]
        let spec = parts[1]
        if let range = spec.range(of: "..") {
            let low = Double(spec[..<range.lowerBound])
            let rest = spec[range.upperBound...].split(separator: "/", maxSplits: 1)
            let high = rest.first.flatMap { Double($0) }
            let step = rest.count == 2 ? Double(rest[1]) : 1
            guard let low, let high, let step, step > 0, high >= low, (high - low) / step <= 1000 else {
                throw Self.error("--set '\(text)': expected LOW..HIGH/STEP with LOW ≤ HIGH and STEP > 0, at most 1000 values")
            }
            values = stride(from: low, through: high + step * 1e-9, by: step).map { $0 }
        } else {
            let list = spec.split(separator: ",").map { Double($0) }
            guard !list.isEmpty, list.allSatisfy({ $0 != nil }) else { throw Self.error("--set '\(text)': the values must be numbers") }
            values = list.map { $0! }
        }
    }

    /// `topology` with the parameter at `value`.
    public func apply(_ value: Double, to topology: Topology) throws(SimulationError) -> Topology {
        var topology = topology
        let keys = path.split(separator: ".").map(String.init)
        guard keys.count >= 3, keys[0] == "nodes", let index = topology.nodes.firstIndex(where: { $0.id == keys[1] }) else {
            throw Self.error("--set \(path): expected nodes.<agency>.… naming an agency of \(topology.name)")
        }
        var node = topology.nodes[index]
        switch Array(keys.dropFirst(2)) {
        case ["capacity"]:
            guard !node.services.isEmpty else { throw Self.error("--set \(path): \(node.id) offers no service") }
            for offer in node.services.indices { node.services[offer].capacity = max(1, Int(value.rounded())) }
        case let rest where rest.count == 3 && rest[0] == "services" && rest[2] == "capacity":
            guard let offer = node.services.firstIndex(where: { $0.category.rawValue == rest[1] }) else {
                throw Self.error("--set \(path): \(node.id) does not offer \(rest[1])")
            }
            node.services[offer].capacity = max(1, Int(value.rounded()))
        case ["agents"]:
            node.agents = max(1, Int(value.rounded()))
        case ["acceptance", "accept"]:
            guard (0...1).contains(value), value + node.acceptance.fail <= 1 else { throw Self.error("--set \(path): accept must be in 0…1 with accept + fail ≤ 1") }
            node.acceptance.accept = value
        default:
            throw Self.error("--set \(path): unknown parameter; use nodes.<id>.capacity, nodes.<id>.services.<category>.capacity, nodes.<id>.agents or nodes.<id>.acceptance.accept")
        }
        topology.nodes[index] = node
        return topology
    }

    private static func error(_ message: String) -> SimulationError {
        SimulationError(code: .unsupported, message: message)
    }
}
