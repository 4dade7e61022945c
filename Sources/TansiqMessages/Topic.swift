/// A message's first frame: where it is published, built for ZeroMQ prefix matching.
///
/// A topic is ASCII segments joined by `/`: fixed words naming the family, then
/// identifiers (agencies, agents, categories, hubs). At most 255 bytes, no empty segment, no
/// trailing slash. A case reference never appears in a topic.
public struct Topic: Sendable, Hashable, CustomStringConvertible {
    /// The longest topic, in bytes.
    public static let maximumLength = 255

    /// A topic's shape: its fixed words and the parts it names.
    public enum Family: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// `referral/to/<receiver>/<category>`: a referral addressed to one agency.
        case referralAddressed = "referral/to"
        /// `referral/open/<category>/<referrer>`: a referral open to any provider of the category.
        case referralOpen = "referral/open"
        /// `status/<addressee>/<sender>/<category>`: a referral status update, to the other party.
        case status
        /// `escalation/<referrer>/<category>`: a referral missed a deadline.
        case escalation
        /// `service/<category>/<agency>`: a provider's availability.
        case service
        /// `presence/<agency>/<agent>`: an agent's heartbeat.
        case presence
        /// `hub/stats/<hub>`: the hub's counters.
        case hubStatistics = "hub/stats"
        /// `hub/rejected/<agency>`: the hub refused a message of the agency.
        case hubRejection = "hub/rejected"
        /// `hub/presence/<agency>`: the agency went silent or came back.
        case hubPresence = "hub/presence"
        /// `hub/replay/request/<agency>`: the agency asks for a replay.
        case replayRequest = "hub/replay/request"
        /// `hub/replay/end/<agency>`: the hub finished a replay for the agency.
        case replayEnd = "hub/replay/end"
        /// `hub/escalation/<referrer>/<category>`: the hub saw a referral miss a deadline (1.1).
        case hubEscalation = "hub/escalation"
        /// `hub/view/<category>/<referrer>`: the hub's de-identified view of a referral (1.1).
        case hubView = "hub/view"
        /// `hub/shared/<category>/<referrer>`: a referral's body, sent by the hub to the
        /// coordinator because its consent scope has `share-with-coordinator` (1.2).
        case hubShared = "hub/shared"
        /// `escalation-ack/<referrer>/<category>/<coordinator>`: the coordinator acknowledged an
        /// escalation and says what it did (1.2).
        case escalationAck = "escalation-ack"

        /// The names of the variable segments, in order.
        public var partNames: [String] {
            switch self {
            case .referralAddressed: ["receiver", "category"]
            case .referralOpen: ["category", "referrer"]
            case .status: ["addressee", "sender", "category"]
            case .escalation: ["referrer", "category"]
            case .service: ["category", "agency"]
            case .presence: ["agency", "agent"]
            case .hubStatistics: ["hub"]
            case .hubRejection, .hubPresence, .replayRequest, .replayEnd: ["agency"]
            case .hubEscalation: ["referrer", "category"]
            case .hubView, .hubShared: ["category", "referrer"]
            case .escalationAck: ["referrer", "category", "coordinator"]
            }
        }

        /// The kind a message on a topic of this family must have.
        public var kind: MessageKind {
            switch self {
            case .referralAddressed, .referralOpen: .referral
            case .status: .referralStatus
            case .escalation: .escalation
            case .service: .serviceStatus
            case .presence: .presence
            case .hubStatistics: .hubStatistics
            case .hubRejection: .hubRejection
            case .hubPresence: .hubPresence
            case .replayRequest: .replayRequest
            case .replayEnd: .replayEnd
            case .hubEscalation: .hubEscalation
            case .hubView: .hubReferralView
            case .hubShared: .hubReferralShared
            case .escalationAck: .escalationAcknowledgement
            }
        }

        /// How many fixed words precede the parts.
        var fixedCount: Int {
            switch self {
            case .referralAddressed, .referralOpen, .hubStatistics, .hubRejection, .hubPresence, .hubEscalation, .hubView, .hubShared: 2
            case .status, .escalation, .service, .presence, .escalationAck: 1
            case .replayRequest, .replayEnd: 3
            }
        }

        /// How many parts follow the fixed words.
        var partCount: Int {
            switch self {
            case .status, .escalationAck: 3
            case .referralAddressed, .referralOpen, .escalation, .service, .presence, .hubEscalation, .hubView, .hubShared: 2
            case .hubStatistics, .hubRejection, .hubPresence, .replayRequest, .replayEnd: 1
            }
        }

        /// The template, e.g. `referral/to/<receiver>/<category>`.
        public var template: String {
            ([rawValue] + partNames.map { "<\($0)>" }).joined(separator: "/")
        }

