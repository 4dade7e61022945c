import Foundation
import Logging
import TansiqAgent
import TansiqHub
import TansiqMessages
import Testing
import ZeroMQ

/// Confirmed publishing with real processes: nothing lost between an agent and the hub.
@Suite("Confirmed publishing, real processes", .serialized)
struct ConfirmedPublishingProcessTests {
    static let provider = AgentRestartTests.provider

    /// One `--print-events` line, as far as these tests read it.
    struct Line: Decodable {
        var event: String
        var agency: String
        var referralId: String?
        var state: String?
        var messageId: String?
        var seq: UInt64?
    }

    static func line(_ text: String) -> Line? {
        try? JSONDecoder().decode(Line.self, from: Data(text.utf8))
    }

    /// Events that put a message in the outbox.
    static let publishing: Set<String> = [
        "referral-sent", "status-published", "service-status-published", "escalation-raised", "referral-republished",
    ]

    /// Waits until every message `process` queued is confirmed; returns the confirmed message ids.
    static func waitUntilConfirmed(_ process: ChildProcess, timeout: Double) async -> (queued: Int, confirmed: [String]) {
        var queued = 0
        var confirmed: [String] = []
        var seen = 0
        func scan() {
            let lines = process.output
            for text in lines[seen...] {
                guard let line = line(text) else { continue }
                if publishing.contains(line.event) { queued += 1 }
                if line.event == "publish-confirmed", let id = line.messageId { confirmed.append(id) }
            }
            seen = lines.count
        }
        _ = await process.waitForLine(timeout: timeout) { _ in
            scan()
            return queued > 0 && confirmed.count >= queued
        }
        scan()
        return (queued, confirmed)
    }

    // MARK: tansiq pub

    @Test func pubExitsZeroWithTheSequence65WhenRefusedAnd69WithoutAHub() async throws {
        let (hub, endpoints) = try await EndToEndTests.startHub()
        let publish = try #require(endpoints.publish)
        let accepted = try ChildProcess("tansiq", [
            "pub", "referral", "--from", "iom-morocco", "--to", Self.provider, "--category", "health", "--case", "AGA-2026-0042",
            "--publish", publish,
        ])
        #expect(await accepted.exitStatus() == 0, "\(accepted.standardError)")
        let printed = try #require(accepted.output.first)
        let fields = Dictionary(uniqueKeysWithValues: printed.split(separator: " ").dropFirst().compactMap { pair -> (String, String)? in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        })
        #expect(printed.hasPrefix("accepted seq="))
        let seq = try #require(fields["seq"].flatMap(UInt64.init))
        let referralID = try #require(fields["referral"])
        let journal = try #require(try await Self.journalPath(of: hub))
        let reader = try Journal(path: journal, readOnly: true)
        defer { reader.close() }
        #expect(try reader.stamp(ofMessage: try #require(fields["message"]))?.sequence == seq)
        #expect(try reader.records(after: seq - 1, prefixes: ["referral/"], limit: 1).first?.correlationID == referralID)

        // The hub's own id: the codec lets it through, the hub refuses it.
        let refused = try ChildProcess("tansiq", [
            "pub", "referral", "--from", "main", "--to", Self.provider, "--category", "health", "--case", "AGA-2026-0043",
            "--publish", publish,
        ])
        #expect(await refused.exitStatus() == 65)
        #expect(refused.standardError.contains("refused: not-authorized"), "\(refused.standardError)")
        #expect(refused.output.isEmpty)

        let noHub = try ChildProcess("tansiq", [
            "pub", "referral", "--from", "iom-morocco", "--to", Self.provider, "--category", "health", "--case", "AGA-2026-0044",
            "--publish", "tcp://127.0.0.1:1", "--connect-timeout", "1",
        ])
        #expect(await noHub.exitStatus() == 69)
        #expect(noHub.standardError.contains("no hub answered at tcp://127.0.0.1:1"))
        #expect(hub.terminate() == 0)
    }

    /// The journal path the hub was started with (EndToEndTests.startHub makes one).
    static func journalPath(of hub: ChildProcess) async throws -> String? {
        hub.arguments.firstIndex(of: "--journal").map { hub.arguments[$0 + 1] }
    }

    // MARK: Backpressure

    /// `count` referrals from IOM to the provider, published confirmed from this process and
    /// paced to the hub's limits; returns their referral ids once all are journaled.
    static func publishReferrals(_ count: Int, to endpoint: String) async throws -> [String] {
        try await SocketThread(name: "test-referrals").run { _ in
            let context = try Context()
            let publisher = try ConfirmedPublisher(context: context, endpoint: endpoint, logger: Logger(label: "test.referrals"))
            defer { publisher.close() }
            var ids: [String] = []
            for index in 0..<count {
                let frames = try HubCrashTests.referral(index)
                let envelope = try MessageCodec.decode(frames).envelope
                guard case .referral(let referral) = envelope.payload else { continue }
                ids.append(referral.referralId.uuidString.lowercased())
                publisher.enqueue(id: envelope.header.id, frames: frames, correlationID: referral.referralId)
            }
            var poller = Poller()
            for socket in publisher.pollSockets { _ = poller.register(socket) }
            let deadline = ContinuousClock.now.advanced(by: .seconds(120))
            var accepted = 0
            while accepted < count {
                guard ContinuousClock.now < deadline else { throw HubCrashTests.CrashTestError("only \(accepted) of \(count) referrals confirmed in 120 s") }
                try publisher.pump()
                for (_, outcome) in try publisher.receiveAcknowledgements() {
                    guard case .accepted = outcome else { throw HubCrashTests.CrashTestError("a referral was refused: \(outcome)") }
                    accepted += 1
                }
                _ = try poller.poll(timeout: min(.milliseconds(50), publisher.nextWakeup() ?? .milliseconds(50)))
            }
            return ids
        }
    }

