import Foundation

/// A whole message: its topic, its header and its typed body.
public struct Envelope: Sendable, Equatable {
    /// Where the message is published.
    public var topic: Topic
    /// Who sent what, when.
    public var header: Header
    /// The typed body.
    public var payload: Payload

    /// Builds a message with a fresh header: a new UUID and the current time (pass `id` and
    /// `time` for reproducible messages). `correlationID` defaults to the referral the
    /// payload is about.
    public init(
        topic: Topic,
        source: String,
        agent: String,
        payload: Payload,
        id: UUID = UUID(),
        time: Date = Date(),
        correlationID: UUID? = nil,
        causationID: UUID? = nil
    ) {
        self.topic = topic
        self.payload = payload
        self.header = Header(
            id: id,
            type: payload.kind,
            source: source,
            agent: agent,
            time: time,
            correlationid: correlationID ?? payload.referralID,
            causationid: causationID
        )
    }

    /// Assembles a message from an existing header.
    public init(topic: Topic, header: Header, payload: Payload) {
        self.topic = topic
        self.header = header
        self.payload = payload
    }

    /// Checks the whole message: the header, the body, and that topic, header and body agree
    /// (kind, sender, parties, category, correlation id).
    public func validate() throws(ProtocolError) {
        try header.validate()
        try payload.object.validate(at: "body")
        try validateConsistency()
    }
}

extension Envelope {
    /// The rules that tie topic, header and body together.
    func validateConsistency() throws(ProtocolError) {
        let kind = payload.kind
        guard header.type == kind else {
            throw ProtocolError(.invalidValue, "the header says '\(header.type)' but the body is a '\(kind)'", keyPath: "header.type")
        }
        guard topic.allows(kind) else {
            throw ProtocolError(
                .kindTopicMismatch,
                "a '\(kind)' message may not be published on '\(topic)'; \(topic.family.template) carries '\(topic.family.kind)'",
                keyPath: "topic"
            )
        }
        if let sender = topic.declaredSender, sender != header.source {
            throw ProtocolError(
                .senderMismatch,
                "source '\(header.source)' is not '\(sender)', the \(topic.family == .status ? "sender" : "agency") the topic '\(topic)' names",
                keyPath: "header.source"
            )
        }
        if let referralID = payload.referralID {
            guard let correlation = header.correlationid else {
                throw ProtocolError(.missingField, "a '\(kind)' message carries its referral id as correlationid", keyPath: "header.correlationid")
            }
            guard correlation == referralID else {
                throw ProtocolError(
                    .invalidValue,
                    "correlationid \(Identifier.text(correlation)) is not the referral id \(Identifier.text(referralID))",
                    keyPath: "header.correlationid"
                )
            }
        }
        try validateParties()
    }

    private func mismatch(_ field: String, _ value: String?, _ part: String, _ expected: String?) -> ProtocolError {
        ProtocolError(
            .bodyTopicMismatch,
            "\(field) '\(value ?? "none")' is not the \(part) '\(expected ?? "none")' named by the topic '\(topic)'",
            keyPath: "body." + field
        )
    }

    private func validateParties() throws(ProtocolError) {
        switch payload {
        case .referral(let referral):
            if topic.family == .referralAddressed {
                guard referral.receivingAgency == topic.receiver else {
                    throw mismatch("receivingAgency", referral.receivingAgency, "receiver", topic.receiver)
                }
            } else {
                guard referral.receivingAgency == nil else {
                    throw ProtocolError(.bodyTopicMismatch, "an open referral has no receivingAgency", keyPath: "body.receivingAgency")
                }
                guard referral.referringAgency == topic.referrer else {
                    throw mismatch("referringAgency", referral.referringAgency, "referrer", topic.referrer)
                }
            }
            guard referral.category == topic.category else {
                throw mismatch("category", referral.category.rawValue, "category", topic.category?.rawValue)
            }
            guard referral.referringAgency == header.source else {
                throw ProtocolError(
                    .senderMismatch,
                    "referringAgency '\(referral.referringAgency)' did not send this message; source is '\(header.source)'",
                    keyPath: "body.referringAgency"
                )
            }
        case .referralStatus(let update):
            guard update.changedBy == topic.sender else {
                throw mismatch("changedBy", update.changedBy, "sender", topic.sender)
            }
            guard topic.addressee != topic.sender else {
                throw ProtocolError(.malformedTopic, "a status update is addressed to the other party, not to its sender", keyPath: "topic")
            }
        case .escalation(let escalation), .hubEscalation(let escalation):
            guard escalation.referrer == topic.referrer else {
                throw mismatch("referrer", escalation.referrer, "referrer", topic.referrer)
            }
            guard escalation.category == topic.category else {
                throw mismatch("category", escalation.category.rawValue, "category", topic.category?.rawValue)
            }
        case .serviceStatus(let status):
            guard status.agency == topic.agency else { throw mismatch("agency", status.agency, "agency", topic.agency) }
            guard status.category == topic.category else {
                throw mismatch("category", status.category.rawValue, "category", topic.category?.rawValue)
            }
        case .presence(let presence):
            guard presence.agency == topic.agency else { throw mismatch("agency", presence.agency, "agency", topic.agency) }
            guard presence.agent == topic.agent else { throw mismatch("agent", presence.agent, "agent", topic.agent) }
            guard presence.agent == header.agent else {
                throw ProtocolError(.senderMismatch, "agent '\(header.agent)' sent the heartbeat of agent '\(presence.agent)'", keyPath: "header.agent")
            }
        case .hubStatistics(let statistics):
            guard statistics.hub == topic.hub else { throw mismatch("hub", statistics.hub, "hub", topic.hub) }
            guard statistics.hub == header.source else {
                throw ProtocolError(.senderMismatch, "statistics of hub '\(statistics.hub)' sent by '\(header.source)'", keyPath: "header.source")
            }
        case .hubRejection(let rejection):
            if let agency = rejection.agency, agency != topic.agency {
                throw mismatch("agency", agency, "agency", topic.agency)
            }
        case .hubPresence(let presence):
            guard presence.agency == topic.agency else { throw mismatch("agency", presence.agency, "agency", topic.agency) }
        case .referralView(let view):
            guard view.referrer == topic.referrer else { throw mismatch("referrer", view.referrer, "referrer", topic.referrer) }
            guard view.category == topic.category else {
                throw mismatch("category", view.category.rawValue, "category", topic.category?.rawValue)
            }
        case .sharedReferral(let referral):
            guard referral.referringAgency == topic.referrer else {
                throw mismatch("referringAgency", referral.referringAgency, "referrer", topic.referrer)
            }
            guard referral.category == topic.category else {
                throw mismatch("category", referral.category.rawValue, "category", topic.category?.rawValue)
            }
        case .escalationAcknowledgement(let acknowledgement):
            guard acknowledgement.referrer == topic.referrer else {
                throw mismatch("referrer", acknowledgement.referrer, "referrer", topic.referrer)
            }
            guard acknowledgement.category == topic.category else {
                throw mismatch("category", acknowledgement.category.rawValue, "category", topic.category?.rawValue)
            }
            guard acknowledgement.acknowledgedBy == header.source else {
                throw ProtocolError(
                    .senderMismatch, "acknowledgedBy '\(acknowledgement.acknowledgedBy)' did not send this message; source is '\(header.source)'",
                    keyPath: "body.acknowledgedBy")
            }
        case .replayRequest, .replayEnd:
            break
        }
    }
}
