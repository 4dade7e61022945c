import Foundation

/// The hub's de-identified view of a referral (1.1), published on
/// `hub/view/<category>/<referrer>` when the hub records a referral and at every accepted
/// change: who referred whom, for what, how urgently, where it stands and by when. It never
/// carries the case reference, the note, the reasons or the subject, so the coordinator can
/// follow the network's flow whatever the consent scope, and a category's providers can see
/// that an open referral was claimed.
public struct ReferralView: Sendable, Equatable {
    /// The referral.
    public var referralId: UUID
    /// The referring agency.
    public var referrer: String
    /// The receiving agency, or the claimant of an open referral; `nil` while nobody claimed it.
    public var receiver: String?
    /// Whether the referral was sent open to the category's providers.
    public var open: Bool
    /// The service needed.
    public var category: ServiceCategory
    /// How urgent.
    public var priority: Priority
    /// The state the hub recorded.
    public var state: ReferralState
    /// The referral's deadlines.
    public var acknowledgeBy: Date
    public var decideBy: Date
    public var followUpOn: Date
    /// When the hub recorded this state.
    public var updatedAt: Date

    public init(
        referralId: UUID, referrer: String, receiver: String?, open: Bool, category: ServiceCategory, priority: Priority,
        state: ReferralState, acknowledgeBy: Date, decideBy: Date, followUpOn: Date, updatedAt: Date
    ) {
        self.referralId = referralId
        self.referrer = referrer
        self.receiver = receiver
        self.open = open
        self.category = category
        self.priority = priority
        self.state = state
        self.acknowledgeBy = acknowledgeBy
        self.decideBy = decideBy
        self.followUpOn = followUpOn
        self.updatedAt = updatedAt
    }
}

extension ReferralView: WireObject, Codable {
    init(fields: JSONFields) throws(ProtocolError) {
        referralId = try fields.uuid("referralId")
        referrer = try fields.string("referrer")
        receiver = try fields.optionalString("receiver")
        open = try fields.bool("open")
        category = ServiceCategory(rawValue: try fields.string("category"))
        priority = try fields.code("priority")
        state = try fields.code("state")
        acknowledgeBy = try fields.time("acknowledgeBy")
        decideBy = try fields.time("decideBy")
        followUpOn = try fields.time("followUpOn")
        updatedAt = try fields.time("updatedAt")
        try validate(at: fields.path)
    }

    func validate(at path: String) throws(ProtocolError) {
        try Identifier.check(referrer, "agency id", at: path + ".referrer")
        if let receiver { try Identifier.check(receiver, "agency id", at: path + ".receiver") }
        try category.check("service category", at: path + ".category")
    }

    func wireValue(at path: String) throws(ProtocolError) -> JSONValue {
        var object = JSONObjectBuilder(path: path)
        object.set("referralId", referralId)
        object.set("referrer", referrer)
        object.set("receiver", receiver)
        object.set("open", open)
        object.set("category", category)
        object.set("priority", priority)
        object.set("state", state)
        try object.set("acknowledgeBy", time: acknowledgeBy)
        try object.set("decideBy", time: decideBy)
        try object.set("followUpOn", time: followUpOn)
        try object.set("updatedAt", time: updatedAt)
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
