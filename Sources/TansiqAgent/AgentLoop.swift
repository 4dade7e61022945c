import Foundation
import Logging
import TansiqMessages
import ZeroMQ

/// The agent's loop: owns its SUB (from the hub's egress) and, without a confirmed publisher,
/// a PUB (to the hub's ingress); keeps the referral book, watches deadlines and sends
/// heartbeats. Used only by its thread.
final class AgentLoop {
    let configuration: AgentConfiguration
    private let subscriber: Socket
    private let publisher: Socket?
    let context: AgentContext
    private let behaviour: any AgentBehaviour
    private let commands: AgentCommandQueue?
    let logger: Logger
    private let startedAt = ContinuousClock.now
    private let presenceTopic: Topic
    var lastPresenceEcho: HubStamp?
    var isReady = false
    /// While the book is rebuilt from the hub, the behaviour sees nothing (AgentLoop+Rebuild).
    var rebuilding = false
    let replayClient: ReplayClient?
    /// Watches the connection to the egress: after a reconnection (the hub restarted) the agent
    /// catches up again once its heartbeat comes back.
    let connection: HubConnectionWatch
    var connectionWarnings: WarningThrottle
    private var lostConnection = false
    /// Reconnected: waiting for our heartbeat's echo before catching up again.
    var awaitingEcho = false
    /// Every message on our subscriptions up to this sequence has been applied: checked against
    /// the journal at each echo of our heartbeat, saved in the state (`nil` before the first catch-up).
    var verifiedSequence: UInt64? {
        get { context.verifiedSequence }
        set { context.verifiedSequence = newValue }
    }
    /// When the echo of our heartbeat next triggers that check.
    private var nextVerification = ContinuousClock.now
    /// Virtual time: this agent's part, and the presence probe sent while quiet (its echo
    /// proves, the hub forwarding in order, that everything forwarded to us before it has
    /// arrived), with the instant and the activity count it was sent at.
    private var participant: VirtualTime.Participant?
    private var probe: Probe?
    /// The highest stream sequence received from the egress, and whether a probe's echo has
    /// come back since the last (re)connection (proving the subscriptions are in place).
    private var lastReceived: UInt64 = 0
    private var probedSinceConnecting = false
    /// Virtual time: the messages taken from the egress since our first echo after connecting
    /// (`nil` until it came): the clock compares them with what it forwarded to us.
    private var delivery: VirtualTime.Delivery?

    private struct Probe {
        var id: UUID
        var sentAt: ContinuousClock.Instant
        var time: Date
        var activity: UInt64
        var echo: UInt64?
    }
    /// The agent-clock time of the last deadline check.
    private var lastDeadlineCheck: Date?
    private var schedule: Schedule
    private var slots: PollSlots?
    /// Called on the loop's thread when the agent becomes ready.
    var onReady: () -> Void = {}

