import Foundation
import Logging
import TansiqAgent
import TansiqHub
import TansiqMessages
import Testing
import ZeroMQ

/// A journaled hub with a publish endpoint, in this process, for one test.
struct ConfirmingHub {
    let hub: Hub
    let task: Task<Void, any Error>
    let endpoints: HubEndpoints
    let directory: URL

    static func start(maxMessageBytes: Int = 256 * 1024) async throws -> ConfirmingHub {
        let directory = try temporaryDirectory()
        var logger = Logger(label: "test.hub")
        logger.logLevel = .critical
        let hub = try Hub(configuration: HubConfiguration(
            ingress: "tcp://127.0.0.1:*", egress: "tcp://127.0.0.1:*", maxMessageBytes: maxMessageBytes,
            journal: JournalConfiguration(path: directory.appendingPathComponent("journal.sqlite").path, durability: .normal),
            replay: "tcp://127.0.0.1:*", security: .insecure, publish: "tcp://127.0.0.1:*"), logger: logger)
        let task = Task { try await hub.run() }
        return ConfirmingHub(hub: hub, task: task, endpoints: try await hub.endpoints(), directory: directory)
    }

    func agent(
        _ agency: String, role: AgentRole, state: String? = nil, observer: @escaping AgentObserver,
        behaviour: @escaping AgentBehaviourFactory
    ) async throws -> RunningAgent {
        var logger = Logger(label: "test.agent")
        logger.logLevel = .critical
        let configuration = AgentConfiguration(
            agency: agency, role: role, coordinator: "commune-agadir", ingress: endpoints.ingress, egress: endpoints.egress,
            deadlineCheckInterval: .milliseconds(20), state: state, replay: endpoints.replay, publish: endpoints.publish)
        let runtime = try AgentRuntime(configuration: configuration, logger: logger, observer: observer, behaviour: behaviour)
        let task = Task { try await runtime.run() }
        try await runtime.ready()
        return RunningAgent(runtime: runtime, task: task)
    }

