import TansiqAgent
import Foundation
import TansiqMessages
import Testing
import ZeroMQ

/// `tansiq-hub` killed with SIGKILL in the middle of a stream and restarted on its journal.
@Suite("Hub crash and restart, real processes", .serialized)
struct HubCrashTests {
    static let receiver = "health-delegation-agadir"
    static let inbox = "referral/to/\(receiver)/"
    static let streamLength = 10_000
    static let killAfter = 3_000

    /// A publisher and a subscriber of a hub, in this process, as any client would write them.
    final class Client {
        let context: Context
        let publisher: Socket
        let subscriber: Socket
        var poller = Poller()

        init(_ endpoints: EndToEndTests.Endpoints) throws {
            context = try Context()
            publisher = try context.makeSocket(.xpub)
            subscriber = try context.makeSocket(.sub)
            try publisher.set(.sendHighWaterMark(0))
            try publisher.set(.xpubNoDrop(true))
            try publisher.set(.linger(milliseconds: 0))
            try publisher.set(.receiveTimeout(milliseconds: 10_000))
            try subscriber.set(.receiveHighWaterMark(0))
            try subscriber.set(.receiveTimeout(milliseconds: 100))
            try subscriber.set(.subscribe(Array(HubCrashTests.inbox.utf8)))
            try subscriber.set(.subscribe(Array("presence/probe/".utf8)))
            try subscriber.connect(endpoints.egress)
            try publisher.connect(endpoints.ingress)
            _ = poller.register(subscriber)
            _ = try #require(try publisher.receive(), "the hub never subscribed to the publisher")
            // Heartbeats until one comes back: the subscription is live at the hub.
            let presence = Presence(agency: "probe", agent: "p1", role: .cli, version: "test", uptimeSeconds: 0, heartbeatInterval: 60)
            let probe = try MessageCodec.encode(Envelope(
                topic: try Topic.presence(agency: "probe", agent: "p1"), source: "probe", agent: "p1", payload: .presence(presence)))
            for _ in 0..<100 {
                try publisher.send(probe)
                if let message = try subscriber.receive(), message.frames[0].starts(with: Array("presence/probe/".utf8)) { return }
            }
            throw CrashTestError("the subscription never became live")
        }

        /// Every referral forwarded that is waiting now, or within `wait`.
        func drain(wait: Duration) throws -> [Multipart] {
            var messages: [Multipart] = []
            guard try poller.poll(timeout: wait)[0].contains(.readable) else { return [] }
            while let message = try subscriber.receive(dontWait: true) {
                if message.frames[0].starts(with: Array(HubCrashTests.inbox.utf8)) { messages.append(message) }
            }
            return messages
        }

        func close() {
            publisher.close()
            subscriber.close()
        }

        deinit { close() }
    }

    struct CrashTestError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func referral(_ index: Int) throws -> [[UInt8]] {
        let now = Date()
        let referral = Referral(
            referralId: UUID(), caseReference: "AGA-9999-\(index)", referringAgency: "iom-morocco", referringWorker: "caseworker-1",
            receivingAgency: receiver, category: .health, priority: .routine, reasonCodes: [.medicalConsultation],
            consent: Referral.Consent(status: .given, scope: [.shareWithReceiver], recordedBy: "caseworker-1", recordedAt: now),
            acknowledgeBy: now.addingTimeInterval(3600), decideBy: now.addingTimeInterval(7200), followUpOn: now.addingTimeInterval(86_400))
        return try MessageCodec.encode(Envelope(
            topic: try Topic.referral(to: receiver, category: .health), source: "iom-morocco", agent: "iom-morocco-1",
            payload: .referral(referral), correlationID: referral.referralId))
    }

    /// Every message on the inbox the hub's replay endpoint has, by seq, paging to the end.
    static func replayAll(from endpoint: String) throws -> [UInt64: [[UInt8]]] {
        let context = try Context()
        let dealer = try context.makeSocket(.dealer)
        defer { dealer.close() }
        try dealer.set(.receiveTimeout(milliseconds: 10_000))
        try dealer.set(.linger(milliseconds: 0))
        try dealer.connect(endpoint)
        var replayed: [UInt64: [[UInt8]]] = [:]
        var after: UInt64 = 0
        for _ in 0..<100 {
            let request = try MessageCodec.encode(Envelope(
                topic: try Topic.replayRequest(agency: receiver), source: receiver, agent: "desk-1",
                payload: .replayRequest(ReplayRequest(prefixes: [inbox], afterSequence: after, limit: 5000))))
            try dealer.send(request)
            for _ in 0...5001 {
                let message = try #require(try dealer.receive(), "the replay endpoint did not answer")
                if message.frames.count == 3 {
                    guard case .replayEnd(let end) = try MessageCodec.decode(message.frames).envelope.payload else {
                        throw CrashTestError("a 3-frame answer that is not an end marker")
                    }
                    #expect(end.error == nil)
                    if !end.more { return replayed }
                    after = end.lastSequence
                    break
                }
                replayed[try MessageCodec.decodeStamp(message.frames[3]).seq] = message.frames
            }
        }
        throw CrashTestError("replay did not end within 100 pages")
    }