    init(
        configuration: AgentConfiguration,
        zmq: Context,
        behaviour: any AgentBehaviour,
        observer: AgentObserver?,
        commands: AgentCommandQueue? = nil,
        hostWake: WakeSignal? = nil,
        logger: Logger
    ) throws {
        self.configuration = configuration
        schedule = Schedule(heartbeatInterval: configuration.heartbeatInterval)
        self.behaviour = behaviour
        self.commands = commands
        self.logger = logger
        presenceTopic = try Topic.presence(agency: configuration.agency, agent: configuration.agent)
        let store = try AgentStore(path: configuration.state, masterKey: configuration.stateKey, cacheKiB: configuration.stateCacheKiB,
            durability: configuration.stateDurability)
        let saved = try store.load(agency: configuration.agency, agent: configuration.agent)
        subscriber = try zmq.makeSocket(.sub)
        // A confirmed publisher's DEALER carries the heartbeats too: one CURVE connection (some
        // 100 KB of buffers on each side, three descriptors) fewer an agent.
        publisher = configuration.publish == nil ? try zmq.makeSocket(.pub) : nil
        let confirmed = try configuration.publish.map { endpoint throws(ZMQError) in
            try ConfirmedPublisher(context: zmq, endpoint: endpoint, keys: configuration.hubKeys, ackTimeout: configuration.ackTimeout, logger: logger)
        }
        context = AgentContext(
            configuration: configuration, publisher: publisher, confirmed: confirmed, observer: observer, store: store, saved: saved,
            logger: logger)
        replayClient = try configuration.replay.map { endpoint throws(ReplayError) in
            let client = try ReplayClient(context: zmq, endpoint: endpoint, agency: configuration.agency, agent: configuration.agent,
                keys: configuration.hubKeys, logger: logger)
            client.keepsConnection = configuration.keepsReplayConnection
            return client
        }
        connection = try HubConnectionWatch(socket: subscriber, context: zmq, endpoint: configuration.egress, keys: configuration.hubKeys)
        connectionWarnings = WarningThrottle(interval: configuration.hubWarnings.every)
        if !saved.referrals.isEmpty || saved.cursor != nil {
            logger.info("agent state restored", metadata: [
                "referrals": "\(saved.referrals.count)", "sequence": "\(saved.cursor?.sequence ?? 0)", "starts": "\(saved.starts)",
                "outbox": "\(saved.outbox.count)", "verified": "\(saved.verifiedSequence ?? 0)",
            ])
        }
        try subscriber.set(.receiveHighWaterMark(configuration.receiveHighWaterMark))
        try publisher?.set(.sendHighWaterMark(100_000))
        if let hubKeys = configuration.hubKeys {
            try hubKeys.configureClient(subscriber)
            if let publisher { try hubKeys.configureClient(publisher) }
        }
        for prefix in subscriptions {
            try subscriber.set(.subscribe(Array(prefix.utf8)))
        }
        // Subscribed last: when our own presence comes back, the hub holds every prefix above.
        try subscriber.set(.subscribe(Array(presenceTopic.description.utf8)))
        try subscriber.connect(configuration.egress)
        try publisher?.connect(configuration.ingress)
        // On a host thread the agent's wake-up shares the host's pipe: one pipe per thread.
        if let virtual = configuration.clock.virtual {
            let wake = try hostWake.map(WakeSignal.init(sharing:)) ?? WakeSignal.make()
            participant = virtual.join(configuration.agent, subscriptions: subscriptions, presence: presenceTopic.description, wake: wake)
        }
        context.virtualParticipant = participant
    }

    /// The runtime's own subscriptions, the behaviour's and the configured extras.
    var subscriptions: [String] {
        let agency = configuration.agency
        var prefixes = [
            "referral/to/\(agency)/", "status/\(agency)/", "escalation/\(agency)/", "hub/escalation/\(agency)/",
            "hub/rejected/\(agency)",
        ]
        prefixes += behaviour.subscriptions + configuration.extraSubscriptions
        var seen = Set<String>()
        return prefixes.filter { seen.insert($0).inserted }
    }

    func close() {
        commands?.close()
        if let participant { configuration.clock.virtual?.leave(participant) }
        context.save()
        context.confirmed?.close()
        connection.close()
        replayClient?.close()
        subscriber.close()
        publisher?.close()
    }

    func serve(until thread: SocketThread, onReady: @escaping () -> Void) throws {
        self.onReady = onReady
        var poller = Poller()
        register(in: &poller)
        while !thread.isStopRequested {
            // A terminated context ends the loop cleanly; any other transport error stops the agent.
            let result = Result { () throws(ZMQError) in
                let ready = try poller.poll(timeout: prepareRound())
                try finishRound(ready)
            }
            if case .failure(let error) = result {
                guard error.isTerminated else { throw error }
                logger.info("agent context terminated")
                return
            }
        }
    }

    /// Where this agent's sockets sit in a poller: its own, or that of an ``AgentHost`` thread
    /// that polls many agents at once.
    struct PollSlots {
        var subscriber: Int
        var monitor: Int
        var wake: Int?
        /// Every index of this agent's sockets.
        var all: Range<Int>
    }

