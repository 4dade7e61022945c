import Foundation
import TansiqHub
import TansiqMessages
import TansiqTestSupport
import Testing
import ZeroMQ

@Suite("Hub replay endpoint")
struct HubReplayTests {
    static let inbox = "referral/to/\(Sample.receiver)/"

    @Test func aLongHistoryIsReplayedInPagesInOrderWithItsOriginalStamps() async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        try await withHub(journaledConfiguration(directory)) { _, endpoints in
            let client = try StreamClient(endpoints, prefixes: [Self.inbox, "referral/to/ngo-other/"])
            var forwarded: [UInt64: [[UInt8]]] = [:]
            // 1,200 for the inbox, interleaved with 300 the prefix must leave out.
            var sent = 0
            for index in 0..<1500 {
                try client.publisher.send(index % 5 == 4 ? try Sample.referralFrames(to: "ngo-other") : try Sample.referralFrames())
                sent += 1
            }
            for _ in 0..<sent {
                let message = try #require(try client.next(), "forwarding stalled after \(forwarded.count)")
                guard String(decoding: message.frames[0], as: UTF8.self).hasPrefix(Self.inbox) else { continue }
                forwarded[try MessageCodec.decodeStamp(message.frames[3]).seq] = message.frames
            }
            try #require(forwarded.count == 1200)

            let dealer = try ReplayDealer(try #require(endpoints.replay))
            var pages: [ReplayDealer.Page] = []
            var after: UInt64 = 0
            for _ in 0..<10 {
                let page = try dealer.page(agency: Sample.receiver, prefixes: [Self.inbox], after: after, limit: 500)
                pages.append(page)
                after = page.end.lastSequence
                if !page.end.more { break }
            }
            #expect(pages.map(\.messages.count) == [500, 500, 200])
            #expect(pages.map(\.end.more) == [true, true, false])
            #expect(pages.map(\.end.count) == [500, 500, 200])
            #expect(pages.allSatisfy { $0.end.error == nil })
            #expect(pages.allSatisfy { $0.endTopic == "hub/replay/end/\(Sample.receiver)" })
            let replayed = pages.flatMap(\.messages)
            let sequences = replayed.compactMap { try? MessageCodec.decodeStamp($0[3]).seq }
            #expect(sequences == forwarded.keys.sorted(), "every forwarded message once, in order")
            for frames in replayed {
                let seq = try MessageCodec.decodeStamp(frames[3]).seq
                #expect(frames == forwarded[seq], "replayed exactly as forwarded, stamp included (seq \(seq))")
            }
            #expect(pages[0].end.lastSequence == sequences[499])
            #expect(pages[2].end.headSequence >= sequences.last!)
        }
    }

