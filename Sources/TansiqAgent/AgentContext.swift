import Foundation
import Logging
import TansiqMessages
import ZeroMQ

/// What a behaviour sees of its agent: who it is, the time, its referrals, and how to publish
/// and to wait. Used only on the agent's thread.
public final class AgentContext {
    /// The agent's configuration.
    public let configuration: AgentConfiguration
    /// The referrals this agent takes part in.
    public let referrals: ReferralBook
    /// The agent's logger, with its agency and agent as metadata.
    public let logger: Logger
    /// The agent's random source, seeded from its configuration.
    public var random: SeededGenerator

    /// The PUB to the ingress, when the agent has no confirmed publisher.
    private let publisher: Socket?
    /// Confirmed publishing to the hub's publish endpoint, when configured; otherwise messages
    /// go to the ingress unconfirmed.
    let confirmed: ConfirmedPublisher?
    private var outboxAdded: [ConfirmedPublisher.Pending] = []
    private var outboxRemoved: [UUID] = []
    /// Open referrals whose claim the hub gave to another provider, for the loop to let go.
    var lostClaims: [UUID] = []
    /// Per exact topic, the last message applied: gaps and duplicates are seen here. Saved.
    private(set) var topicCursors: [String: TopicCursor]
    private var movedTopics: Set<String> = []
    private var topicsReset = false
    /// Whether ``topicCursors`` names every topic anything was applied on (false for a state
    /// written before topic cursors were kept: the stream cursor then stands for them).
    private(set) var topicCursorsComplete: Bool
    /// Every message on the subscriptions up to this sequence was applied. Saved.
    var verifiedSequence: UInt64?
    private var savedVerified: UInt64?
    private let observer: AgentObserver?
    let store: AgentStore
    /// The last hub sequence processed; saved with the changes it caused.
    var cursor: StreamCursor?
    private var savedCursor: StreamCursor?
    private var timers: [Timer] = []
    /// This agent's part in virtual time (set by its loop), which counts what it does.
    var virtualParticipant: VirtualTime.Participant?
    private var timerCounter: UInt64 = 0
    /// Audit lines not yet saved.
    var pendingAudit: [AuditEntry] = []
    /// The service statuses this agency's workers set, by category (saved), and those not yet saved.
    var ownServiceStatuses: [ServiceCategory: ServiceStatus]
    var pendingServiceStatuses: [ServiceStatus] = []
    /// The latest status of every service heard of, by agency and category (not saved: providers
    /// publish theirs again at every interval).
    var directory: [String: ServiceStatus] = [:]
    /// What the coordinator's overview reads (not saved: the catch-up replays it).
    var overview = NetworkOverview()

    private struct Timer {
        var due: Date
        var order: UInt64
        var action: (AgentContext) -> Void
    }

    init(
        configuration: AgentConfiguration, publisher: Socket?, confirmed: ConfirmedPublisher?, observer: AgentObserver?, store: AgentStore,
        saved: AgentStore.Contents, logger: Logger
    ) {
        self.configuration = configuration
        self.publisher = publisher
        self.confirmed = confirmed
        topicCursors = saved.topicCursors
        topicCursorsComplete = saved.cursor == nil || saved.verifiedSequence != nil
        verifiedSequence = saved.verifiedSequence
        savedVerified = saved.verifiedSequence
        for message in saved.outbox {
            confirmed?.enqueue(id: message.id, frames: message.frames, correlationID: message.correlationID)
        }
        self.observer = observer
        self.logger = logger
        self.store = store
        self.referrals = ReferralBook(restoring: saved.referrals, processed: saved.processed, archive: store.archive(logger: logger))
        self.cursor = saved.cursor
        self.savedCursor = saved.cursor
        ownServiceStatuses = Dictionary(saved.serviceStatuses.map { ($0.category, $0) }, uniquingKeysWith: { $1 })
        // A restarted agent must not draw the ids it drew before: each start gets its own stream.
        let random = SeededGenerator(seed: configuration.seed, stream: configuration.agent)
        self.random = saved.starts > 1 ? random.derived("start-\(saved.starts)") : random
    }