    /// Adds this agent's sockets to `poller` (its subscription, connection monitor, confirmed
    /// publisher's sockets and virtual-time wake-up), whose results ``finishRound(_:)`` reads.
    func register(in poller: inout Poller) {
        let subscriberIndex = poller.register(subscriber)
        let monitorIndex = poller.register(connection.socket)
        // Acknowledgements and the publish connection's events wake the loop.
        for socket in context.confirmed?.pollSockets ?? [] { _ = poller.register(socket) }
        // Virtual time moves by jumps: the jump (or a withdrawn certificate) wakes the loop.
        // (A wake-up sharing its host's pipe is polled by the host.)
        let wakeIndex = participant.flatMap { $0.wake.isShared ? nil : poller.register(fileDescriptor: $0.wake.fileDescriptor) }
        slots = PollSlots(subscriber: subscriberIndex, monitor: monitorIndex, wake: wakeIndex, all: subscriberIndex..<poller.count)
    }

    /// Whether the agent's virtual-time wake-up was signalled since its last round.
    var isWakePending: Bool { participant?.wake.isPending == true }

    /// Whether the poll found any of this agent's sockets ready, or its wake-up signalled.
    func hasReady(_ ready: [PollEvents]) -> Bool {
        guard let slots else { return false }
        return slots.all.contains { !ready[$0].isEmpty } || participant?.wake.isPending == true
    }

    /// When the loop next probes, beats and checks deadlines.
    struct Schedule {
        var nextProbe = ContinuousClock.now
        var nextHeartbeat: ContinuousClock.Instant
        var nextDeadlineCheck = ContinuousClock.now

        init(heartbeatInterval: Duration) {
            nextHeartbeat = ContinuousClock.now.advanced(by: heartbeatInterval)
        }
    }

    /// The first half of a poll round: probes until ready and fires due timers; returns how
    /// long the poll may wait.
    func prepareRound() -> Duration {
        let now = ContinuousClock.now
        if !isReady || awaitingEcho, now >= schedule.nextProbe {
            sendPresence()
            schedule.nextProbe = now.advanced(by: .milliseconds(100))
        }
        // In virtual time a quiet agent has nothing of its own to look at soon: a jump or a
        // message wakes it. Only its heartbeat and a probe's resending run on real time.
        let settled = configuration.clock.virtual != nil && isReady && !awaitingEcho && probe == nil
        var wait: Duration = settled ? .milliseconds(500) : .milliseconds(50)
        if isReady, let untilTimer = context.fireDueTimers() { wait = min(wait, untilTimer) }
        if let untilResend = context.confirmed?.nextWakeup() { wait = min(wait, untilResend) }
        return max(.zero, wait)
    }

    /// The second half: reads what the poll found ready (indexed as ``register(in:)`` placed
    /// this agent's sockets), checks deadlines, beats, and takes part in virtual time.
    func finishRound(_ ready: [PollEvents]) throws(ZMQError) {
        guard let slots else { return }
        if let wakeIndex = slots.wake, ready[wakeIndex].contains(.readable) { participant?.wake.drain() }
        if participant?.wake.isShared == true { participant?.wake.drain() }
        if ready[slots.monitor].contains(.readable) {
            try connection.update { event in
                if configuration.replay != nil { watchConnection(event) }
            }
        }
        warnIfHubUnreachable()
        if ready[slots.subscriber].contains(.readable) {
            for _ in 0..<1000 {
                guard let message = try subscriber.receive(dontWait: true) else { break }
                if receive(message.frames) {
                    onReady()
                    context.emit(.ready)
                    if context.referrals.count > 0 { context.emit(.resumed(referrals: context.referrals.count)) }
                    // A lost state file: the book is rebuilt from the hub first, then resumed.
                    if needsRebuild { rebuildFromHub() }
                    // Started before the catch-up, so that it resumes the saved referrals and
                    // then sees the replayed ones arrive like live ones; its timers wait for the loop.
                    behaviour.start(context)
                    catchUp()
                }
            }
            // One transaction for the whole batch: the changes and the sequence that caused them.
            context.save()
        }
        if let commands, commands.drain(context) > 0 { context.save() }
        try context.pumpOutbox()
        releaseLostClaims()
        guard isReady else { return }
        let later = ContinuousClock.now
        // In virtual time every new instant is checked, so that what is due does not depend on
        // how fast the machine is; and only then: at one instant nothing more falls due.
        let due = configuration.clock.virtual != nil ? lastDeadlineCheck != context.now() : later >= schedule.nextDeadlineCheck
        if due {
            lastDeadlineCheck = context.now()
            checkDeadlines()
            context.save()
            schedule.nextDeadlineCheck = later.advanced(by: configuration.deadlineCheckInterval)
        }
        if later >= schedule.nextHeartbeat {
            sendPresence()
            schedule.nextHeartbeat = later.advanced(by: configuration.heartbeatInterval)
        }
        try context.pumpOutbox()
        if let virtual = configuration.clock.virtual, let participant { try takePart(in: virtual, as: participant) }
    }