    /// A subscriber of the egress in this process whose subscription is proven live.
    static func statusSubscriber(_ endpoints: EndToEndTests.Endpoints, prefix: String) throws -> (Context, Socket) {
        let context = try Context()
        let subscriber = try context.makeSocket(.sub)
        try subscriber.set(.receiveHighWaterMark(0))
        try subscriber.set(.receiveTimeout(milliseconds: 100))
        try subscriber.set(.subscribe(Array(prefix.utf8)))
        try subscriber.set(.subscribe(Array("presence/probe/".utf8)))
        try subscriber.connect(endpoints.egress)
        let publisher = try context.makeSocket(.xpub)
        defer { publisher.close() }
        try publisher.set(.linger(milliseconds: 1000))
        try publisher.set(.receiveTimeout(milliseconds: 10_000))
        try publisher.connect(endpoints.ingress)
        _ = try #require(try publisher.receive(), "the hub never subscribed to the publisher")
        let presence = Presence(agency: "probe", agent: "p1", role: .cli, version: "test", uptimeSeconds: 0, heartbeatInterval: 60)
        let probe = try MessageCodec.encode(Envelope(
            topic: try Topic.presence(agency: "probe", agent: "p1"), source: "probe", agent: "p1", payload: .presence(presence)))
        for _ in 0..<100 {
            try publisher.send(probe)
            if let message = try subscriber.receive(), message.frames[0].starts(with: Array("presence/probe/".utf8)) {
                return (context, subscriber)
            }
        }
        throw HubCrashTests.CrashTestError("the subscription never became live")
    }

    @Test func aTenThousandReferralCatchUpAtTheDefaultRateLimitEndsWithEveryReceivedUpdateOnTheEgressOnce() async throws {
        let count = 10_000
        let (hub, endpoints) = try await EndToEndTests.startHub()
        let publish = try #require(endpoints.publish)
        let state = try AgentRestartTests.stateFile()
        defer { try? FileManager.default.removeItem(atPath: (state as NSString).deletingLastPathComponent) }
        let providerArguments = [
            "--agency", Self.provider, "--service", "health:50", "--state", state,
            "--ack-delay", "0", "--decide-delay", "1000000",
        ]
        let first = try await EndToEndTests.startAgent("services-agent", providerArguments, hub: endpoints)
        #expect(await first.waitForLine(timeout: 30) { $0.contains(HubCrashTests.caughtUp) } != nil)
        #expect(first.terminate() == 0)

        let sent = try await Self.publishReferrals(count, to: publish)
        let (context, subscriber) = try Self.statusSubscriber(endpoints, prefix: "status/iom-morocco/\(Self.provider)/")
        defer { subscriber.close(); _ = context }

        let back = try await EndToEndTests.startAgent("services-agent", providerArguments, hub: endpoints)
        var received: [String: Int] = [:]
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        while received.count < count, ContinuousClock.now < deadline {
            guard let message = try subscriber.receive() else { continue }
            guard case .referralStatus(let update) = try MessageCodec.decode(message.frames).envelope.payload, update.state == .received else { continue }
            received[update.referralId.uuidString.lowercased(), default: 0] += 1
        }
        #expect(received.count == count, "\(received.count) of \(count) received updates on the egress")
        #expect(Set(received.keys) == Set(sent))
        // Every message the provider queued is confirmed: nothing more can come.
        let (queued, confirmed) = await Self.waitUntilConfirmed(back, timeout: 60)
        #expect(confirmed.count >= queued)
        while let message = try subscriber.receive() {
            guard case .referralStatus(let update) = try MessageCodec.decode(message.frames).envelope.payload, update.state == .received else { continue }
            received[update.referralId.uuidString.lowercased(), default: 0] += 1
        }
        let twice = received.filter { $0.value > 1 }
        #expect(twice.isEmpty, "\(twice.count) received updates forwarded more than once")
        #expect(back.output.filter { $0.contains(#""event":"publish-refused""#) }.isEmpty)
        #expect(back.terminate() == 0)
        #expect(try AgentStore(path: state).contents().outbox.isEmpty)
        #expect(hub.terminate() == 0)
    }

    // MARK: The pilot simulation

