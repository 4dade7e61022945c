import Foundation

/// A referral changed state; published to the other party of the referral.
///
/// The receiver publishes every forward move (to the referrer); the referrer publishes its
/// cancellation (to the receiver). ``previousState`` → ``state`` must be a legal move of
/// ``ReferralLifecycle`` for the party that makes it.
public struct ReferralStatusUpdate: Sendable, Equatable {
    /// The referral.
    public var referralId: UUID
    /// The new state.
    public var state: ReferralState
    /// The state before the change.
    public var previousState: ReferralState
    /// The agency that made the change.
    public var changedBy: String
    /// When the change was made.
    public var changedAt: Date
    /// Why, for `rejected` and `cancelled`.
    public var reason: Reason?
    /// The agency the receiver suggests instead; required with ``Reason/referredOnward``.
    public var suggestedAlternative: String?
    /// What happened; required for `completed` and `failed`.
    public var outcome: Outcome?
    /// Free text, at most 280 characters, never personal data.
    public var note: String?

    /// Creates a status update.
    public init(
        referralId: UUID,
        state: ReferralState,
        previousState: ReferralState,
        changedBy: String,
        changedAt: Date,
        reason: Reason? = nil,
        suggestedAlternative: String? = nil,
        outcome: Outcome? = nil,
        note: String? = nil
    ) {
        self.referralId = referralId
        self.state = state
        self.previousState = previousState
        self.changedBy = changedBy
        self.changedAt = changedAt
        self.reason = reason
        self.suggestedAlternative = suggestedAlternative
        self.outcome = outcome
        self.note = note
    }

    /// The party that makes this move: the referrer cancels, the receiver does the rest.
    public var actor: ReferralActor { state == .cancelled ? .referrer : .receiver }

    /// Why a referral was rejected or cancelled.
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable {
        /// Rejected: no capacity now.
        case atCapacity = "at-capacity"
        /// Rejected: the person is not eligible for the service.
        case notEligible = "not-eligible"
        /// Rejected: another agency is better placed (``suggestedAlternative`` names it).
        case referredOnward = "referred-onward"
        /// Cancelled: the referrer or the person withdrew it.
        case withdrawn
        /// Cancelled: nobody answered before the deadline.
        case noResponseByDeadline = "no-response-by-deadline"
        /// Cancelled: another provider took the person.
        case assignedElsewhere = "assigned-elsewhere"

        /// The state this reason explains.
        public var state: ReferralState {
            switch self {
            case .atCapacity, .notEligible, .referredOnward: .rejected
            case .withdrawn, .noResponseByDeadline, .assignedElsewhere: .cancelled
            }
        }
    }

    /// What came of a completed or failed referral.
    public struct Outcome: Sendable, Equatable {
        /// Whether the person got the service.
        public var successful: Bool
        /// What happened.
        public var code: Code

        /// Creates an outcome.
        public init(successful: Bool, code: Code) {
            self.successful = successful
            self.code = code
        }

        /// What happened (open vocabulary).
        public struct Code: CodedValue {
            /// The code.
            public let rawValue: String
            /// Wraps a code.
            public init(rawValue: String) { self.rawValue = rawValue }

            /// The service was provided in full.
            public static let serviceProvided = Self(rawValue: "service-provided")
            /// Part of the service was provided.
            public static let partiallyProvided = Self(rawValue: "partially-provided")
            /// The person declined the service.
            public static let clientDeclined = Self(rawValue: "client-declined")
            /// The person could not be reached.
            public static let clientUnreachable = Self(rawValue: "client-unreachable")
            /// The service could not be provided after all.
            public static let serviceUnavailable = Self(rawValue: "service-unavailable")

            /// The codes of this protocol version.
            public static let knownValues: [Self] = [
                .serviceProvided, .partiallyProvided, .clientDeclined, .clientUnreachable, .serviceUnavailable,
            ]
        }
    }
}

extension ReferralStatusUpdate: WireObject, Codable {
    init(fields: JSONFields) throws(ProtocolError) {
        referralId = try fields.uuid("referralId")
        state = try fields.code("state")
        previousState = try fields.code("previousState")
        changedBy = try fields.string("changedBy")
        changedAt = try fields.time("changedAt")
        reason = try fields.optionalCode("reason")
        suggestedAlternative = try fields.optionalString("suggestedAlternative")
        outcome = try fields.optionalObject("outcome").map { outcome throws(ProtocolError) in
            Outcome(successful: try outcome.bool("successful"), code: Outcome.Code(rawValue: try outcome.string("code")))
        }
        note = try fields.optionalString("note")
        try validate(at: fields.path)
    }

    func validate(at path: String) throws(ProtocolError) {
        try ReferralLifecycle.transition(from: previousState, to: state, by: actor, keyPath: path + ".state")
        try Identifier.check(changedBy, "agency id", at: path + ".changedBy")
        if let reason, reason.state != state {
            let allowed = Reason.allCases.filter { $0.state == state }.map { "'\($0.rawValue)'" }
            throw ProtocolError(
                .invalidValue,
                "reason '\(reason.rawValue)' does not explain '\(state)'"
                    + (allowed.isEmpty ? "; only 'rejected' and 'cancelled' take a reason" : "; use one of \(allowed.joined(separator: ", "))"),
                keyPath: path + ".reason"
            )
        }
        switch (reason == .referredOnward, suggestedAlternative) {
        case (true, nil):
            throw ProtocolError(
                .missingField,
                "a referral rejected as 'referred-onward' names the suggestedAlternative agency",
                keyPath: path + ".suggestedAlternative"
            )
        case (true, let alternative?):
            try Identifier.check(alternative, "agency id", at: path + ".suggestedAlternative")
        case (false, _?):
            throw ProtocolError(.invalidValue, "suggestedAlternative is only given with reason 'referred-onward'", keyPath: path + ".suggestedAlternative")
        case (false, nil):
            break
        }
        let needsOutcome = state == .completed || state == .failed
        switch (needsOutcome, outcome) {
        case (true, nil):
            throw ProtocolError(.missingField, "a '\(state)' update carries an outcome", keyPath: path + ".outcome")
        case (false, _?):
            throw ProtocolError(.invalidValue, "only 'completed' and 'failed' updates carry an outcome", keyPath: path + ".outcome")
        case (true, let outcome?):
            try outcome.code.check("outcome code", at: path + ".outcome.code")
            if state == .failed, outcome.successful {
                throw ProtocolError(.invalidValue, "a failed referral cannot have a successful outcome", keyPath: path + ".outcome.successful")
            }
        case (false, nil):
            break
        }
        try FreeText.checkNote(note, at: path + ".note")
    }

    func wireValue(at path: String) throws(ProtocolError) -> JSONValue {
        var object = JSONObjectBuilder(path: path)
        object.set("referralId", referralId)
        object.set("state", state)
        object.set("previousState", previousState)
        object.set("changedBy", changedBy)
        try object.set("changedAt", time: changedAt)
        object.set("reason", reason)
        object.set("suggestedAlternative", suggestedAlternative)
        if let outcome {
            object.set("outcome", JSONValue.object(["successful": .bool(outcome.successful), "code": .string(outcome.code.rawValue)]))
        }
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