    /// Virtual time: once idle at this instant (nothing due, nothing unconfirmed), files the
    /// certificate that lets the clock move (``VirtualTime``): quiet through the highest stream
    /// sequence received. Right after connecting, or when asked, it first sends a probe through
    /// the hub and certifies when the echo is back with nothing done meanwhile.
    private func takePart(in virtual: VirtualTime, as participant: VirtualTime.Participant) throws(ZMQError) {
        guard !awaitingEcho else { return }
        let now = context.now()
        if virtual.isCertified(participant, at: now, received: lastReceived) { return }
        if context.hasDueTimer {
            // Due since the jump woke us: fired now, not after the next poll's wait.
            _ = context.fireDueTimers()
            try context.pumpOutbox()
        }
        guard (context.confirmed?.pendingCount ?? 0) == 0, !context.hasDueTimer else {
            probe = nil
            return
        }
        if virtual.wantsDeliveryCheck(from: participant), let counted = delivery {
            // Fewer messages came than the hub forwarded to us: a queue dropped some. The journal has them.
            let recovered = verifyDelivery(before: lastReceived + 1)
            delivery = VirtualTime.Delivery(baseline: counted.baseline, received: counted.received + UInt64(recovered))
            virtual.deliveryChecked(participant, delivery: delivery!)
            try context.pumpOutbox()
            guard (context.confirmed?.pendingCount ?? 0) == 0, !context.hasDueTimer else {
                probe = nil
                return
            }
        }
        let activity = participant.activity
        guard !probedSinceConnecting || virtual.wantsProbe(from: participant) else {
            probe = nil
            virtual.certify(participant, at: now, through: lastReceived, activity: activity, nextDue: nextDue(), probed: false, delivery: delivery)
            return
        }
        if let probe, probe.time == now, probe.activity == activity {
            if probe.echo != nil {
                virtual.certify(participant, at: now, through: lastReceived, activity: activity, nextDue: nextDue(), probed: true, delivery: delivery)
                probedSinceConnecting = true
                self.probe = nil
            } else if ContinuousClock.now - probe.sentAt > .milliseconds(500), let id = sendPresence() {
                // A probe the hub did not echo (it restarted, say): another one.
                self.probe = Probe(id: id, sentAt: .now, time: now, activity: activity)
            }
            return
        }
        if let id = sendPresence() { probe = Probe(id: id, sentAt: .now, time: now, activity: activity) }
    }

    private func watchConnection(_ event: MonitorEvent) {
        if event.kind.contains(.disconnected) {
            // A refused handshake disconnects at every retry: only a real connection is "lost".
            if connection.everConnected, !lostConnection {
                logger.warning("connection to the hub's egress lost", metadata: ["endpoint": "\(event.endpoint)"])
            }
            lostConnection = true
        } else if event.kind.contains(.connected), lostConnection, isReady {
            lostConnection = false
            awaitingEcho = true
            probedSinceConnecting = false
            delivery = nil
            schedule.nextProbe = .now
            logger.info("reconnected to the hub's egress; catching up once subscribed again")
        }
    }

    // MARK: Receiving