    @Test func thePilotSimulationWithItsOfflineFaultAndAHubRestartLosesNoReferralAndNoStatusUpdate() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-pilot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("report.json").path
        let topology = ChildProcess.packageRoot.appendingPathComponent("Topologies/agadir-pilot.yaml").path
        let sim = try ChildProcess("tansiq", ["sim", "run", topology, "--quiet", "--json-report", report])
        #expect(await sim.exitStatus() == 0, "\(sim.standardError)")
        struct Report: Decodable {
            struct Counts: Decodable { var created: Int; var lost: Int; var statusUpdates: Int; var lostStatusUpdates: Int }
            struct Fault: Decodable { var kind: String; var actions: [String]; var lostDuring: Int }
            var referrals: Counts
            var faults: [Fault]
        }
        let result = try JSONDecoder().decode(Report.self, from: Data(contentsOf: URL(fileURLWithPath: report)))
        #expect(result.referrals.created > 100)
        #expect(result.referrals.lost == 0)
        #expect(result.referrals.statusUpdates > 1000)
        #expect(result.referrals.lostStatusUpdates == 0)
        #expect(Set(result.faults.map(\.kind)) == ["offline", "slow", "hub-restart"])
        let restart = try #require(result.faults.first { $0.kind == "hub-restart" })
        #expect(restart.actions.first == "hub stopped" && restart.actions.count == 2, "\(restart.actions)")
    }

    // MARK: A hub killed mid-stream

    @Test func aHubKilledDuringAStreamFromThreeAgentsJournalsEveryMessageEachPublishedExactlyOnce() async throws {
        let perAgent = 400
        let journal = try EndToEndTests.temporaryJournal()
        let directory = (journal as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (hub, endpoints) = try await EndToEndTests.startHub(["--journal", journal])
        let replay = try #require(endpoints.replay)
        let publish = try #require(endpoints.publish)
        let providerState = directory + "/provider.sqlite"
        let provider = try await EndToEndTests.startAgent("services-agent", [
            "--agency", Self.provider, "--service", "health:2000", "--state", providerState,
            "--ack-delay", "0.05", "--decide-delay", "0.05", "--service-time", "0.1",
        ], hub: endpoints)
        let referrers = ["iom-morocco", "iom-tiznit", "iom-inezgane"]
        var agents: [ChildProcess] = []
        for agency in referrers {
            agents.append(try await EndToEndTests.startAgent("iom-agent", [
                "--agency", agency, "--route", "health=\(Self.provider)", "--needs", "health",
                "--random-cases", "\(perAgent)", "--case-interval", "0.005", "--state", directory + "/\(agency).sqlite",
            ], hub: endpoints))
        }
        var receivedLive = 0
        _ = await provider.waitForLine(timeout: 30) { line in
            if line.contains(#""event":"referral-received""#) { receivedLive += 1 }
            return receivedLive >= perAgent / 2
        }
        #expect(hub.killAbruptly() == SIGKILL)
        let restarted = try ChildProcess("tansiq-hub", [
            "--insecure", "--ingress", endpoints.ingress, "--egress", endpoints.egress, "--replay", replay, "--publish", publish,
            "--journal", journal, "--log-level", "notice",
        ])
        defer { restarted.killAbruptly() }
        #expect(await restarted.waitForLine(timeout: 20) { $0.hasPrefix("{") } != nil, "\(restarted.standardError)")

        var published: [String: Set<String>] = [:]
        for (agency, agent) in zip(referrers, agents) {
            _ = await agent.waitForLine(timeout: 60) { _ in agent.output.filter { $0.contains(#""event":"referral-sent""#) }.count == perAgent }
            let (queued, confirmed) = await Self.waitUntilConfirmed(agent, timeout: 60)
            #expect(queued == perAgent, "\(agency) queued \(queued)")
            #expect(Set(confirmed).count == queued, "\(agency): \(Set(confirmed).count) of \(queued) confirmed")
            published[agency] = Set(confirmed)
        }
        // The provider answers every referral; wait until all its statuses are confirmed too.
        let completed = { provider.output.filter { $0.contains(#""state":"completed""#) && $0.contains(#""event":"status-published""#) }.count }
        _ = await provider.waitForLine(timeout: 90) { _ in completed() >= 3 * perAgent }
        #expect(completed() == 3 * perAgent)
        let (queued, confirmed) = await Self.waitUntilConfirmed(provider, timeout: 60)
        #expect(Set(confirmed).count >= queued)
        published[Self.provider] = Set(confirmed)

        for agent in agents + [provider] { #expect(agent.terminate() == 0) }
        let reader = try Journal(path: journal, readOnly: true)
        defer { reader.close() }
        for (agency, ids) in published {
            let counts = try ids.map { try reader.count(ofMessage: $0) }
            #expect(counts.allSatisfy { $0 == 1 }, "\(agency): \(counts.filter { $0 == 0 }.count) missing, \(counts.filter { $0 > 1 }.count) twice")
            let state = agency == Self.provider ? providerState : directory + "/\(agency).sqlite"
            #expect(try AgentStore(path: state).contents().outbox.isEmpty, "\(agency) left messages unconfirmed")
        }
        for agent in agents + [provider] {
            #expect(agent.output.filter { $0.contains(#""event":"publish-refused""#) }.isEmpty)
        }
        #expect(restarted.terminate() == 0)
    }
}
