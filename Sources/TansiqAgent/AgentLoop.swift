import Foundation
import Logging
import TansiqMessages
import ZeroMQ

/// The agent's loop: owns its SUB (from the hub's egress) and PUB (to the hub's ingress),
/// keeps the referral book, watches deadlines and sends heartbeats. Used only by its thread.
final class AgentLoop {
    private let configuration: AgentConfiguration
    private let subscriber: Socket
    private let publisher: Socket
    private let context: AgentContext
    private let behaviour: any AgentBehaviour
    private let logger: Logger
    private let startedAt = ContinuousClock.now
    private let presenceTopic: Topic
    private var lastTopicSequence: [String: UInt64] = [:]
    private var isReady = false
    private var released: Set<String> = []

    init(
        configuration: AgentConfiguration,
        zmq: Context,
        behaviour: any AgentBehaviour,
        observer: AgentObserver?,
        logger: Logger
    ) throws {
        self.configuration = configuration
        self.behaviour = behaviour
        self.logger = logger
        presenceTopic = try Topic.presence(agency: configuration.agency, agent: configuration.agent)
        subscriber = try zmq.makeSocket(.sub)
        publisher = try zmq.makeSocket(.pub)
        context = AgentContext(configuration: configuration, publisher: publisher, observer: observer, logger: logger)
        try subscriber.set(.receiveHighWaterMark(100_000))
        try publisher.set(.sendHighWaterMark(100_000))
        if let hubKeys = configuration.hubKeys {
            try hubKeys.configureClient(subscriber)
            try hubKeys.configureClient(publisher)
        }
        for prefix in subscriptions {
            try subscriber.set(.subscribe(Array(prefix.utf8)))
        }
        // Subscribed last: when our own presence comes back, the hub holds every prefix above.
        try subscriber.set(.subscribe(Array(presenceTopic.description.utf8)))
        try subscriber.connect(configuration.egress)
        try publisher.connect(configuration.ingress)
    }

    /// The runtime's own subscriptions, the behaviour's and the configured extras.
    var subscriptions: [String] {
        let agency = configuration.agency
        var prefixes = [
            "referral/to/\(agency)/", "status/\(agency)/", "escalation/\(agency)/", "hub/rejected/\(agency)",
        ]
        prefixes += behaviour.subscriptions + configuration.extraSubscriptions
        var seen = Set<String>()
        return prefixes.filter { seen.insert($0).inserted }
    }

    func close() {
        subscriber.close()
        publisher.close()
    }

    func serve(until thread: SocketThread, onReady: () -> Void) throws {
        var poller = Poller()
        let index = poller.register(subscriber)
        var schedule = Schedule(heartbeatInterval: configuration.heartbeatInterval)
        while !thread.isStopRequested {
            // A terminated context ends the loop cleanly; any other transport error stops the agent.
            let result = Result { () throws(ZMQError) in
                try round(poller: poller, index: index, schedule: &schedule, onReady: onReady)
            }
            if case .failure(let error) = result {
                guard error.isTerminated else { throw error }
                logger.info("agent context terminated")
                return
            }
        }
    }

    /// When the loop next probes, beats and checks deadlines.
    private struct Schedule {
        var nextProbe = ContinuousClock.now
        var nextHeartbeat: ContinuousClock.Instant
        var nextDeadlineCheck = ContinuousClock.now

        init(heartbeatInterval: Duration) {
            nextHeartbeat = ContinuousClock.now.advanced(by: heartbeatInterval)
        }
    }

    /// One poll round: probe until ready, fire timers, read messages, check deadlines, beat.
    private func round(poller: Poller, index: Int, schedule: inout Schedule, onReady: () -> Void) throws(ZMQError) {
        let now = ContinuousClock.now
        if !isReady, now >= schedule.nextProbe {
            sendPresence()
            schedule.nextProbe = now.advanced(by: .milliseconds(100))
        }
        var wait: Duration = .milliseconds(50)
        if isReady, let untilTimer = context.fireDueTimers() { wait = min(wait, untilTimer) }
        let ready = try poller.poll(timeout: max(.zero, wait))
        if ready[index].contains(.readable) {
            for _ in 0..<1000 {
                guard let message = try subscriber.receive(dontWait: true) else { break }
                if receive(message.frames) {
                    onReady()
                    context.emit(.ready)
                    behaviour.start(context)
                }
            }
        }
        guard isReady else { return }
        let later = ContinuousClock.now
        if later >= schedule.nextDeadlineCheck {
            checkDeadlines()
            schedule.nextDeadlineCheck = later.advanced(by: configuration.deadlineCheckInterval)
        }
        if later >= schedule.nextHeartbeat {
            sendPresence()
            schedule.nextHeartbeat = later.advanced(by: configuration.heartbeatInterval)
        }
    }

    // MARK: Receiving