    /// Handles one message; returns true if it made the agent ready.
    private func receive(_ frames: [[UInt8]]) -> Bool {
        guard let decoded = decode(frames) else { return false }
        let (envelope, stamp) = decoded
        if let stamp { lastReceived = max(lastReceived, stamp.seq) }
        if envelope.topic == presenceTopic {
            guard envelope.header.source == configuration.agency else { return false }
            if let stamp, envelope.header.id == probe?.id { probe?.echo = stamp.seq }
            if let stamp { checkStreamRestart(echo: stamp) }
            if participant != nil, delivery == nil, let stamp { delivery = VirtualTime.Delivery(baseline: stamp.seq, received: 0) }
            if isReady, awaitingEcho {
                awaitingEcho = false
                catchUp()
            } else if isReady, let stamp, ContinuousClock.now >= nextVerification {
                nextVerification = ContinuousClock.now.advanced(by: configuration.heartbeatInterval)
                if let virtual = configuration.clock.virtual, participant != nil {
                    // The clock compared what we received with what it forwarded (a short count
                    // asks for a replay): no replay here, only the verified mark moves.
                    if let verified = verifiedSequence { verifiedSequence = max(verified, min(virtual.deliveredThrough, stamp.seq)) }
                } else {
                    verifyDelivery(before: stamp.seq)
                }
            }
            guard !isReady else { return false }
            isReady = true
            logger.info("agent ready", metadata: ["subscriptions": "\(subscriptions.joined(separator: " "))"])
            return true
        }
        if let stamp, let counted = delivery, stamp.seq > counted.baseline { delivery?.received += 1 }
        guard isReady else { return false }
        participant?.noteActivity()
        receiveLive(envelope, stamp: stamp)
        return false
    }

    private func decode(_ frames: [[UInt8]]) -> (Envelope, HubStamp?)? {
        do {
            return try MessageCodec.decode(frames)
        } catch {
            logger.warning("undecodable message from the hub", metadata: ["error": "\(error)"])
            return nil
        }
    }

    func dispatch(_ envelope: Envelope) {
        switch envelope.payload {
        case .referral(let referral):
            if referral.referringAgency == configuration.agency { break }
            let part: TrackedReferral.Part =
                referral.receivingAgency == configuration.agency
                    || (referral.receivingAgency == nil && behaviour.servedCategories.contains(referral.category))
                ? .receiver : .observer
            if part == .receiver, context.referrals.isProcessed(referral.referralId) {
                // Sent again (the referrer missed our answer) or replayed: processed once, answered again.
                let resent = context.referrals[referral.referralId].map { context.resendStatuses(of: $0, causationID: envelope.header.id) } ?? 0
                logger.info("duplicate referral", metadata: ["referral": "\(referral.referralId)", "resent": "\(resent)"])
                context.emit(.referralDuplicate(referral, resentStatuses: resent))
                return
            }
            guard context.referrals.record(referral, part: part, at: context.now(), messageID: envelope.header.id) else { return }
            if part == .receiver {
                context.referrals.markProcessed(referral.referralId, at: context.now())
                context.emit(.referralReceived(referral))
            }
        case .referralStatus(let update):
            context.overview.note(update)
            if envelope.header.source == configuration.agency { return }
            handleStatus(update, envelope: envelope)
        case .escalation(let escalation):
            context.overview.note(escalation)
            if envelope.header.source != configuration.agency { context.emit(.escalationObserved(escalation)) }
        case .hubEscalation(let escalation):
            context.overview.note(escalation)
            // The hub watches deadlines (1.1): the referrer's book notes what it escalated.
            if escalation.referrer == configuration.agency, context.referrals.contains(escalation.referralId) {
                context.referrals.markEscalated(escalation.referralId, escalation.deadline)
            }
            context.emit(.escalationObserved(escalation))
        case .serviceStatus(let status):
            context.noteServiceStatus(status)
        case .hubPresence(let notice):
            context.overview.note(notice)
            context.emit(.presenceChanged(notice))
        case .escalationAcknowledgement(let acknowledgement):
            context.overview.note(acknowledgement)
        case .sharedReferral(let referral):
            // The hub copies a referral's body to the coordinator when its consent allows (1.2):
            // followed, never answered.
            if !context.referrals.contains(referral.referralId) {
                _ = context.referrals.record(referral, part: .observer, at: context.now(), messageID: envelope.header.id)
            }
        case .referralView(let view):
            context.overview.note(view)
            context.emit(.referralViewed(view))
            if let claimant = view.receiver, claimant != configuration.agency { releaseOpenReferral(view.referralId, claimedBy: claimant) }
        case .hubRejection(let rejection):
            // The prefix hub/rejected/<agency> also matches longer agency ids: only ours count.
            guard envelope.topic.description == "hub/rejected/\(configuration.agency)" else { return }
            if let id = rejection.referralId, context.lostTheClaim(rejection.reason, on: id) {
                // The hub gave the open referral to an earlier claimant: not ours to answer.
                logger.info("open referral claimed by another agency first", metadata: ["referral": "\(id)"])
                context.emit(.claimLost(referralID: id, messageID: rejection.rejectedMessageId))
                releaseOpenReferral(id, claimedBy: nil)
                break
            }
            logger.error("the hub refused a message of ours", metadata: ["reason": "\(rejection.reason.rawValue)", "detail": "\(rejection.message)"])
            context.emit(.rejectedByHub(rejection))
        default:
            break
        }
        if !rebuilding { behaviour.handle(envelope, agent: context) }
    }