    @Test(arguments: ["full", "normal"])
    func everyMessageForwardedBeforeASIGKILLIsReplayableWithItsSequenceAfterTheRestart(durability: String) async throws {
        let journal = try EndToEndTests.temporaryJournal()
        defer { try? FileManager.default.removeItem(atPath: (journal as NSString).deletingLastPathComponent) }
        let (hub, endpoints) = try await EndToEndTests.startHub(["--journal", journal, "--durability", durability])
        let stream = try (0..<Self.streamLength).map(Self.referral)
        var seen: [UInt64: [[UInt8]]] = [:]
        do {
            let client = try Client(endpoints)
            var sent = 0
            let deadline = ContinuousClock.now.advanced(by: .seconds(20))
            while seen.count < Self.killAfter {
                guard ContinuousClock.now < deadline else { throw CrashTestError("only \(seen.count) forwarded in 20 s") }
                for frames in stream[sent..<min(sent + 200, stream.count)] { try client.publisher.send(frames) }
                sent = min(sent + 200, stream.count)
                for message in try client.drain(wait: sent < stream.count ? .zero : .milliseconds(100)) {
                    seen[try MessageCodec.decodeStamp(message.frames[3]).seq] = message.frames
                }
            }
            #expect(hub.killAbruptly() == SIGKILL)
            // What the hub forwarded before it died is still on its way: take it all.
            while true {
                let late = try client.drain(wait: .milliseconds(500))
                if late.isEmpty { break }
                for message in late { seen[try MessageCodec.decodeStamp(message.frames[3]).seq] = message.frames }
            }
        }
        #expect(seen.count < Self.streamLength, "the hub died mid-stream")

        let (restarted, newEndpoints) = try await EndToEndTests.startHub(["--journal", journal, "--durability", durability])
        defer { restarted.terminate() }
        let replayed = try Self.replayAll(from: try #require(newEndpoints.replay))
        let lost = seen.keys.filter { replayed[$0] != seen[$0] }.sorted()
        #expect(lost.isEmpty, "\(lost.count) of \(seen.count) forwarded messages are not replayable as forwarded, first seq \(lost.first ?? 0)")
        #expect(replayed.count >= seen.count)

        let client = try Client(newEndpoints)
        try client.publisher.send(try Self.referral(Self.streamLength))
        var fresh: [Multipart] = []
        for _ in 0..<50 where fresh.isEmpty { fresh = try client.drain(wait: .milliseconds(200)) }
        let stamp = try MessageCodec.decodeStamp(try #require(fresh.first, "the restarted hub forwards").frames[3])
        let highest = try #require(replayed.keys.max())
        #expect(stamp.seq > highest, "new sequence \(stamp.seq) continues above \(highest)")
        #expect(restarted.terminate() == 0)
    }

    static let agentStreamLength = 400
    static let agentKillAfter = 50
    static let caughtUp = #""event":"caught-up""#

    /// The referral id of a `referral-received` line of `--print-events`, nil for any other line.
    static func receivedReferral(_ line: String) -> String? {
        guard line.contains(#""event":"referral-received""#) else { return nil }
        return AgentEventRecord.decode(line: line)?.referralId
    }

    /// The ids of the referrals stored in the journal at `path`, read by `tansiq journal list`.
    static func journaledReferrals(_ path: String) async throws -> Set<String> {
        let list = try ChildProcess("tansiq", ["journal", "list", path, "--prefix", "referral/", "--json", "--limit", "1000000"])
        let status = await list.exitStatus()
        try #require(status == 0, "tansiq journal list exited \(status): \(list.standardError)")
        return Set(try list.output.map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let body = try #require(object["body"] as? [String: Any], "no body in \(line)")
            return try #require(body["referralId"] as? String, "no referral id in \(line)").lowercased()
        })
    }

    @Test func agentExecutablesReceiveEveryJournaledReferralOnceAcrossAHubKilledMidStream() async throws {
        let journal = try EndToEndTests.temporaryJournal()
        let state = try AgentRestartTests.stateFile()
        defer {
            for path in [journal, state] { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        }
        let (hub, endpoints) = try await EndToEndTests.startHub(["--journal", journal])
        let replay = try #require(endpoints.replay)
        let provider = try await AgentRestartTests.provider(state: state, serviceTime: 0.1, hub: endpoints)
        #expect(await provider.waitForLine(timeout: 20) { $0.contains(Self.caughtUp) } != nil)
        let iom = try await AgentRestartTests.referrer(count: Self.agentStreamLength, hub: endpoints)

        var receivedLive = Set<String>()
        let flowing = await provider.waitForLine(timeout: 20) { line in
            if let id = Self.receivedReferral(line) { receivedLive.insert(id) }
            return receivedLive.count >= Self.agentKillAfter
        }
        try #require(flowing != nil, "the provider received only \(receivedLive.count) referrals")
        #expect(hub.killAbruptly() == SIGKILL)
        let caughtUpBeforeRestart = provider.output.filter { $0.contains(Self.caughtUp) }.count
        // What the hub stored before it died: everything it forwarded, and perhaps a little more.
        let forwarded = try await Self.journaledReferrals(journal)
        #expect(forwarded.isSuperset(of: receivedLive), "every referral received was journaled first")
        #expect(forwarded.count < Self.agentStreamLength, "the hub died mid-stream")

        // Same journal, same ports: the agents reconnect by themselves.
        let restarted = try ChildProcess("tansiq-hub", [
            "--insecure", "--ingress", endpoints.ingress, "--egress", endpoints.egress, "--replay", replay,
            "--publish", try #require(endpoints.publish), "--journal", journal, "--log-level", "notice",
        ])
        defer { restarted.killAbruptly() }
        let printed = try #require(
            await restarted.waitForLine(timeout: 20) { $0.hasPrefix("{") }, "the restarted hub never printed its endpoints: \(restarted.standardError)")
        let again = try JSONDecoder().decode(EndToEndTests.Endpoints.self, from: Data(printed.utf8))
        #expect([again.ingress, again.egress, again.replay] == [endpoints.ingress, endpoints.egress, replay])
        let caughtUpAgain = await provider.waitForLine(timeout: 20) { line in
            line.contains(Self.caughtUp) && provider.output.filter { $0.contains(Self.caughtUp) }.count > caughtUpBeforeRestart
        }
        #expect(caughtUpAgain != nil, "the provider caught up after the restart: \(provider.standardError.suffix(8000))")
        var missing = forwarded
        _ = await provider.waitForLine(timeout: 20) { line in
            if let id = Self.receivedReferral(line) { missing.remove(id) }
            return missing.isEmpty
        }
        #expect(missing.isEmpty, "\(missing.count) of \(forwarded.count) referrals journaled before the kill never received")

        // The rest of the stream goes through the restarted hub; the provider gets all it stores.
        var sent = Set<String>()
        _ = await iom.waitForLine(timeout: 20) { line in
            if line.contains(#""event":"referral-sent""#),
               let id = AgentEventRecord.decode(line: line)?.referralId {
                sent.insert(id)
            }
            return sent.count == Self.agentStreamLength
        }
        #expect(sent.count == Self.agentStreamLength)
        let journaled = try await Self.journaledReferrals(journal)
        #expect(journaled.isSuperset(of: forwarded))
        missing = journaled
        _ = await provider.waitForLine(timeout: 20) { line in
            if let id = Self.receivedReferral(line) { missing.remove(id) }
            return missing.isEmpty
        }
        #expect(missing.isEmpty, "\(missing.count) of \(journaled.count) journaled referrals never received")

        for process in [iom, provider, restarted] { #expect(process.terminate() == 0) }
        let received = provider.output.compactMap(Self.receivedReferral)
        let twice = Dictionary(grouping: received, by: { $0 }).filter { $0.value.count > 1 }.keys
        #expect(twice.isEmpty, "\(twice.count) referrals received twice, e.g. \(twice.first ?? "")")
        #expect(Set(received).isSubset(of: try await Self.journaledReferrals(journal)), "nothing received that the hub did not journal")
        #expect(AgentRestartTests.events(iom, .referralRepublished).isEmpty)
        #expect(AgentRestartTests.events(provider, .referralDuplicate).isEmpty, "no referral delivered twice")
    }

    @Test func aSecondHubOnTheSameJournalExits74AndSaysWhy() async throws {
        let journal = try EndToEndTests.temporaryJournal()
        defer { try? FileManager.default.removeItem(atPath: (journal as NSString).deletingLastPathComponent) }
        let (hub, _) = try await EndToEndTests.startHub(["--journal", journal])
        let second = try ChildProcess("tansiq-hub", [
            "--insecure", "--ingress", "tcp://127.0.0.1:*", "--egress", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*", "--journal", journal,
        ])
        #expect(second.waitForExit() == 74)
        #expect(second.standardError.contains("another hub is writing to \(journal)"))
        #expect(hub.terminate() == 0)
    }
}