    /// Saves what changed since the last save, with the cursor, in one transaction. A failure
    /// is logged and the changes are kept for the next attempt.
    func save() {
        guard referrals.hasChanges || cursor != savedCursor || !outboxAdded.isEmpty || !outboxRemoved.isEmpty
            || !movedTopics.isEmpty || topicsReset || verifiedSequence != savedVerified
            || !pendingAudit.isEmpty || !pendingServiceStatuses.isEmpty
        else { return }
        let pending = referrals.pendingChanges
        var changes = AgentStore.Changes(referrals: pending.referrals, processed: pending.processed, cursor: cursor == savedCursor ? nil : cursor)
        changes.outboxAdded = outboxAdded
        changes.outboxRemoved = outboxRemoved
        changes.resetTopicCursors = topicsReset
        for topic in movedTopics { changes.topicCursors[topic] = topicCursors[topic] }
        if verifiedSequence != savedVerified { changes.verifiedSequence = verifiedSequence }
        changes.audit = pendingAudit
        changes.serviceStatuses = pendingServiceStatuses
        do {
            try store.commit(changes)
            pendingAudit.removeAll()
            pendingServiceStatuses.removeAll()
            referrals.clearChanges()
            savedCursor = cursor
            outboxAdded.removeAll()
            outboxRemoved.removeAll()
            movedTopics.removeAll()
            topicsReset = false
            savedVerified = verifiedSequence
        } catch {
            logger.error("agent state not saved", metadata: ["error": "\(error)"])
        }
    }

    /// The agency this agent acts for.
    public var agency: String { configuration.agency }

    /// The largest message the hub has announced it accepts, in bytes; nil until its first
    /// acknowledgement (and always without a confirmed publisher). Larger messages are refused
    /// here by ``publish(_:on:correlationID:causationID:)``.
    public var hubMessageLimit: Int? { confirmed?.limits?.maxMessageBytes }

    /// The current time on the agent's clock.
    public func now() -> Date {
        configuration.clock.now()
    }

    /// Publishes a typed message; returns its id, or nil if it could not be encoded or sent
    /// (the failure is logged: it is a bug in the caller, never in the peer).
    @discardableResult
    public func publish(
        _ payload: Payload,
        on topic: Topic,
        correlationID: UUID? = nil,
        causationID: UUID? = nil
    ) -> UUID? {
        let envelope = Envelope(
            topic: topic,
            source: configuration.agency,
            agent: configuration.agent,
            payload: payload,
            time: now(),
            correlationID: correlationID,
            causationID: causationID
        )
        do {
            let frames = try MessageCodec.encode(envelope, rules: configuration.privacy)
            let size = frames.reduce(0) { $0 + $1.count }
            let limit = confirmed?.maxMessageBytes ?? ConfirmedPublisher.defaultMaxMessageBytes
            guard size <= limit else {
                // Refused here rather than by the hub (or, far larger, dropped by libzmq).
                let text = "message is \(size) bytes; the hub accepts at most \(limit)"
                logger.error("message too large: not sent", metadata: ["topic": "\(topic)", "message-id": "\(envelope.header.id)", "detail": "\(text)"])
                emit(.publishRefused(messageID: envelope.header.id, topic: topic.description, reason: .tooLarge, message: text, correlationID: correlationID))
                return nil
            }
            virtualParticipant?.noteActivity()
            if let confirmed {
                confirmed.enqueue(id: envelope.header.id, frames: frames, correlationID: correlationID)
                outboxAdded.append(ConfirmedPublisher.Pending(id: envelope.header.id, frames: frames, correlationID: correlationID))
            } else {
                try publisher?.send(frames)
            }
            return envelope.header.id
        } catch {
            logger.error("publish failed", metadata: ["topic": "\(topic)", "error": "\(error)"])
            return nil
        }
    }

    /// Sends a message to the hub unconfirmed (the heartbeat, whose echo is the point).
    @discardableResult
    func publishUnconfirmed(_ payload: Payload, on topic: Topic) -> UUID? {
        let envelope = Envelope(
            topic: topic, source: configuration.agency, agent: configuration.agent, payload: payload, time: now())
        do {
            let frames = try MessageCodec.encode(envelope)
            // With a confirmed publisher its one connection carries everything the agent sends.
            if let confirmed { try confirmed.sendUnconfirmed(frames) } else { try publisher?.send(frames) }
            return envelope.header.id
        } catch {
            logger.error("publish failed", metadata: ["topic": "\(topic)", "error": "\(error)"])
            return nil
        }
    }

    /// Moves the cursor of one exact topic (saved with the next commit).
    func moveTopicCursor(_ topic: String, to cursor: TopicCursor) {
        topicCursors[topic] = cursor
        movedTopics.insert(topic)
    }

