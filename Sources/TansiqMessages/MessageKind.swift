/// What a message is: the header's `type`, which decides how the body is read.
///
/// Unknown kinds decode (``isKnown`` is `false`) so that a tool can display a newer
/// message's header; the hub refuses them and ``MessageCodec/decode(_:)`` cannot read their body.
public struct MessageKind: CodedValue {
    /// The wire value, e.g. `referral.status`.
    public let rawValue: String

    /// Wraps a wire value.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A referral of a person to a service (``Referral``).
    public static let referral = Self(rawValue: "referral")
    /// A referral changed state (``ReferralStatusUpdate``).
    public static let referralStatus = Self(rawValue: "referral.status")
    /// A provider's availability for a category (``ServiceStatus``).
    public static let serviceStatus = Self(rawValue: "service.status")
    /// An agent's heartbeat (``Presence``).
    public static let presence = Self(rawValue: "presence")
    /// A referral missed a deadline (``Escalation``).
    public static let escalation = Self(rawValue: "escalation")
    /// The hub refused a message (``HubRejection``).
    public static let hubRejection = Self(rawValue: "hub.rejection")
    /// The hub's counters (``HubStatistics``).
    public static let hubStatistics = Self(rawValue: "hub.stats")
    /// An agency went silent or came back (``HubPresence``).
    public static let hubPresence = Self(rawValue: "hub.presence")
    /// An agent asks the hub to replay journaled messages (``ReplayRequest``).
    public static let replayRequest = Self(rawValue: "hub.replay.request")
    /// The hub finished a replay (``ReplayEnd``).
    public static let replayEnd = Self(rawValue: "hub.replay.end")
    /// The hub saw a referral miss a deadline (``Escalation``, raised by the hub; 1.1).
    public static let hubEscalation = Self(rawValue: "hub.escalation")
    /// The hub's de-identified view of a referral (``ReferralView``; 1.1).
    public static let hubReferralView = Self(rawValue: "hub.referral.view")

    /// A referral's body the hub sends the coordinator, its consent scope allowing it (``Referral``; 1.2).
    public static let hubReferralShared = Self(rawValue: "hub.referral.shared")
    /// The coordinator acknowledged an escalation (``EscalationAcknowledgement``; 1.2).
    public static let escalationAcknowledgement = Self(rawValue: "escalation.ack")

    /// Every kind of this protocol version.
    public static let knownValues: [Self] = [
        .referral, .referralStatus, .serviceStatus, .presence, .escalation,
        .hubRejection, .hubStatistics, .hubPresence, .replayRequest, .replayEnd,
        .hubEscalation, .hubReferralView, .hubReferralShared, .escalationAcknowledgement,
    ]

    /// Whether the value has kind syntax: `[a-z0-9][a-z0-9.-]*`, at most 63 characters.
    var isWellFormed: Bool {
        let utf8 = rawValue.utf8
        guard let first = utf8.first, utf8.count <= 63, Identifier.isLowerAlphanumeric(first) else { return false }
        return utf8.allSatisfy { Identifier.isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }
}