    /// Handles one message; returns true if it made the agent ready.
    private func receive(_ frames: [[UInt8]]) -> Bool {
        guard let decoded = decode(frames) else { return false }
        let (envelope, stamp) = decoded
        if let stamp { checkSequence(topic: envelope.topic.description, stamp: stamp) }
        if envelope.topic == presenceTopic {
            guard !isReady, envelope.header.source == configuration.agency else { return false }
            isReady = true
            logger.info("agent ready", metadata: ["subscriptions": "\(subscriptions.joined(separator: " "))"])
            return true
        }
        guard isReady else { return false }
        dispatch(envelope)
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

    private func checkSequence(topic: String, stamp: HubStamp) {
        let last = lastTopicSequence[topic]
        lastTopicSequence[topic] = stamp.topicSeq
        guard let last, stamp.topicSeq > last + 1 else { return }
        logger.warning("gap in topic sequence", metadata: ["topic": "\(topic)", "expected": "\(last + 1)", "received": "\(stamp.topicSeq)"])
        context.emit(.gap(topic: topic, expected: last + 1, received: stamp.topicSeq))
    }

    private func dispatch(_ envelope: Envelope) {
        switch envelope.payload {
        case .referral(let referral):
            if referral.referringAgency == configuration.agency { break }
            let part: TrackedReferral.Part =
                referral.receivingAgency == configuration.agency
                    || (referral.receivingAgency == nil && behaviour.servedCategories.contains(referral.category))
                ? .receiver : .observer
            guard context.referrals.record(referral, part: part, at: context.now()) else { return }
            if part == .receiver { context.emit(.referralReceived(referral)) }
        case .referralStatus(let update):
            if envelope.header.source == configuration.agency { return }
            handleStatus(update, envelope: envelope)
        case .escalation(let escalation):
            if envelope.header.source != configuration.agency { context.emit(.escalationObserved(escalation)) }
        case .hubRejection(let rejection):
            // The prefix hub/rejected/<agency> also matches longer agency ids: only ours count.
            guard envelope.topic.description == "hub/rejected/\(configuration.agency)" else { return }
            logger.error("the hub refused a message of ours", metadata: ["reason": "\(rejection.reason.rawValue)", "detail": "\(rejection.message)"])
            context.emit(.rejectedByHub(rejection))
        default:
            break
        }
        behaviour.handle(envelope, agent: context)
    }

    private func handleStatus(_ update: ReferralStatusUpdate, envelope: Envelope) {
        context.emit(.statusObserved(update))
        guard let tracked = context.referrals[update.referralId] else { return }
        // An open referral goes to the first provider that claims it; later claimants are told.
        if tracked.part == .referrer, tracked.referral.receivingAgency == nil {
            if let assigned = tracked.receiver, assigned != update.changedBy {
                releaseClaim(of: tracked, by: update.changedBy, from: update.state, causationID: envelope.header.id)
                return
            }
            if tracked.receiver == nil { context.referrals.assign(update.referralId, to: update.changedBy) }
        }
        // A receiver applies only the referrer's moves addressed to it: the coordinator also sees
        // the withdrawal of other providers' claims on an open referral it is answering itself.
        if tracked.part == .receiver,
           update.changedBy != tracked.referral.referringAgency || envelope.topic.addressee != configuration.agency {
            return
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

    /// Cancels a later provider's claim on an open referral, from the state that provider reported.
    private func releaseClaim(of tracked: TrackedReferral, by provider: String, from state: ReferralState, causationID: UUID) {
        guard !state.isTerminal, released.insert("\(tracked.referral.referralId)/\(provider)").inserted else { return }
        let update = ReferralStatusUpdate(
            referralId: tracked.referral.referralId,
            state: .cancelled,
            previousState: state,
            changedBy: configuration.agency,
            changedAt: context.now(),
            reason: .assignedElsewhere
        )
        context.publishUpdate(update, addressee: provider, category: tracked.referral.category, correlationID: tracked.referral.referralId, causationID: causationID)
    }

    private func closeCaseIfResolved(_ caseReference: String) {
        let referrals = context.referrals.all.filter { $0.part == .referrer && $0.referral.caseReference == caseReference }
        if !referrals.isEmpty, referrals.allSatisfy(\.isFinal) {
            context.emit(.caseClosed(caseReference: caseReference))
        }
    }

    // MARK: Deadlines and presence

    /// Escalates each referral this agency sent that is past a deadline, once per deadline,
    /// to the referrer and the coordinator.
    private func checkDeadlines() {
        let now = context.now()
        for tracked in context.referrals.all where tracked.part == .referrer && !tracked.isFinal {
            let referral = tracked.referral
            let due: (Escalation.Deadline, Date)?
            switch tracked.state {
            case .requested where now > referral.acknowledgeBy && !tracked.escalated.contains(.acknowledge):
                due = (.acknowledge, referral.acknowledgeBy)
            case .requested, .received:
                due = now > referral.decideBy && !tracked.escalated.contains(.decide) ? (.decide, referral.decideBy) : nil
            default:
                due = nil
            }
            guard let due else { continue }
            let (deadline, dueAt) = due
            context.referrals.markEscalated(referral.referralId, deadline)
            let escalation = Escalation(
                referralId: referral.referralId,
                referrer: referral.referringAgency,
                receiver: tracked.receiver,
                category: referral.category,
                deadline: deadline,
                dueAt: dueAt,
                detectedAt: now,
                escalatedTo: [referral.referringAgency, configuration.coordinator],
                reason: deadline.reason,
                currentState: tracked.state
            )
            do {
                let topic = try Topic.escalation(referrer: referral.referringAgency, category: referral.category)
                if context.publish(.escalation(escalation), on: topic, correlationID: referral.referralId) != nil {
                    logger.warning("referral escalated", metadata: ["referral": "\(referral.referralId)", "deadline": "\(deadline.rawValue)"])
                    context.emit(.escalationRaised(escalation))
                }
            } catch {
                logger.error("no topic for escalation", metadata: ["error": "\(error)"])
            }
        }
    }

    private func sendPresence() {
        let uptime = ContinuousClock.now - startedAt
        let presence = Presence(
            agency: configuration.agency,
            agent: configuration.agent,
            role: Presence.Role(rawValue: configuration.role.rawValue),
            version: configuration.version,
            uptimeSeconds: UInt64(max(0, uptime.components.seconds)),
            heartbeatInterval: Int(max(1, configuration.heartbeatInterval.components.seconds))
        )
        context.publish(.presence(presence), on: presenceTopic)
    }
}
