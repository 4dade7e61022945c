import Foundation
import TansiqMessages
import Testing
import ZeroMQ
@testable import TansiqHub


/// Mutations of real messages: what a broken or hostile publisher sends.
enum IngressMutator {
    static let goldenDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TansiqMessagesTests/Golden")

    /// Every golden message, as its three frames.
    static func seeds() throws -> [[[UInt8]]] {
        let names = try FileManager.default.contentsOfDirectory(atPath: goldenDirectory.path)
            .filter { $0.hasSuffix(".topic") }.map { String($0.dropLast(".topic".count)) }.sorted()
        return try names.map { name in
            try ["topic", "header.json", "body.json"].map { part in
                Array(try Data(contentsOf: goldenDirectory.appendingPathComponent("\(name).\(part)")))
            }
        }
    }

    static let tokens: [[UInt8]] = [
        "{", "}", "[", "]", "\"", ":", ",", "\\u", "\\ud800", "null", "1e999", "-0", "18446744073709551616",
        "\"name\":\"x\"", "/", "//", "referral/to/", "\"source\":\"other\"", "\"specversion\":\"9.0\"",
    ].map { Array($0.utf8) } + [[0], [0xFF], [0xC3], [0xED, 0xA0, 0x80]]

    static func mutate(_ seed: [[UInt8]], donors: [[[UInt8]]], using rng: inout SeededGenerator) -> [[UInt8]] {
        var frames = seed
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let index = Int.random(in: 0..<max(1, frames.count), using: &rng)
            if frames.isEmpty { frames = [[]] }
            var frame = frames[index]
            switch Int.random(in: 0..<9, using: &rng) {
            case 0 where !frame.isEmpty:
                frame[Int.random(in: 0..<frame.count, using: &rng)] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            case 1:
                frame = Array(frame.prefix(Int.random(in: 0...frame.count, using: &rng)))
            case 2:
                frame.insert(contentsOf: tokens.randomElement(using: &rng)!, at: Int.random(in: 0...frame.count, using: &rng))
            case 3:
                frame.insert(contentsOf: (0..<Int.random(in: 1...16, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) },
                             at: Int.random(in: 0...frame.count, using: &rng))
            case 4:
                // A frame of another message: headers and bodies that disagree.
                let donor = donors.randomElement(using: &rng)!
                frame = donor[min(index, donor.count - 1)]
            case 5:
                frames.append(frames.randomElement(using: &rng) ?? [])
            case 6 where frames.count > 1:
                frames.remove(at: index)
            case 7:
                frame = Array(repeating: frame.first ?? 0x20, count: Int.random(in: 0...70_000, using: &rng))
            default:
                frame.removeAll()
            }
            if index < frames.count { frames[index] = frame }
        }
        return frames
    }
}

@Suite("Hub hardening", .timeLimit(.minutes(2)))
struct HubHardeningTests {
    /// 20 000 mutated messages through the ingress validator and the secure checks: each is
    /// accepted or refused with a reason, nothing traps, and a message that passes re-decodes.
    @Test func twentyThousandMutatedMessagesAreAcceptedOrRefusedNeverCrash() throws {
        let seeds = try IngressMutator.seeds()
        #expect(seeds.count >= 13)
        var rng = SeededGenerator(seed: 0x7A45_51C0)
        var validator = IngressValidator(hubID: "main", maxMessageBytes: 256 * 1024, bodyValidation: .full)
        let keys = try TestKeys(agencies: ["iom-agadir", "health-delegation-agadir"])
        guard case .curve(let settings) = keys.configuration().security else { throw CancellationError() }
        let gatekeeper = HubGatekeeper(access: try HubAccess(settings: settings, logger: .init(label: "test")), rateLimit: nil, logger: .init(label: "test"))
        var reasons: [String: Int] = [:]
        var accepted = 0
        for round in 0..<20_000 {
            let seed = seeds[round % seeds.count]
            let frames = IngressMutator.mutate(seed, donors: seeds, using: &rng)
            switch validator.validate(frames) {
            case .success(let message):
                accepted += 1
                #expect((try? MessageCodec.decode(topic: message.topic, header: message.header, body: frames[2])) != nil)
                if let refusal = gatekeeper.admit(message, userID: "iom-agadir", now: .now) {
                    reasons[refusal.reason.rawValue, default: 0] += 1
                }
            case .failure(let rejection):
                #expect(!rejection.message.isEmpty)
                reasons[rejection.reason.rawValue, default: 0] += 1
            }
        }
        #expect(accepted + reasons.values.reduce(0, +) >= 20_000)
        #expect(reasons.count >= 6, "too few kinds of refusal: \(reasons)")
    }

