import Foundation

/// The defaults every client of a hub (`sub`, `stats`, the agents, `pub`'s keys) takes from the
/// environment, so that an operator sets the hub and the agency's keys once:
///
///     export TANSIQ_HUB=hub.agadir.example        # endpoints tcp://HOST:5560, :5561, :5562
///     export TANSIQ_SECRET_KEY=keys/iom-morocco.secret TANSIQ_HUB_KEY=keys/hub.key
///
/// Flags win over the environment.
enum HubProfile {
    static let hostVariable = "TANSIQ_HUB"
    static let secretKeyVariable = "TANSIQ_SECRET_KEY"
    static let hubKeyVariable = "TANSIQ_HUB_KEY"

    private static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The hub's host: `TANSIQ_HUB`, or the loopback.
    static var host: String { value(hostVariable) ?? "127.0.0.1" }
    static var ingress: String { "tcp://\(host):5560" }
    static var egress: String { "tcp://\(host):5561" }
    static var replay: String { "tcp://\(host):5562" }
    static var secretKey: String? { value(secretKeyVariable) }
    static var hubKey: String? { value(hubKeyVariable) }
}