    /// Forgets every topic cursor: the hub's stream started again.
    func resetTopicCursors() {
        topicCursors.removeAll()
        movedTopics.removeAll()
        topicsReset = true
        topicCursorsComplete = true
    }

    /// Reads the hub's acknowledgements, drops what ended from the outbox (a final refusal is
    /// logged and reported), saves, then sends what is due: a message leaves only once it is
    /// in the state file.
    /// Whether the hub's refusal of our message on `referral` says another provider had the open
    /// referral first: `already-claimed`, or `referral-closed` when our claim reached the hub only
    /// after the winner had closed it (held in our outbox while the hub was down, say).
    func lostTheClaim(_ reason: HubRejection.Reason, on referral: UUID) -> Bool {
        if reason == .alreadyClaimed { return true }
        guard reason == .referralClosed, let tracked = referrals[referral] else { return false }
        return tracked.part == .receiver && tracked.referral.receivingAgency == nil
    }

    func pumpOutbox() throws(ZMQError) {
        guard let confirmed else { return }
        for (message, outcome) in try confirmed.receiveAcknowledgements() {
            outboxRemoved.append(message.id)
            let acknowledgement: PublishAcknowledgement
            switch outcome {
            case .accepted(let accepted):
                emit(.publishConfirmed(messageID: message.id, seq: accepted.seq ?? 0, duplicate: accepted.duplicate == true))
                continue
            case .refused(let refused):
                acknowledgement = refused
            }
            let topic = String(decoding: message.frames[0], as: UTF8.self)
            let reason = acknowledgement.reason ?? HubRejection.Reason(rawValue: "refused")
            if let referral = message.correlationID, lostTheClaim(reason, on: referral) {
                // Another provider claimed the open referral first: the hub decided, we let it go.
                logger.info("open referral claimed by another agency first", metadata: ["referral": "\(referral)"])
                lostClaims.append(referral)
                emit(.claimLost(referralID: referral, messageID: message.id))
                continue
            }
            logger.error("the hub refused a message of ours", metadata: [
                "message-id": "\(message.id)", "topic": "\(topic)", "reason": "\(reason.rawValue)",
                "detail": "\(acknowledgement.message ?? "-")",
            ])
            takeBack(message, refused: reason, explanation: acknowledgement.message ?? reason.rawValue)
            emit(.publishRefused(messageID: message.id, topic: topic, reason: reason, message: acknowledgement.message ?? reason.rawValue,
                correlationID: message.correlationID))
        }
        save()
        try confirmed.pump()
    }

    /// A status move of ours that the hub refused never happened: the book goes back to the
    /// state the hub holds, with the refusal kept for the worker to see. A later move of ours
    /// queued behind it is refused too and finds nothing left to take back.
    private func takeBack(_ message: ConfirmedPublisher.Pending, refused reason: HubRejection.Reason, explanation: String) {
        guard let referral = message.correlationID, message.frames.count >= 3,
              let decoded = try? MessageCodec.decode(Array(message.frames.prefix(3))),
              case .referralStatus(let update) = decoded.envelope.payload, update.changedBy == configuration.agency,
              // Dates come back from the wire rounded: the move is matched by what it does.
              referrals[referral]?.history.contains(where: {
                  ($0.previousState, $0.state, $0.changedBy) == (update.previousState, update.state, update.changedBy)
              }) == true
        else { return }
        let undone = referrals.rewind(referral, to: update.previousState, by: configuration.agency)
        guard !undone.isEmpty else { return }
        referrals.noteRefusal(referral, .init(state: update.state, reason: reason, message: explanation, at: now()))
        logger.warning("a move of ours refused by the hub was taken back", metadata: [
            "referral": "\(referral)", "refused": "\(update.state.rawValue)", "back-to": "\(update.previousState.rawValue)",
        ])
    }

    /// Publishes a status change of a referral this agent takes part in, addressed to the other
    /// party, after checking it against the lifecycle. Returns false if the move is illegal.
    @discardableResult
    public func publishStatus(
        of id: UUID,
        to state: ReferralState,
        reason: ReferralStatusUpdate.Reason? = nil,
        suggestedAlternative: String? = nil,
        outcome: ReferralStatusUpdate.Outcome? = nil,
        causationID: UUID? = nil
    ) -> Bool {
        guard let tracked = referrals[id] else { return false }
        let update = ReferralStatusUpdate(
            referralId: id,
            state: state,
            previousState: tracked.state,
            changedBy: configuration.agency,
            changedAt: now(),
            reason: reason,
            suggestedAlternative: suggestedAlternative,
            outcome: outcome
        )
        do {
            try referrals.apply(update)
        } catch {
            logger.error("illegal status change refused", metadata: ["referral": "\(id)", "error": "\(error)"])
            return false
        }
        referrals.recordPublished(update)
        referrals.noteRefusal(id, nil)
        publishUpdate(update, addressee: addressee(of: update, in: tracked), category: tracked.referral.category, correlationID: id, causationID: causationID)
        return true
    }

