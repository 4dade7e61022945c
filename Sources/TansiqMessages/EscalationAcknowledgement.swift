import Foundation

/// The coordinator acknowledges an escalation and records what was done (1.2), published on
/// `escalation-ack/<referrer>/<category>/<coordinator>`. The hub accepts it only from the
/// network's coordinator, only for a deadline it escalated, and records it in the registry;
/// the referrer learns of it on its own prefix.
public struct EscalationAcknowledgement: Sendable, Equatable {
    /// The referral escalated.
    public var referralId: UUID
    /// The referring agency (as in the escalation).
    public var referrer: String
    /// The referral's category (as in the escalation).
    public var category: ServiceCategory
    /// Which escalated deadline this acknowledges.
    public var deadline: Escalation.Deadline
    /// What the coordinator did, coded.
    public var action: Action
    /// The coordinating agency; must be the message's `source`.
    public var acknowledgedBy: String
    /// When the coordinator acknowledged it.
    public var acknowledgedAt: Date
    /// Free text for the partners (at most 280 code points), screened like every note.
    public var note: String?

    public init(
        referralId: UUID, referrer: String, category: ServiceCategory, deadline: Escalation.Deadline, action: Action,
        acknowledgedBy: String, acknowledgedAt: Date, note: String? = nil
    ) {
        self.referralId = referralId
        self.referrer = referrer
        self.category = category
        self.deadline = deadline
        self.action = action
        self.acknowledgedBy = acknowledgedBy
        self.acknowledgedAt = acknowledgedAt
        self.note = note
    }

    /// What a coordinator did about an escalation (an *open* vocabulary).
    public struct Action: CodedValue {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Called or wrote to the receiving agency.
        public static let contactedReceiver = Self(rawValue: "contacted-receiver")
        /// Called or wrote to the referring agency.
        public static let contactedReferrer = Self(rawValue: "contacted-referrer")
        /// Asked the referrer to send the person to another provider.
        public static let redirected = Self(rawValue: "redirected")
        /// Agreed a later date with the parties.
        public static let deadlineExtended = Self(rawValue: "deadline-extended")
        /// Looked at it; nothing to do (the move happened meanwhile, or it was expected).
        public static let noActionNeeded = Self(rawValue: "no-action-needed")
        /// Something else; the note says what.
        public static let other = Self(rawValue: "other")

        public static let knownValues: [Self] = [
            .contactedReceiver, .contactedReferrer, .redirected, .deadlineExtended, .noActionNeeded, .other,
        ]
    }
}

extension EscalationAcknowledgement: WireObject, Codable {
    init(fields: JSONFields) throws(ProtocolError) {
        referralId = try fields.uuid("referralId")
        referrer = try fields.string("referrer")
        category = ServiceCategory(rawValue: try fields.string("category"))
        deadline = try fields.code("deadline")
        action = Action(rawValue: try fields.string("action"))
        acknowledgedBy = try fields.string("acknowledgedBy")
        acknowledgedAt = try fields.time("acknowledgedAt")
        note = try fields.optionalString("note")
        try validate(at: fields.path)
    }

    func validate(at path: String) throws(ProtocolError) {
        try Identifier.check(referrer, "agency id", at: path + ".referrer")
        try Identifier.check(acknowledgedBy, "agency id", at: path + ".acknowledgedBy")
        try category.check("service category", at: path + ".category")
        try action.check("action code", at: path + ".action")
        try FreeText.checkNote(note, at: path + ".note")
    }

    func wireValue(at path: String) throws(ProtocolError) -> JSONValue {
        var object = JSONObjectBuilder(path: path)
        object.set("referralId", referralId)
        object.set("referrer", referrer)
        object.set("category", category)
        object.set("deadline", deadline)
        object.set("action", action)
        object.set("acknowledgedBy", acknowledgedBy)
        try object.set("acknowledgedAt", time: acknowledgedAt)
        object.set("note", note)
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