    private func handleStatus(_ update: ReferralStatusUpdate, envelope: Envelope) {
        if let tracked = context.referrals[update.referralId], tracked.hasApplied(update) {
            logger.debug("status change seen again", metadata: ["referral": "\(update.referralId)", "state": "\(update.state.rawValue)"])
            return
        }
        context.emit(.statusObserved(update))
        guard let tracked = context.referrals[update.referralId] else { return }
        // The hub decides who claims an open referral (1.1): the first claim it forwards is the one.
        if tracked.part == .referrer, tracked.referral.receivingAgency == nil, tracked.receiver == nil {
            context.referrals.assign(update.referralId, to: update.changedBy)
        }
        // A receiver applies only the referrer's moves addressed to it: the coordinator also sees
        // the withdrawal of other providers' claims on an open referral it is answering itself.
        if tracked.part == .receiver,
           update.changedBy != tracked.referral.referringAgency || envelope.topic.addressee != configuration.agency {
            return
        }
        // The hub forwarded this move after checking it against its registry: if our book is
        // ahead (a move of ours it refused or has not confirmed), the hub's record wins.
        if tracked.part != .observer, tracked.state != update.previousState,
           !context.referrals.rewind(update.referralId, to: update.previousState, by: configuration.agency).isEmpty {
            logger.warning("a move of ours overtaken by the other party's was taken back", metadata: [
                "referral": "\(update.referralId)", "back-to": "\(update.previousState.rawValue)", "by": "\(update.changedBy)",
            ])
        }
        do {
            try context.referrals.apply(update)
        } catch {
            // The coordinator sees every claim on an open referral; only the assigned one applies.
            logger.log(
                level: tracked.part == .observer ? .debug : .warning,
                "status change not applied",
                metadata: ["referral": "\(update.referralId)", "error": "\(error)"]
            )
        }
        if tracked.part == .referrer { closeCaseIfResolved(tracked.referral.caseReference) }
    }

    /// Lets go of the open referrals whose confirmed claim the hub refused as `already-claimed`.
    private func releaseLostClaims() {
        guard !context.lostClaims.isEmpty else { return }
        let lost = context.lostClaims
        context.lostClaims.removeAll()
        for id in lost { releaseOpenReferral(id, claimedBy: nil) }
        context.save()
    }

    /// Lets go of an open referral another agency claimed first (the hub's view says who, or the
    /// hub refused our claim): the book records it as cancelled (`assigned-elsewhere`) without
    /// publishing anything, and the behaviour frees what it planned for it.
    private func releaseOpenReferral(_ id: UUID, claimedBy claimant: String?) {
        guard let tracked = context.referrals[id], tracked.part == .receiver, tracked.referral.receivingAgency == nil,
              !tracked.isFinal
        else { return }
        let referrer = tracked.referral.referringAgency
        let update = ReferralStatusUpdate(
            referralId: id, state: .cancelled, previousState: tracked.state, changedBy: referrer, changedAt: context.now(),
            reason: .assignedElsewhere)
        do {
            try context.referrals.apply(update)
            context.emit(.statusObserved(update))
            let topic = try Topic.status(addressee: configuration.agency, sender: referrer, category: tracked.referral.category)
            behaviour.handle(
                Envelope(topic: topic, source: referrer, agent: referrer, payload: .referralStatus(update)), agent: context)
        } catch {
            logger.debug("open referral not released", metadata: ["referral": "\(id)", "error": "\(error)"])
        }
    }

