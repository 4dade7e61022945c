import Foundation
import TansiqMessages

/// What the coordinator's overview is made of, as the agent heard it: the hub's de-identified
/// view of every referral (never a body), the escalations and their acknowledgements, the
/// hub's notices of partners gone silent. Kept in memory on the agent's thread; the catch-up
/// from the journal fills it again after a restart.
public struct NetworkOverview: Sendable {
    /// The latest view of every referral, by id.
    public private(set) var views: [UUID: ReferralView] = [:]
    /// Every escalation heard of, with its acknowledgement once there is one.
    public private(set) var escalations: [EscalationKey: EscalationEntry] = [:]
    /// The hub's last notice about each agency.
    public private(set) var presence: [String: HubPresence] = [:]
    /// Every referral's moves as the hub's views recorded them (state, hub time), oldest first,
    /// and the coded reason of a final move (from the status update): the facts are built from these.
    public private(set) var trails: [UUID: [(state: ReferralState, at: Date)]] = [:]
    public private(set) var closeReasons: [UUID: String] = [:]

    /// One escalated deadline of one referral.
    public struct EscalationKey: Sendable, Hashable {
        public var referralId: UUID
        public var deadline: Escalation.Deadline
    }

    /// An escalation and what the coordinator did about it.
    public struct EscalationEntry: Sendable {
        public var escalation: Escalation
        public var acknowledgement: EscalationAcknowledgement?
    }

    public init() {}

    /// Takes in one message the coordinator subscribes to (a replay of the hub's journal, say).
    public mutating func apply(_ payload: Payload) {
        switch payload {
        case .referralView(let view): note(view)
        case .referralStatus(let update): note(update)
        case .escalation(let escalation), .hubEscalation(let escalation): note(escalation)
        case .escalationAcknowledgement(let acknowledgement): note(acknowledgement)
        case .hubPresence(let notice): note(notice)
        default: break
        }
    }

    mutating func note(_ view: ReferralView) {
        var trail = trails[view.referralId] ?? []
        if !trail.contains(where: { $0.state == view.state && $0.at == view.updatedAt }) {
            trail.append((view.state, view.updatedAt))
            trail.sort { $0.at < $1.at }
            trails[view.referralId] = trail
        }
        if let known = views[view.referralId], known.updatedAt > view.updatedAt { return }
        views[view.referralId] = view
    }

    mutating func note(_ escalation: Escalation) {
        let key = EscalationKey(referralId: escalation.referralId, deadline: escalation.deadline)
        // The referrer's and the hub's escalation of one deadline are one entry.
        if escalations[key] == nil { escalations[key] = EscalationEntry(escalation: escalation) }
    }

    mutating func note(_ acknowledgement: EscalationAcknowledgement) {
        let key = EscalationKey(referralId: acknowledgement.referralId, deadline: acknowledgement.deadline)
        escalations[key]?.acknowledgement = acknowledgement
    }

    mutating func note(_ update: ReferralStatusUpdate) {
        if update.state.isTerminal, let reason = update.reason { closeReasons[update.referralId] = reason.rawValue }
    }

    mutating func note(_ notice: HubPresence) {
        if let known = presence[notice.agency], known.lastSeen > notice.lastSeen { return }
        presence[notice.agency] = notice
    }

    /// The agencies the hub last called silent, longest silent first.
    public var silentAgencies: [HubPresence] {
        presence.values.filter { $0.state == .silent }.sorted { $0.lastSeen < $1.lastSeen }
    }
}

extension AgentContext {
    /// The coordinator's overview, as far as the agent heard it.
    public var networkOverview: NetworkOverview { overview }

    /// The coordinator acknowledges an escalation and records what was done (1.2): published on
    /// `escalation-ack/<referrer>/<category>/<coordinator>`, checked as the hub checks it.
    @discardableResult
    public func acknowledgeEscalation(
        _ referralId: UUID, deadline: Escalation.Deadline, action: EscalationAcknowledgement.Action, note: String?, worker: String
    ) throws(ProtocolError) -> EscalationAcknowledgement {
        let key = NetworkOverview.EscalationKey(referralId: referralId, deadline: deadline)
        guard let entry = overview.escalations[key] else {
            throw ProtocolError(.invalidValue, "no escalation of this referral's \(deadline.rawValue) deadline was heard", keyPath: "body.referralId")
        }
        let acknowledgement = EscalationAcknowledgement(
            referralId: referralId, referrer: entry.escalation.referrer, category: entry.escalation.category, deadline: deadline,
            action: action, acknowledgedBy: configuration.agency, acknowledgedAt: now(), note: note)
        let topic = try Topic.escalationAck(referrer: entry.escalation.referrer, category: entry.escalation.category, coordinator: configuration.agency)
        try check(.escalationAcknowledgement(acknowledgement), on: topic)
        guard publish(.escalationAcknowledgement(acknowledgement), on: topic, correlationID: referralId) != nil else {
            throw ProtocolError(.invalidValue, "the acknowledgement could not be sent (see the agent's log)", keyPath: "body")
        }
        overview.note(acknowledgement)
        audit(AuditEntry(
            at: now(), worker: worker, action: "escalation-ack", referral: referralId,
            detail: "deadline=\(deadline.rawValue) action=\(action.rawValue)"))
        return acknowledgement
    }
}
