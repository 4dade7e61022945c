import Foundation
import TansiqHub
import TansiqMessages
import Testing
import ZeroMQ

@Suite("Hub forwarding")
struct HubForwardingTests {
    @Test func forwardsValidMessagesUnchangedWithSequenceStamps() async throws {
        try await withHub { _, endpoints in
            let client = try RawClient(endpoints, prefixes: ["referral/to/\(Sample.receiver)/"])
            let sent = try (0..<3).map { _ in try Sample.referralFrames() }
            for frames in sent { try client.publisher.send(frames) }
            var stamps: [HubStamp] = []
            for frames in sent {
                let message = try #require(try client.next())
                #expect(message.frames.count == 4)
                #expect(Array(message.frames.prefix(3)) == frames)
                stamps.append(try MessageCodec.decodeStamp(message.frames[3]))
            }
            #expect(stamps.map(\.topicSeq) == [1, 2, 3])
            #expect(stamps.map(\.hub) == ["main", "main", "main"])
            #expect(zip(stamps, stamps.dropFirst()).allSatisfy { $0.seq < $1.seq })
        }
    }

    @Test func rejectsGarbageAndCountsItWhileValidTrafficFlows() async throws {
        var configuration = HubConfiguration(ingress: "tcp://127.0.0.1:*", egress: "tcp://127.0.0.1:*", security: .insecure)
        configuration.maxMessageBytes = 4096
        configuration.statisticsInterval = .milliseconds(50)
        try await withHub(configuration) { hub, endpoints in
            let client = try RawClient(endpoints, prefixes: ["referral/to/\(Sample.receiver)/", "hub/rejected/", "hub/stats/"])
            let valid = try Sample.referralFrames()
            let presenceOnReferralTopic: [[UInt8]] = try {
                let presence = Presence(agency: Sample.referrer, agent: "iom-morocco-1", role: .iom, version: "1", uptimeSeconds: 1, heartbeatInterval: 10)
                var frames = try MessageCodec.encode(Envelope(
                    topic: try Topic.presence(agency: Sample.referrer, agent: "iom-morocco-1"),
                    source: Sample.referrer, agent: "iom-morocco-1", payload: .presence(presence)))
                frames[0] = valid[0]
                return frames
            }()
            var badBody = valid
            badBody[2] = Array(#"{"referralId": 42"#.utf8)
            var badHeader = valid
            badHeader[1] = Array("not json".utf8)
            var oversized = valid
            oversized[2] += [UInt8](repeating: 0x20, count: 8192)
            let spoofedSender: [[UInt8]] = try {
                let update = ReferralStatusUpdate(referralId: UUID(), state: .received, previousState: .requested, changedBy: Sample.receiver, changedAt: Date())
                var frames = try MessageCodec.encode(Envelope(
                    topic: try Topic.status(addressee: Sample.referrer, sender: Sample.receiver, category: .health),
                    source: Sample.receiver, agent: "x-1", payload: .referralStatus(update)))
                // The header claims another agency than the topic's sender.
                let header = String(decoding: frames[1], as: UTF8.self)
                    .replacingOccurrences(of: #""source":"\#(Sample.receiver)""#, with: #""source":"ngo-x""#)
                #expect(header.contains(#""source":"ngo-x""#))
                frames[1] = Array(header.utf8)
                return frames
            }()
            let garbage: [(String, [[UInt8]])] = [
                ("malformed-frames", [Array("one frame only".utf8)]),
                ("malformed-frames", valid + [[1, 2, 3], [4]]),
                ("bad-header", badHeader),
                ("bad-body", badBody),
                ("kind-topic-mismatch", presenceOnReferralTopic),
                ("too-large", oversized),
                ("sender-mismatch", spoofedSender),
                ("malformed-topic", [Array("referral/to/UPPER CASE/health".utf8), valid[1], valid[2]]),
            ]
            var random = SeededGenerator(seed: 7)
            var expectedReasons: [String: UInt64] = [:]
            for (reason, frames) in garbage {
                try client.publisher.send(frames)
                try client.publisher.send(valid)
                expectedReasons[reason, default: 0] += 1
            }
            for _ in 0..<20 {
                let frames = (0..<Int.random(in: 1...5, using: &random)).map { _ in
                    (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                }
                try client.publisher.send(frames)
            }
            try client.publisher.send(valid)

            var validSeen = 0
            var rejectionReasons: [String: UInt64] = [:]
            var counted: [String: UInt64] = [:]
            let garbageTotal = UInt64(garbage.count + 20)
            // Until every valid message has come through and a statistics publication has counted every rejection.
            for _ in 0..<10_000 where validSeen < garbage.count + 1 || counted.values.reduce(0, +) < garbageTotal {
                let message = try #require(try client.next(), "traffic stopped flowing")
                let (envelope, _) = try MessageCodec.decode(message.frames)
                switch envelope.payload {
                case .referral: validSeen += 1
                case .hubRejection(let rejection): rejectionReasons[rejection.reason.rawValue, default: 0] += 1
                case .hubStatistics(let statistics): counted = statistics.rejections
                default: Issue.record("unexpected \(envelope.header.type.rawValue)")
                }
            }
            #expect(validSeen == garbage.count + 1)
            #expect(counted.values.reduce(0, +) == garbageTotal)
            #expect(rejectionReasons.values.reduce(0, +) == garbageTotal)
            for (reason, count) in expectedReasons {
                #expect(rejectionReasons[reason, default: 0] >= count, "rejections answered for \(reason)")
                #expect(counted[reason, default: 0] >= count, "rejections counted for \(reason)")
            }
            #expect(hub.counters.accepted >= UInt64(garbage.count + 1))
        }
    }

    @Test func bindingAnAddressInUseFailsWithEADDRINUSE() async throws {
        try await withHub { _, endpoints in
            let second = try Hub(
                configuration: HubConfiguration(ingress: endpoints.ingress, egress: "tcp://127.0.0.1:*", security: .insecure),
                logger: .init(label: "test.second")
            )
            let task = Task { try await second.run() }
            let error = await #expect(throws: HubError.self) { try await second.endpoints() }
            #expect(error?.code == .bindFailed)
            #expect(error?.message.contains("EADDRINUSE") == true)
            _ = try? await task.value
        }
    }

    @Test func publishesStatistics() async throws {
        let configuration = HubConfiguration(ingress: "tcp://127.0.0.1:*", egress: "tcp://127.0.0.1:*", statisticsInterval: .milliseconds(50), security: .insecure)
        try await withHub(configuration) { _, endpoints in
            let client = try RawClient(endpoints, prefixes: ["hub/stats/main"])
            try client.publisher.send([Array("garbage".utf8)])
            // Statistics are cumulative: wait for one that has counted the garbage.
            for _ in 0..<100 {
                let message = try #require(try client.next())
                let (envelope, _) = try MessageCodec.decode(message.frames)
                guard case .hubStatistics(let statistics) = envelope.payload else { continue }
                #expect(statistics.hub == "main")
                #expect(statistics.secure == false)
                if statistics.rejections["malformed-frames"] == 1 {
                    #expect(statistics.messagesIn >= 2)
                    #expect(statistics.peers >= 2)
                    return
                }
            }
            Issue.record("no statistics counted the rejection")
        }
    }
}