    /// The same kind of input through a running hub: it answers each with a rejection or
    /// forwards it, and still forwards a valid message afterwards.
    @Test func aHubFedMutatedMessagesKeepsForwarding() async throws {
        var configuration = HubConfiguration(ingress: "tcp://127.0.0.1:*", egress: "tcp://127.0.0.1:*", security: .insecure)
        configuration.rateLimit = nil
        let seeds = try IngressMutator.seeds()
        try await withHub(configuration) { _, endpoints in
            let client = try RawClient(endpoints, prefixes: ["referral/to/\(Sample.receiver)/", "hub/rejected/"])
            // Block rather than drop at the high-water mark: every input must reach the hub.
            try client.publisher.set(.xpubNoDrop(true))
            var rng = SeededGenerator(seed: 42)
            for round in 0..<1_000 {
                let frames = IngressMutator.mutate(seeds[round % seeds.count], donors: seeds, using: &rng)
                try client.publisher.send(frames)
            }
            let valid = try Sample.referralFrames()
            try client.publisher.send(valid)
            var found = false
            var rejections = 0
            for _ in 0..<5_000 {
                guard let message = try client.next() else { break }
                if Array(message.frames.prefix(3)) == valid { found = true; break }
                if message.frames.first.map({ String(decoding: $0, as: UTF8.self).hasPrefix("hub/rejected/") }) == true { rejections += 1 }
            }
            #expect(found)
            #expect(rejections > 100, "only \(rejections) rejections answered 1 000 mutated messages")
        }
    }

    @Test func aMessageWithTooManyFramesIsRefusedWithoutReadingThem() async throws {
        try await withHub { _, endpoints in
            let client = try RawClient(endpoints, prefixes: ["hub/rejected/"])
            try client.publisher.send((0..<10_000).map { _ in [0x61] })

            let message = try #require(try client.next())
            guard case .hubRejection(let rejection) = try MessageCodec.decode(message.frames).envelope.payload else {
                Issue.record("expected a rejection, got \(String(decoding: message.frames[0], as: UTF8.self))")
                return
            }
            #expect(rejection.reason == .malformedFrames)
            #expect(rejection.message.hasPrefix("10000 frames; at most 8"))
        }
    }

    @Test func anAgencyPublishingTooFastIsToldAndOthersAreNot() async throws {
        let keys = try TestKeys(agencies: [Pilot.iom, Pilot.health])
        var configuration = keys.configuration()
        // Nearly no refill: the burst is all an agency gets during the test.
        configuration.rateLimit = HubConfiguration.RateLimit(messagesPerSecond: 0.001, burst: 20)
        try await withHub(configuration) { hub, endpoints in
            let iom = try SecureClient(endpoints, agency: Pilot.iom, keys: keys[Pilot.iom], hubKey: keys.hub.publicKey, prefixes: [])
            let health = try SecureClient(endpoints, agency: Pilot.health, keys: keys[Pilot.health], hubKey: keys.hub.publicKey, prefixes: [])
            for _ in 0..<30 { try iom.publish(try Pilot.referral()) }

            let rejection = try #require(try iom.nextRejection())
            #expect(rejection.reason == .rateLimited)
            #expect(rejection.message.contains("faster than"))
            #expect(try health.drainUntilMarker().isEmpty)
            #expect(hub.counters.rejections["rate-limited", default: 0] >= 1)
        }
    }

    @Test func rateLimiterRefillsAtItsRate() {
        var limiter = RateLimiter(rate: 10, burst: 2)
        let start = Date()
        let later = start.addingTimeInterval(0.1)
        let answers = [
            limiter.admit("a", now: start), limiter.admit("a", now: start), limiter.admit("a", now: start),
            limiter.admit("b", now: start), limiter.admit("a", now: later), limiter.admit("a", now: later),
        ]
        #expect(answers == [true, true, false, true, true, false])
    }
}