        /// The fixed words.
        public var description: String { rawValue }
    }

    /// The family.
    public let family: Family
    /// The variable segments, named by ``Family/partNames``.
    public let parts: [String]
    /// The topic as published.
    public let rawValue: String

    /// The topic as published.
    public var description: String { rawValue }

    /// The topic frame's bytes.
    public var bytes: [UInt8] { Array(rawValue.utf8) }

    init(family: Family, parts: [String], rawValue: String) {
        self.family = family
        self.parts = parts
        self.rawValue = rawValue
    }

    // MARK: - Named parts

    /// The agency a referral is addressed to (`referral/to`).
    public var receiver: String? { family == .referralAddressed ? parts[0] : nil }

    /// The service category (referrals, status updates, escalations, service status).
    public var category: ServiceCategory? {
        switch family {
        case .referralAddressed: ServiceCategory(rawValue: parts[1])
        case .referralOpen, .service, .hubView, .hubShared: ServiceCategory(rawValue: parts[0])
        case .escalationAck: ServiceCategory(rawValue: parts[1])
        case .status: ServiceCategory(rawValue: parts[2])
        case .escalation, .hubEscalation: ServiceCategory(rawValue: parts[1])
        default: nil
        }
    }

    /// The referring agency (`referral/open`, `escalation`).
    public var referrer: String? {
        switch family {
        case .referralOpen, .hubView, .hubShared: parts[1]
        case .escalation, .hubEscalation, .escalationAck: parts[0]
        default: nil
        }
    }

    /// The agency a status update is addressed to (`status`).
    public var addressee: String? { family == .status ? parts[0] : nil }

    /// The agency that changed a referral's state (`status`).
    public var sender: String? { family == .status ? parts[1] : nil }

    /// The agency a service, presence, rejection, hub presence or replay topic is about.
    public var agency: String? {
        switch family {
        case .service: parts[1]
        case .presence, .hubRejection, .hubPresence, .replayRequest, .replayEnd: parts[0]
        default: nil
        }
    }

    /// The agent of a presence topic.
    public var agent: String? { family == .presence ? parts[1] : nil }

    /// The hub of a statistics topic.
    public var hub: String? { family == .hubStatistics ? parts[0] : nil }

    /// The agency the topic says sent the message, where the topic names one: the status
    /// sender, the open referrer, the service agency, the presence agency, the escalation
    /// referrer, the agency asking for a replay. The hub checks it equals the header's `source`.
    public var declaredSender: String? {
        switch family {
        case .status: sender
        case .referralOpen, .escalation: referrer
        case .service, .presence, .replayRequest: agency
        case .escalationAck: parts[2]
        case .referralAddressed, .hubStatistics, .hubRejection, .hubPresence, .replayEnd, .hubEscalation, .hubView, .hubShared: nil
        }
    }

    /// Whether a message of `kind` may be published on this topic.
    public func allows(_ kind: MessageKind) -> Bool {
        family.kind == kind
    }

    // MARK: - Builders

    private static func make(_ family: Family, _ parts: [String]) throws(ProtocolError) -> Topic {
        try Topic(([family.rawValue] + parts).joined(separator: "/"))
    }

    /// `referral/to/<receiver>/<category>`.
    public static func referral(to receiver: String, category: ServiceCategory) throws(ProtocolError) -> Topic {
        try make(.referralAddressed, [receiver, category.rawValue])
    }

    /// `referral/open/<category>/<referrer>`.
    public static func openReferral(category: ServiceCategory, referrer: String) throws(ProtocolError) -> Topic {
        try make(.referralOpen, [category.rawValue, referrer])
    }

    /// `status/<addressee>/<sender>/<category>`.
    public static func status(addressee: String, sender: String, category: ServiceCategory) throws(ProtocolError) -> Topic {
        try make(.status, [addressee, sender, category.rawValue])
    }

    /// `escalation/<referrer>/<category>`.
    public static func escalation(referrer: String, category: ServiceCategory) throws(ProtocolError) -> Topic {
        try make(.escalation, [referrer, category.rawValue])
    }

    /// `hub/escalation/<referrer>/<category>`.
    public static func hubEscalation(referrer: String, category: ServiceCategory) throws(ProtocolError) -> Topic {
        try make(.hubEscalation, [referrer, category.rawValue])
    }

    /// `hub/view/<category>/<referrer>`.
    public static func hubView(category: ServiceCategory, referrer: String) throws(ProtocolError) -> Topic {
        try make(.hubView, [category.rawValue, referrer])
    }

    /// `hub/shared/<category>/<referrer>` (1.2).
    public static func hubShared(category: ServiceCategory, referrer: String) throws(ProtocolError) -> Topic {
        try make(.hubShared, [category.rawValue, referrer])
    }

    /// `escalation-ack/<referrer>/<category>/<coordinator>` (1.2).
    public static func escalationAck(referrer: String, category: ServiceCategory, coordinator: String) throws(ProtocolError) -> Topic {
        try make(.escalationAck, [referrer, category.rawValue, coordinator])
    }

    /// `service/<category>/<agency>`.
    public static func service(category: ServiceCategory, agency: String) throws(ProtocolError) -> Topic {
        try make(.service, [category.rawValue, agency])
    }

    /// `presence/<agency>/<agent>`.
    public static func presence(agency: String, agent: String) throws(ProtocolError) -> Topic {
        try make(.presence, [agency, agent])
    }

    /// `hub/stats/<hub>`.
    public static func hubStatistics(hub: String) throws(ProtocolError) -> Topic {
        try make(.hubStatistics, [hub])
    }

    /// `hub/rejected/<agency>`.
    public static func hubRejection(agency: String) throws(ProtocolError) -> Topic {
        try make(.hubRejection, [agency])
    }

    /// `hub/presence/<agency>`.
    public static func hubPresence(agency: String) throws(ProtocolError) -> Topic {
        try make(.hubPresence, [agency])
    }

    /// `hub/replay/request/<agency>`.
    public static func replayRequest(agency: String) throws(ProtocolError) -> Topic {
        try make(.replayRequest, [agency])
    }

    /// `hub/replay/end/<agency>`.
    public static func replayEnd(agency: String) throws(ProtocolError) -> Topic {
        try make(.replayEnd, [agency])
    }
}
