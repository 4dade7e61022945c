import Dispatch
import Foundation
import Logging
import TansiqAgent
import TansiqHub
import TansiqMessages
import Testing
import ZeroMQ

/// An agent that stops reading while a real hub forwards a burst to it: the hub's egress drops
/// at the high-water mark, and the agent must see the gap and recover it from the journal.
@Suite("A subscriber too slow for the high-water mark")
struct SlowSubscriberTests {
    static let provider = "health-delegation-agadir"
    static let burstLength = 3000
    /// The hub's send and the agent's receive high-water marks: inproc adds them up, so about
    /// 100 messages wait for the stalled agent and the rest of the burst is dropped.
    static let highWaterMark: Int32 = 50

    /// Holds the agent's thread inside its behaviour until the test opens it; bounded, so that a
    /// failing test never leaves the agent stuck.
    final class Gate: Sendable {
        private let opened = DispatchSemaphore(value: 0)

        func hold() { _ = opened.wait(timeout: .now() + 60) }
        func open() { opened.signal() }
    }

    /// Stalls on the first referral it is handed, as an agent busy with slow work would.
    final class StalledBehaviour: AgentBehaviour {
        private let gate: Gate
        private var stalled = false

        init(gate: Gate) { self.gate = gate }

        func handle(_ envelope: Envelope, agent: AgentContext) {
            guard !stalled, case .referral = envelope.payload else { return }
            stalled = true
            gate.hold()
        }
    }

    struct SlowSubscriberError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func referral() throws -> (UUID, [[UInt8]]) {
        let referral = sampleReferral(to: provider, at: Date())
        let frames = try MessageCodec.encode(Envelope(
            topic: try Topic.referral(to: provider, category: .health), source: "iom-morocco", agent: "iom-morocco-1",
            payload: .referral(referral), correlationID: referral.referralId))
        return (referral.referralId, frames)
    }

    // Inproc, not tcp: over tcp the kernel's socket buffers (megabytes on loopback, sized by
    // autotuning) would absorb a burst of this size, and where the hub starts dropping would
    // depend on the kernel. Over inproc the hub's pipe to the agent holds exactly its two
    // high-water marks.
    /// How the drop comes to light: a later message on the topic shows the jump (a gap), or,
    /// with nothing sent after the burst, the check at the echo of the agent's heartbeat.
    enum Discovery: String, CaseIterable, Sendable {
        case gap
        case heartbeat
    }

    @Test(arguments: Discovery.allCases)
    func aSubscriberTooSlowForTheHighWaterMarkRecoversEveryMessageByReplay(_ discovery: Discovery) async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let context = try Context()
        let name = "slow-\(UUID().uuidString.lowercased())"
        var logger = Logger(label: "test.hub")
        logger.logLevel = .critical
        let hub = try Hub(configuration: HubConfiguration(
            ingress: "inproc://\(name)-ingress", egress: "inproc://\(name)-egress",
            highWaterMark: Self.highWaterMark,
            journal: JournalConfiguration(path: directory.appendingPathComponent("journal.sqlite").path, durability: .normal),
            replay: "inproc://\(name)-replay",
            rateLimit: nil
        ), context: context, logger: logger)
        let hubTask = Task { try await hub.run() }
        let endpoints = try await hub.endpoints()
        let topic = try Topic.referral(to: Self.provider, category: .health).description

        // A publisher that never drops, and a subscriber with no high-water mark beside the slow agent.
        let publisher = try context.makeSocket(.xpub)
        let watcher = try context.makeSocket(.sub)
        defer {
            publisher.close()
            watcher.close()
        }
        try publisher.set(.sendHighWaterMark(0))
        try publisher.set(.xpubNoDrop(true))
        try publisher.set(.linger(milliseconds: 0))
        try publisher.set(.receiveTimeout(milliseconds: 10_000))
        try watcher.set(.receiveHighWaterMark(0))
        try watcher.set(.receiveTimeout(milliseconds: 100))
        try watcher.set(.subscribe(Array(topic.utf8)))
        try watcher.set(.subscribe(Array("presence/probe/".utf8)))
        try watcher.connect(endpoints.egress)
        try publisher.connect(endpoints.ingress)
        _ = try #require(try publisher.receive(), "the hub never subscribed to the publisher")
        let probe = try MessageCodec.encode(Envelope(
            topic: try Topic.presence(agency: "probe", agent: "p1"), source: "probe", agent: "p1",
            payload: .presence(Presence(agency: "probe", agent: "p1", role: .cli, version: "test", uptimeSeconds: 0, heartbeatInterval: 60))))
        var watching = false
        for _ in 0..<100 where !watching {
            try publisher.send(probe)
            watching = try watcher.receive() != nil
        }
        try #require(watching, "the watcher's subscription never became live")
        try watcher.set(.receiveTimeout(milliseconds: 10_000))

