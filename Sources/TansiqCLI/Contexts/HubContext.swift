import Foundation

/// A named set of client settings, in the spirit of `nats context`: the hub's host, its
/// endpoints when they are not the default ports, and the agency's key files.
/// Stored as `contexts/NAME.json` (mode 0600) in ``HubContextStore/directory``.
struct HubContext: Codable, Equatable, Sendable {
    /// The hub's host: endpoints tcp://HOST:5560 (ingress), 5561 (egress), 5562 (replay), 5563 (publish).
    var hub: String?
    var ingress: String?
    var egress: String?
    var replay: String?
    var publish: String?
    /// The agency's secret certificate (an absolute path).
    var secretKey: String?
    /// The hub's public certificate (an absolute path).
    var hubKey: String?
    var description: String?
}