    /// Publishes frames confirmed from this process; returns the acknowledgement.
    func publish(_ frames: [[UInt8]]) throws -> PublishAcknowledgement {
        let context = try Context()
        let dealer = try context.makeSocket(.dealer)
        defer { dealer.close() }
        try dealer.set(.linger(milliseconds: 0))
        try dealer.set(.receiveTimeout(milliseconds: 10_000))
        try dealer.connect(try #require(endpoints.publish))
        try dealer.send(frames)
        return try PublishAcknowledgement.decode(try #require(try dealer.receive()?.frames.last, "no acknowledgement"))
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Publishes the given payloads when it starts, and `afterLimit` once the hub has announced
/// its message limit (checked every 20 ms).
final class Announcer: AgentBehaviour {
    let messages: [(Payload, Topic, UUID?)]
    let afterLimit: [(Payload, Topic, UUID?)]
    init(_ messages: [(Payload, Topic, UUID?)], afterLimit: [(Payload, Topic, UUID?)] = []) {
        self.messages = messages
        self.afterLimit = afterLimit
    }
    func start(_ agent: AgentContext) {
        for (payload, topic, correlation) in messages { agent.publish(payload, on: topic, correlationID: correlation) }
        if !afterLimit.isEmpty { publishOnceTheLimitIsKnown(agent) }
    }
    private func publishOnceTheLimitIsKnown(_ agent: AgentContext) {
        guard agent.hubMessageLimit != nil else {
            agent.schedule(after: 0.02) { [self] agent in publishOnceTheLimitIsKnown(agent) }
            return
        }
        for (payload, topic, correlation) in afterLimit { agent.publish(payload, on: topic, correlationID: correlation) }
    }
    func handle(_ envelope: Envelope, agent: AgentContext) {}
}

@Suite("Agents publishing confirmed")
struct ConfirmedAgentTests {
    static let provider = "health-delegation-agadir"

    @Test func aMessageDroppedLiveBelowTheCursorOnATopicWithNothingAfterItIsRecoveredAfterACrash() async throws {
        let hub = try await ConfirmingHub.start()
        let path = try temporaryDirectory().appendingPathComponent("provider.sqlite").path
        // X on the health inbox, then Y on the legal one: the agent applied Y live, X was dropped on
        // the way, and it crashed before its heartbeat's delivery check. Its state says so.
        let x = sampleReferral(to: Self.provider, category: .health, at: Date())
        let y = sampleReferral(to: Self.provider, category: .legal, at: Date())
        func frames(_ referral: Referral) throws -> [[UInt8]] {
            try MessageCodec.encode(Envelope(
                topic: try Topic.referral(to: Self.provider, category: referral.category), source: "iom-morocco", agent: "iom-morocco-1",
                payload: .referral(referral), correlationID: referral.referralId))
        }
        let stampX = try hub.publish(try frames(x))
        let stampY = try hub.publish(try frames(y))
        let (seqX, seqY) = (try #require(stampX.seq), try #require(stampY.seq))
        #expect(seqX < seqY)
        do {
            // Closed at the end of this scope: a state file serves one agent at a time.
            let store = try AgentStore(path: path)
            _ = try store.load(agency: Self.provider, agent: "\(Self.provider)-1")
            var changes = AgentStore.Changes(cursor: StreamCursor(hub: "main", sequence: seqY))
            changes.topicCursors = [try Topic.referral(to: Self.provider, category: .legal).description: TopicCursor(topicSeq: try #require(stampY.topicSeq), seq: seqY)]
            changes.verifiedSequence = seqX - 1
            try store.commit(changes)
            let saved = try store.contents()
            #expect(saved.verifiedSequence == seqX - 1 && saved.topicCursors.count == 1)
        }

        let events = EventRecorder()
        let agent = try await hub.agent(Self.provider, role: .service, state: path, observer: events.observer) {
            ProviderBehaviour(policy: ProviderPolicy(
                offers: [.health: .init(capacity: 5), .legal: .init(capacity: 5)],
                acknowledgeDelay: .fixed(0.01), decideDelay: .fixed(1000), serviceTime: .fixed(1000)))
        }
        #expect(await events.wait(timeout: 20) { $0.of(Self.provider).contains { if case .caughtUp = $0 { true } else { false } } })
        let received = events.all.of(Self.provider).compactMap(\.receivedReferral)
        #expect(received == [x.referralId], "X recovered, Y (applied before the crash) not applied twice")
        await agent.stop()
        await hub.stop()
    }

    @Test func aMessageTheHubRefusesForGoodIsReportedAndLeavesTheOutboxAndAnOversizedOneIsNotSent() async throws {
        let long = {
            var referral = sampleReferral(to: Self.provider, at: Date())
            referral.note = String(repeating: "n", count: 280)
            return referral
        }()
        let short = sampleReferral(to: Self.provider, at: Date())
        let topic = try Topic.referral(to: Self.provider, category: .health)
        func size(_ referral: Referral) throws -> Int {
            try MessageCodec.encode(Envelope(topic: topic, source: "iom-morocco", agent: "iom-morocco-1", payload: .referral(referral), correlationID: referral.referralId))
                .reduce(0) { $0 + $1.count }
        }
        // The short referral fits, the long one (280 more bytes of note) does not.
        let hub = try await ConfirmingHub.start(maxMessageBytes: (try size(short) + size(long)) / 2)
        let path = try temporaryDirectory().appendingPathComponent("referrer.sqlite").path
        // The first copy waits in the outbox of the state file, as if queued before the agent
        // knew the hub's limit: it goes to the hub, which refuses it for good.
        do {
            let store = try AgentStore(path: path)
            _ = try store.load(agency: "iom-morocco", agent: "iom-morocco-1")
            let envelope = Envelope(topic: topic, source: "iom-morocco", agent: "iom-morocco-1", payload: .referral(long), correlationID: long.referralId)
            var changes = AgentStore.Changes()
            changes.outboxAdded = [ConfirmedPublisher.Pending(id: envelope.header.id, frames: try MessageCodec.encode(envelope), correlationID: long.referralId)]
            try store.commit(changes)
        }
        let events = EventRecorder()
        let agent = try await hub.agent("iom-morocco", role: .iom, state: path, observer: events.observer) {
            // The second copy goes once the hub has announced its limit: refused before it is sent.
            Announcer([(.referral(short), topic, short.referralId)], afterLimit: [(.referral(long), topic, long.referralId)])
        }
        func refusals() -> [(UUID?, HubRejection.Reason)] {
            events.all.of("iom-morocco").compactMap {
                if case .publishRefused(_, _, let reason, _, let correlation) = $0 { (correlation, reason) } else { nil }
            }
        }
        func confirmed() -> Int {
            events.all.of("iom-morocco").filter { if case .publishConfirmed = $0 { true } else { false } }.count
        }
        #expect(await events.wait(timeout: 20) { _ in confirmed() == 1 && refusals().count == 2 }, "\(events.all.of("iom-morocco"))")
        #expect(refusals().allSatisfy { $0.0 == long.referralId && $0.1 == .tooLarge })
        await agent.stop()
        #expect(try AgentStore(path: path).contents().outbox.isEmpty, "nothing left pending")
        // The first copy, from the outbox, went to the hub, which refused and counted it; the second never left.
        #expect(hub.hub.counters.rejections["too-large", default: 0] == 1)
        await hub.stop()
    }
}
