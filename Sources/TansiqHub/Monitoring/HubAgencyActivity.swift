import Foundation

/// What a hub has seen of one agency since it started.
public struct HubAgencyActivity: Sendable, Equatable, Codable {
    /// The most agencies counted: a network has a few dozen; the bound keeps a publisher that
    /// invents agency names from growing the table without end.
    public static let agencyLimit = 10_000

    /// Messages the hub accepted from the agency.
    public var messagesIn: UInt64 = 0
    /// Messages and subscriptions of the agency the hub refused.
    public var refusals: UInt64 = 0
    /// When the hub last accepted a message from the agency.
    public var lastMessageAt: Date?
    /// When the hub last heard one of the agency's heartbeats.
    public var lastHeartbeatAt: Date?
    /// Whether the agency's heartbeats have stopped (announced on `hub/presence/<agency>`).
    public var silent = false

    /// Creates an agency not seen yet.
    public init() {}

    /// The agency's last sign of life: a message or a heartbeat.
    public var lastSeenAt: Date? {
        switch (lastMessageAt, lastHeartbeatAt) {
        case let (message?, heartbeat?): max(message, heartbeat)
        case let (message, heartbeat): message ?? heartbeat
        }
    }
}