    private func addressee(of update: ReferralStatusUpdate, in tracked: TrackedReferral) -> String {
        let referral = tracked.referral
        return update.changedBy == referral.referringAgency ? (tracked.receiver ?? referral.referringAgency) : referral.referringAgency
    }

    /// Publishes a status update that is not applied to this agent's own book (the referrer
    /// cancelling a provider's claim on an open referral it gave to someone else).
    func publishUpdate(_ update: ReferralStatusUpdate, addressee: String, category: ServiceCategory, correlationID: UUID, causationID: UUID? = nil, reporting: Bool = true) {
        do {
            let topic = try Topic.status(addressee: addressee, sender: configuration.agency, category: category)
            if publish(.referralStatus(update), on: topic, correlationID: correlationID, causationID: causationID) != nil, reporting {
                emit(.statusPublished(update))
            }
        } catch {
            logger.error("no topic for status update", metadata: ["addressee": "\(addressee)", "error": "\(error)"])
        }
    }

    /// Publishes again every status change this agent made on a referral, in order, for a
    /// party that may have missed them (it sent the referral again). Returns how many.
    func resendStatuses(of tracked: TrackedReferral, causationID: UUID) -> Int {
        for update in tracked.published {
            publishUpdate(
                update, addressee: addressee(of: update, in: tracked), category: tracked.referral.category,
                correlationID: tracked.referral.referralId, causationID: causationID, reporting: false)
        }
        return tracked.published.count
    }

    /// Runs `action` on this agent's thread after `seconds` of agent-clock time.
    public func schedule(after seconds: TimeInterval, _ action: @escaping (AgentContext) -> Void) {
        timerCounter += 1
        let timer = Timer(due: now().addingTimeInterval(max(0, seconds)), order: timerCounter, action: action)
        let index = timers.partitioningIndex { ($0.due, $0.order) > (timer.due, timer.order) }
        timers.insert(timer, at: index)
    }

    /// Reports an event to the observer.
    public func emit(_ event: AgentEvent) {
        observer?(AgentIdentity(agency: configuration.agency, agent: configuration.agent), event, now())
    }

    /// Whether a timer is due now.
    var hasDueTimer: Bool { timers.first.map { $0.due <= now() } ?? false }

    /// When the next timer is due.
    var nextTimerDue: Date? { timers.first?.due }

    /// Runs the timers that are due; returns the real time until the next one.
    func fireDueTimers() -> Duration? {
        var fired = false
        while let first = timers.first, first.due <= now() {
            timers.removeFirst()
            first.action(self)
            fired = true
        }
        if fired {
            virtualParticipant?.noteActivity()
            save()
        }
        guard let next = timers.first else { return nil }
        return configuration.clock.realDuration(ofSimulated: next.due.timeIntervalSince(now()))
    }
}

extension Array {
    /// The first index whose element satisfies `belongsInSecondPartition`, for a partitioned array.
    fileprivate func partitioningIndex(where belongsInSecondPartition: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongsInSecondPartition(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

extension AgentContext {
    /// Sends a referral (addressed when it names a receiving agency, open otherwise) and starts
    /// tracking it as its referrer. Returns false if it could not be sent.
    @discardableResult
    public func refer(_ referral: Referral) -> Bool {
        do {
            let topic: Topic
            if let receiver = referral.receivingAgency {
                topic = try Topic.referral(to: receiver, category: referral.category)
            } else {
                topic = try Topic.openReferral(category: referral.category, referrer: configuration.agency)
            }
            referrals.record(referral, part: .referrer, at: now())
            guard let id = publish(.referral(referral), on: topic, correlationID: referral.referralId) else { return false }
            referrals.setMessageID(referral.referralId, id)
            emit(.referralSent(referral))
            return true
        } catch {
            logger.error("referral not sent", metadata: ["referral": "\(referral.referralId)", "error": "\(error)"])
            return false
        }
    }
}
