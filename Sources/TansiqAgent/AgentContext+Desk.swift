import Foundation
import TansiqMessages

/// What the desk asks of its agent, always on the agent's thread (through ``AgentCommandQueue``).
/// Every action is checked as the hub would check it — the lifecycle, this agency's part in
/// the referral, the wire rules and the privacy rules — and refused with the same
/// ``ProtocolError`` before anything changes or is sent; what is done is in the audit trail.
extension AgentContext {
    /// The status a worker last set for one of this agency's services.
    public func ownServiceStatus(_ category: ServiceCategory) -> ServiceStatus? {
        ownServiceStatuses[category]
    }

    /// Every service heard of (this agency's included), by agency then category.
    public var serviceDirectory: [ServiceStatus] {
        directory.values.sorted { ($0.agency, $0.category.rawValue) < ($1.agency, $1.category.rawValue) }
    }

    func noteServiceStatus(_ status: ServiceStatus) {
        let key = "\(status.agency)/\(status.category.rawValue)"
        if let known = directory[key], known.updatedAt > status.updatedAt { return }
        directory[key] = status
    }

    /// Appends a line to the audit trail (saved with the changes of the same round).
    public func audit(_ entry: AuditEntry) {
        pendingAudit.append(entry)
    }

    /// The workers' accounts of this agent's desk.
    public func deskAccounts() throws(AgentStoreError) -> [DeskAccount] {
        try store.accounts()
    }

    /// The audit trail so far, saved lines and pending ones.
    public func auditTrail() throws(AgentStoreError) -> [AuditEntry] {
        try store.auditTrail() + pendingAudit
    }

    /// Throws what the hub would answer to this message (its wire and privacy rules), sending nothing.
    public func check(_ payload: Payload, on topic: Topic) throws(ProtocolError) {
        let envelope = Envelope(topic: topic, source: configuration.agency, agent: configuration.agent, payload: payload, time: now())
        _ = try MessageCodec.encode(envelope, rules: configuration.privacy)
    }

    /// A worker moves a referral: a receiver's forward move, or the referrer's cancellation.
    @discardableResult
    public func change(
        _ id: UUID,
        to state: ReferralState,
        reason: ReferralStatusUpdate.Reason? = nil,
        suggestedAlternative: String? = nil,
        outcome: ReferralStatusUpdate.Outcome? = nil,
        note: String? = nil,
        worker: String
    ) throws(ProtocolError) -> ReferralStatusUpdate {
        guard let tracked = referrals[id], tracked.part != .observer else {
            throw ProtocolError(.invalidValue, "unknown referral \(id.uuidString.lowercased())", keyPath: "body.referralId")
        }
        let actor: ReferralActor = state == .cancelled ? .referrer : .receiver
        let part: TrackedReferral.Part = actor == .referrer ? .referrer : .receiver
        guard tracked.part == part else {
            throw ProtocolError(
                .illegalTransition,
                "illegal transition from '\(tracked.state)' to '\(state)' by the \(tracked.part == .referrer ? "referrer" : "receiver"): "
                    + (actor == .referrer ? "only the referring agency may cancel a referral" : "only the receiving agency may move a referral from '\(tracked.state)' to '\(state)'"),
                keyPath: "body.state")
        }
        try ReferralLifecycle.transition(from: tracked.state, to: state, by: actor)
        let update = ReferralStatusUpdate(
            referralId: id, state: state, previousState: tracked.state, changedBy: configuration.agency, changedAt: now(),
            reason: reason, suggestedAlternative: suggestedAlternative, outcome: outcome, note: note)
        let addressee = update.changedBy == tracked.referral.referringAgency ? (tracked.receiver ?? tracked.referral.referringAgency) : tracked.referral.referringAgency
        try check(.referralStatus(update), on: try Topic.status(addressee: addressee, sender: configuration.agency, category: tracked.referral.category))
        do {
            try referrals.apply(update)
        } catch let error as ProtocolError {
            throw error
        } catch {
            throw ProtocolError(.illegalTransition, "\(error)", keyPath: "body.state")
        }
        referrals.setNextStep(id, at: nil)
        referrals.recordPublished(update)
        publishUpdate(update, addressee: addressee, category: tracked.referral.category, correlationID: id)
        var detail = "from=\(tracked.state.rawValue) to=\(state.rawValue)"
        if let reason { detail += " reason=\(reason.rawValue)" }
        if let suggestedAlternative { detail += " alternative=\(suggestedAlternative)" }
        if let outcome { detail += " outcome=\(outcome.code.rawValue)" }
        audit(AuditEntry(at: now(), worker: worker, action: Self.action(for: state, from: tracked.state), referral: id, detail: detail))
        return update
    }

    private static func action(for state: ReferralState, from previous: ReferralState) -> String {
        switch state {
        case .accepted: "accept"
        case .rejected: "reject"
        case .inProgress: previous == .onHold ? "resume" : "start"
        case .onHold: "hold"
        case .completed: "complete"
        case .failed: "fail"
        case .cancelled: "cancel"
        default: state.rawValue
        }
    }

    /// A worker sends a referral they wrote.
    public func refer(_ referral: Referral, worker: String) throws(ProtocolError) {
        let topic: Topic
        if let receiver = referral.receivingAgency {
            topic = try Topic.referral(to: receiver, category: referral.category)
        } else {
            topic = try Topic.openReferral(category: referral.category, referrer: configuration.agency)
        }
        try check(.referral(referral), on: topic)
        guard !referrals.contains(referral.referralId) else {
            throw ProtocolError(.invalidValue, "referral \(referral.referralId.uuidString.lowercased()) was sent already", keyPath: "body.referralId")
        }
        guard refer(referral) else {
            throw ProtocolError(.invalidValue, "the referral could not be sent (see the agent's log)", keyPath: "body")
        }
        audit(AuditEntry(
            at: now(), worker: worker, action: "refer", referral: referral.referralId,
            detail: "category=\(referral.category.rawValue) priority=\(referral.priority.rawValue) receiver=\(referral.receivingAgency ?? "open")"))
    }

    /// A worker sets the status of one of this agency's services: published as `service.status`,
    /// kept in the state file, published again at every interval until changed.
    public func setServiceStatus(_ status: ServiceStatus, worker: String) throws(ProtocolError) {
        guard status.agency == configuration.agency else {
            throw ProtocolError(.invalidValue, "a service status names this agency, \(configuration.agency)", keyPath: "body.agency")
        }
        let topic = try Topic.service(category: status.category, agency: configuration.agency)
        try check(.serviceStatus(status), on: topic)
        guard publish(.serviceStatus(status), on: topic) != nil else {
            throw ProtocolError(.invalidValue, "the service status could not be sent (see the agent's log)", keyPath: "body")
        }
        emit(.serviceStatusPublished(status))
        ownServiceStatuses[status.category] = status
        pendingServiceStatuses.append(status)
        noteServiceStatus(status)
        var detail = "category=\(status.category.rawValue) status=\(status.status.rawValue) accepting=\(status.accepting.rawValue)"
        detail += " available=\(status.capacity.available) maximum=\(status.capacity.maximum)"
        audit(AuditEntry(at: now(), worker: worker, action: "service-status", detail: detail))
    }
}