    @Test func anEmptyPageEndsAtTheRequestedSequence() async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        try await withHub(journaledConfiguration(directory)) { _, endpoints in
            let client = try StreamClient(endpoints, prefixes: [Self.inbox])
            try client.publisher.send(try Sample.referralFrames())
            let seen = try MessageCodec.decodeStamp(try #require(try client.next()).frames[3])
            let dealer = try ReplayDealer(try #require(endpoints.replay))
            let page = try dealer.page(agency: Sample.receiver, prefixes: [Self.inbox], after: seen.seq)
            #expect(page.messages.isEmpty)
            #expect(page.end == ReplayEnd(lastSequence: seen.seq, count: 0, more: false, headSequence: page.end.headSequence))
            #expect(page.end.headSequence >= seen.seq)
        }
    }

    /// A request and the error code its end marker must carry.
    struct Hostile: CustomTestStringConvertible, Sendable {
        var name: String
        var code: String
        var endTopic: String
        var frames: @Sendable () throws -> [[UInt8]]
        var testDescription: String { name }
    }

    static let agency = Sample.receiver
    static let hostile: [Hostile] = [
        Hostile(name: "one garbage frame", code: "bad-request", endTopic: "hub/replay/end/unknown") { [Array("hello".utf8)] },
        Hostile(name: "garbage header", code: "bad-request", endTopic: "hub/replay/end/\(agency)") {
            var frames = try ReplayDealer.request(agency: agency, prefixes: [inbox], after: 0, limit: nil)
            frames[1] = Array("{not json".utf8)
            return frames
        },
        Hostile(name: "bad JSON body", code: "bad-request", endTopic: "hub/replay/end/\(agency)") {
            var frames = try ReplayDealer.request(agency: agency, prefixes: [inbox], after: 0, limit: nil)
            frames[2] = Array(#"{"prefixes":["referral/"],"afterSequence":-1}"#.utf8)
            return frames
        },
        Hostile(name: "unknown prefix", code: "bad-request", endTopic: "hub/replay/end/\(agency)") {
            try ReplayDealer.request(agency: agency, prefixes: ["astrology/"], after: 1, limit: nil)
        },
        Hostile(name: "a prefix longer than any topic of its family", code: "bad-request", endTopic: "hub/replay/end/\(agency)") {
            try ReplayDealer.request(agency: agency, prefixes: ["referral/to/\(agency)/health/"], after: 0, limit: nil)
        },
        Hostile(name: "invalid prefix", code: "bad-request", endTopic: "hub/replay/end/\(agency)") {
            var frames = try ReplayDealer.request(agency: agency, prefixes: [inbox], after: 0, limit: nil)
            frames[2] = Array(#"{"afterSequence":0,"prefixes":["Referral To/"]}"#.utf8)
            return frames
        },
        Hostile(name: "sequence in the future", code: "sequence-in-future", endTopic: "hub/replay/end/\(agency)") {
            try ReplayDealer.request(agency: agency, prefixes: [inbox], after: 1_000_000_000, limit: nil)
        },
        Hostile(name: "absurd limit", code: "limit-too-large", endTopic: "hub/replay/end/\(agency)") {
            try ReplayDealer.request(agency: agency, prefixes: [inbox], after: 0, limit: 50_000_000)
        },
        Hostile(name: "wrong kind", code: "bad-request", endTopic: "hub/replay/end/\(agency)") {
            var frames = try Sample.referralFrames()
            frames[0] = Array("hub/replay/request/\(agency)".utf8)
            return frames
        },
        Hostile(name: "a referral on its own topic", code: "bad-request", endTopic: "hub/replay/end/unknown") {
            try Sample.referralFrames()
        },
        Hostile(name: "another agency's name", code: "bad-request", endTopic: "hub/replay/end/\(agency)") {
            var frames = try ReplayDealer.request(agency: "ngo-spy", prefixes: [inbox], after: 0, limit: nil)
            frames[0] = Array("hub/replay/request/\(agency)".utf8)
            return frames
        },
    ]

    @Test(arguments: hostile)
    func aHostileRequestGetsAClearErrorAndForwardingContinues(_ hostile: Hostile) async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        try await withHub(journaledConfiguration(directory)) { hub, endpoints in
            let client = try StreamClient(endpoints, prefixes: [Self.inbox])
            try client.publisher.send(try Sample.referralFrames())
            _ = try #require(try client.next())
            let dealer = try ReplayDealer(try #require(endpoints.replay))
            let page = try dealer.exchange(try hostile.frames())
            #expect(page.messages.isEmpty)
            #expect(page.endTopic == hostile.endTopic)
            #expect(page.end.error?.code == hostile.code)
            #expect(page.end.error?.message.isEmpty == false)
            #expect(page.end.count == 0)
            #expect(page.end.more == false)
            // The request's afterSequence when its body could be read, else 0.
            let afterSequences: [String: UInt64] = ["unknown prefix": 1, "sequence in the future": 1_000_000_000]
            #expect(page.end.lastSequence == afterSequences[hostile.name, default: 0])
            // The hub keeps forwarding, and the same client may still replay.
            let valid = try Sample.referralFrames()
            try client.publisher.send(valid)
            #expect(try client.next().map { Array($0.frames.prefix(3)) } == valid)
            let retry = try dealer.page(agency: Self.agency, prefixes: [Self.inbox], after: 0)
            #expect(retry.end.error == nil)
            #expect(retry.messages.count == 2)
            for _ in 0..<50 where hub.counters.replayErrors[hostile.code] == nil {
                try client.publisher.send(try Sample.referralFrames())
                _ = try client.next()
            }
            #expect(hub.counters.replayErrors[hostile.code] == 1)
        }
    }

    @Test func historyDeletedByRetentionIsReportedWithThePage() async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        // 30 messages, of which retention keeps the last 10.
        try await withHub(journaledConfiguration(directory)) { _, endpoints in
            let client = try StreamClient(endpoints, prefixes: [Self.inbox])
            for _ in 0..<30 { try client.publisher.send(try Sample.referralFrames()) }
            for _ in 0..<30 { _ = try #require(try client.next()) }
        }
        let trimming = try Journal(path: directory.journalPath, retention: JournalRetention(maxMessages: 10))
        try trimming.applyRetention()
        let firstKept = try #require(try trimming.firstStoredSequence())
        // The hub journals its own view entries between the referrals, in no fixed order,
        // so the first kept message on the inbox is not always the first kept sequence.
        let firstKeptInInbox = try #require(try trimming.records(after: 0, prefixes: [Self.inbox], limit: 100).first?.sequence)
        trimming.close()
        try await withHub(journaledConfiguration(directory)) { _, endpoints in
            let dealer = try ReplayDealer(try #require(endpoints.replay))
            let page = try dealer.page(agency: Sample.receiver, prefixes: [Self.inbox], after: 0)
            #expect(page.end.error?.code == "history-truncated")
            #expect(page.end.error?.message.contains("history starts at sequence \(firstKept)") == true)
            #expect(page.stamps.first?.seq == firstKeptInInbox)
            #expect(page.messages.count == page.stamps.filter { $0.seq >= firstKept }.count)
            #expect(page.end.count == UInt64(page.messages.count))
        }
    }
}

@Suite("Hub replay endpoint, slow clients")
struct HubReplaySlowClientTests {
    @Test func aClientThatStopsReadingLosesItsPageButNeverStallsForwarding() async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        try await withHub(journaledConfiguration(directory)) { hub, endpoints in
            let client = try StreamClient(endpoints, prefixes: [HubReplayTests.inbox])
            for _ in 0..<5000 { try client.publisher.send(try Sample.referralFrames()) }
            for _ in 0..<5000 { _ = try #require(try client.next(), "forwarding stalled") }
            // A client that asks for page after page of 5000 and never reads: its queue fills.
            let context = try Context()
            let sluggard = try context.makeSocket(.dealer)
            defer { sluggard.close() }
            try sluggard.set(.receiveHighWaterMark(1))
            try sluggard.set(.linger(milliseconds: 0))
            try sluggard.connect(try #require(endpoints.replay))
            let request = try ReplayDealer.request(agency: Sample.receiver, prefixes: [HubReplayTests.inbox], after: 0, limit: 5000)
            for _ in 0..<6 { try sluggard.send(request) }
            // Forwarding goes on meanwhile, and the hub gives up on the sluggard's pages.
            var roundTrips = 0
            while hub.counters.replayErrors["client-too-slow"] == nil, roundTrips < 200 {
                let frames = try Sample.referralFrames()
                try client.publisher.send(frames)
                #expect(try client.next().map { Array($0.frames.prefix(3)) } == frames)
                roundTrips += 1
            }
            #expect(hub.counters.replayErrors["client-too-slow", default: 0] >= 1)
            // Another client is served as usual.
            let dealer = try ReplayDealer(try #require(endpoints.replay))
            let page = try dealer.page(agency: Sample.receiver, prefixes: [HubReplayTests.inbox], after: 0, limit: 10)
            #expect(page.messages.count == 10)
            #expect(page.end.more)
        }
    }
}
