import Foundation

/// A referral missed a deadline: raised by the referrer's agent, seen by the coordinator.
public struct Escalation: Sendable, Equatable {
    /// The referral.
    public var referralId: UUID
    /// The referring agency.
    public var referrer: String
    /// The receiving agency; `nil` for an open referral nobody took.
    public var receiver: String?
    /// The referral's category.
    public var category: ServiceCategory
    /// Which deadline was missed.
    public var deadline: Deadline
    /// When it was due.
    public var dueAt: Date
    /// When the miss was noticed (not before ``dueAt``).
    public var detectedAt: Date
    /// The agencies told: the referrer and the coordinator (1 to 16).
    public var escalatedTo: [String]
    /// Why, coded to match ``deadline``.
    public var reason: Reason
    /// The referral's state when the miss was noticed.
    public var currentState: ReferralState

    /// Creates an escalation.
    public init(
        referralId: UUID,
        referrer: String,
        receiver: String?,
        category: ServiceCategory,
        deadline: Deadline,
        dueAt: Date,
        detectedAt: Date,
        escalatedTo: [String],
        reason: Reason,
        currentState: ReferralState
    ) {
        self.referralId = referralId
        self.referrer = referrer
        self.receiver = receiver
        self.category = category
        self.deadline = deadline
        self.dueAt = dueAt
        self.detectedAt = detectedAt
        self.escalatedTo = escalatedTo
        self.reason = reason
        self.currentState = currentState
    }

    /// The deadlines of a referral.
    public enum Deadline: String, Sendable, Hashable, Codable, CaseIterable {
        /// ``Referral/acknowledgeBy``.
        case acknowledge
        /// ``Referral/decideBy``.
        case decide
        /// ``Referral/followUpOn``.
        case followUp = "follow-up"

        /// The reason that goes with a miss of this deadline.
        public var reason: Reason {
            switch self {
            case .acknowledge: .noAcknowledgement
            case .decide: .noDecision
            case .followUp: .noFollowUp
            }
        }
    }

    /// Why a referral was escalated.
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable {
        /// Nobody acknowledged it in time.
        case noAcknowledgement = "no-acknowledgement"
        /// Nobody accepted or rejected it in time.
        case noDecision = "no-decision"
        /// No outcome by the follow-up date.
        case noFollowUp = "no-follow-up"
    }
}

extension Escalation: WireObject, Codable {
    init(fields: JSONFields) throws(ProtocolError) {
        referralId = try fields.uuid("referralId")
        referrer = try fields.string("referrer")
        receiver = try fields.optionalString("receiver")
        category = ServiceCategory(rawValue: try fields.string("category"))
        deadline = try fields.code("deadline")
        dueAt = try fields.time("dueAt")
        detectedAt = try fields.time("detectedAt")
        escalatedTo = try fields.strings("escalatedTo")
        reason = try fields.code("reason")
        currentState = try fields.code("currentState")
        try validate(at: fields.path)
    }

    func validate(at path: String) throws(ProtocolError) {
        try Identifier.check(referrer, "agency id", at: path + ".referrer")
        if let receiver {
            try Identifier.check(receiver, "agency id", at: path + ".receiver")
        }
        try category.check("service category", at: path + ".category")
        guard reason == deadline.reason else {
            throw ProtocolError(
                .invalidValue,
                "reason '\(reason.rawValue)' does not match deadline '\(deadline.rawValue)' (expected '\(deadline.reason.rawValue)')",
                keyPath: path + ".reason"
            )
        }
        guard detectedAt >= dueAt else {
            throw ProtocolError(.invalidValue, "detectedAt is before dueAt: nothing was missed yet", keyPath: path + ".detectedAt")
        }
        guard (1...16).contains(escalatedTo.count) else {
            throw ProtocolError(.invalidValue, "\(escalatedTo.count) agencies given, 1 to 16 allowed", keyPath: path + ".escalatedTo")
        }
        for (index, agency) in escalatedTo.enumerated() {
            try Identifier.check(agency, "agency id", at: path + ".escalatedTo[\(index)]")
        }
    }

    func wireValue(at path: String) throws(ProtocolError) -> JSONValue {
        var object = JSONObjectBuilder(path: path)
        object.set("referralId", referralId)
        object.set("referrer", referrer)
        object.set("receiver", receiver)
        object.set("category", category)
        object.set("deadline", deadline)
        try object.set("dueAt", time: dueAt)
        try object.set("detectedAt", time: detectedAt)
        object.set("escalatedTo", strings: escalatedTo)
        object.set("reason", reason)
        object.set("currentState", currentState)
        return object.value
    }

    /// Decodes with the wire rules through any `Decoder`.
    public init(from decoder: any Decoder) throws { self = try .decode(from: decoder) }

    /// Encodes exactly as on the wire through any `Encoder`.
    public func encode(to encoder: any Encoder) throws {
        try validate(at: "body")
        try wireValue(at: "body").encode(to: encoder)
    }
}