    private func closeCaseIfResolved(_ caseReference: String) {
        // The held referrals suffice: every other one is final, and the one that made the case
        // final was changed by this message, so it is still held.
        let referrals = context.referrals.held.filter { $0.part == .referrer && $0.referral.caseReference == caseReference }
        if !referrals.isEmpty, referrals.allSatisfy(\.isFinal) {
            context.emit(.caseClosed(caseReference: caseReference))
        }
    }

    // MARK: Deadlines and presence

    /// Publishes again each referral this agency sent that nobody acknowledged in time, each
    /// attempt one acknowledgement window after the last, so that a referral lost on the way is
    /// rescued. Agents never escalate: the hub watches every deadline and raises the
    /// escalation itself (`hub/escalation/<referrer>/<category>`), online referrer or not, so
    /// there is exactly one escalation per missed deadline.
    /// Virtual time: the next instant this agent has something to do (a timer, or a referral
    /// to publish again), so that a jump past it wakes the agent.
    private func nextDue() -> Date? {
        var due = context.nextTimerDue
        if let republish = nextRepublish() { due = min(due ?? republish, republish) }
        return due
    }

    /// When ``checkDeadlines()`` next publishes a referral again: just after the first
    /// acknowledgement window a requested referral has not yet used.
    private func nextRepublish() -> Date? {
        var next: Date?
        for tracked in context.referrals.unacknowledgedReferrals {
            guard tracked.republished < configuration.republishAttempts else { continue }
            let due = republishInstant(tracked).addingTimeInterval(0.001)
            next = min(next ?? due, due)
        }
        return next
    }

    /// The instant after which `tracked` is published again.
    private func republishInstant(_ tracked: TrackedReferral) -> Date {
        let referral = tracked.referral
        let window = max(0.001, referral.acknowledgeBy.timeIntervalSince(tracked.sentAt ?? tracked.updatedAt))
        return referral.acknowledgeBy.addingTimeInterval(Double(tracked.republished) * window)
    }

    private func checkDeadlines() {
        let now = context.now()
        for tracked in context.referrals.unacknowledgedReferrals {
            let referral = tracked.referral
            guard now > referral.acknowledgeBy, tracked.republished < configuration.republishAttempts else { continue }
            if now > republishInstant(tracked) { republish(tracked) }
        }
    }

    /// Publishes the same referral again (same referral id, a new message id, caused by the first).
    private func republish(_ tracked: TrackedReferral) {
        let referral = tracked.referral
        do {
            let topic = try referral.receivingAgency.map { receiver throws(ProtocolError) in
                try Topic.referral(to: receiver, category: referral.category)
            } ?? Topic.openReferral(category: referral.category, referrer: configuration.agency)
            context.referrals.markRepublished(referral.referralId)
            guard context.publish(.referral(referral), on: topic, correlationID: referral.referralId, causationID: tracked.messageID) != nil else { return }
            let attempt = tracked.republished + 1
            logger.notice("referral not acknowledged, published again", metadata: ["referral": "\(referral.referralId)", "attempt": "\(attempt)"])
            context.emit(.referralRepublished(referral, attempt: attempt))
        } catch {
            logger.error("no topic for referral", metadata: ["error": "\(error)"])
        }
    }

    @discardableResult
    private func sendPresence() -> UUID? {
        let uptime = ContinuousClock.now - startedAt
        let presence = Presence(
            agency: configuration.agency,
            agent: configuration.agent,
            role: Presence.Role(rawValue: configuration.role.rawValue),
            version: configuration.version,
            uptimeSeconds: UInt64(max(0, uptime.components.seconds)),
            heartbeatInterval: Int(max(1, configuration.heartbeatInterval.components.seconds))
        )
        return context.publishUnconfirmed(.presence(presence), on: presenceTopic)
    }
}