        let gate = Gate()
        defer { gate.open() }
        let events = EventRecorder()
        var agentLogger = Logger(label: "test.agent")
        agentLogger.logLevel = .critical
        let agent = try AgentRuntime(
            configuration: AgentConfiguration(
                agency: Self.provider, role: .service, coordinator: "commune-agadir",
                ingress: endpoints.ingress, egress: endpoints.egress,
                // Gap discovery: no heartbeat check may find the drop first on a slow machine.
                heartbeatInterval: discovery == .heartbeat ? .milliseconds(200) : .seconds(3600),
                replay: endpoints.replay, receiveHighWaterMark: Self.highWaterMark),
            context: context, logger: agentLogger, observer: events.observer
        ) { StalledBehaviour(gate: gate) }
        let agentTask = Task { try await agent.run() }
        try await agent.ready()
        #expect(await events.wait(timeout: 20) { $0.contains { if case .caughtUp = $0.event { true } else { false } } })

        // The agent stalls on the first referral; the hub forwards the whole burst meanwhile.
        let burst = try (0..<Self.burstLength).map { _ in try Self.referral() }
        for (_, frames) in burst { try publisher.send(frames) }
        var forwarded = 0
        while forwarded < Self.burstLength {
            let message = try #require(try watcher.receive(), "the hub forwarded only \(forwarded) of the burst")
            if message.frames[0] == Array(topic.utf8) { forwarded += 1 }
        }
        gate.open()

        // A drop is seen when the next message on the topic arrives: send until the gap shows.
        var trailing: [UUID] = []
        let gapSeen = { (entries: [EventRecorder.Entry]) in entries.contains { if case .gap = $0.event { true } else { false } } }
        // The first ones may still meet the full pipe and be dropped as well: on a loaded machine
        // the agent takes a while to drain it, so up to 200 are sent, until one shows the gap.
        for _ in 0..<(discovery == .gap ? 200 : 0) {
            let (id, frames) = try Self.referral()
            try publisher.send(frames)
            trailing.append(id)
            if await events.wait(timeout: 0.5, until: gapSeen) { break }
        }
        let expected = burst.map(\.0) + trailing
        let receivedCount = { (entries: [EventRecorder.Entry]) in entries.lazy.compactMap { $0.event.receivedReferral }.count }
        #expect(await events.wait(timeout: 30) { receivedCount($0) >= expected.count })
        agentTask.cancel()
        _ = try? await agentTask.value
        hubTask.cancel()
        _ = try? await hubTask.value

        let seen = events.all.of(Self.provider)
        let gaps = seen.compactMap { event -> (topic: String, expected: UInt64, received: UInt64)? in
            if case .gap(let topic, let expected, let received) = event { (topic, expected, received) } else { nil }
        }
        let dropped = gaps.reduce(0) { $0 + Int($1.received - $1.expected) }
        switch discovery {
        case .gap:
            #expect(!gaps.isEmpty, "the agent saw the gap")
            #expect(gaps.allSatisfy { $0.topic == topic })
            #expect(dropped > Self.burstLength / 2, "the hub dropped \(dropped) of \(Self.burstLength) at the high-water mark")
        case .heartbeat:
            // Nothing followed the burst on its topic: the heartbeat's check found the rest.
            let recoveries = seen.compactMap { event -> UInt64? in
                if case .caughtUp(let replayed, _) = event { replayed } else { nil }
            }
            #expect(recoveries.dropFirst().reduce(0, +) > UInt64(Self.burstLength / 2), "recovered after the first catch-up: \(recoveries)")
        }
        let received = seen.compactMap(\.receivedReferral)
        let twice = Dictionary(grouping: received, by: { $0 }).filter { $0.value.count > 1 }.keys
        #expect(twice.isEmpty, "\(twice.count) referrals processed more than once")
        #expect(Set(received) == Set(expected), "\(Set(expected).subtracting(received).count) referrals never processed")
    }
}
