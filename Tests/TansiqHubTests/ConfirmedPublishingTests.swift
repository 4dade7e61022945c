import Foundation
import TansiqHub
import TansiqMessages
import TansiqTestSupport
import Testing
import ZeroMQ

/// A DEALER on the hub's publish endpoint, as a pyzmq client would write one.
final class ConfirmingClient {
    let context: Context
    let dealer: Socket

    init(_ endpoints: HubEndpoints) throws {
        context = try Context()
        dealer = try context.makeSocket(.dealer)
        try dealer.set(.linger(milliseconds: 0))
        try dealer.set(.receiveTimeout(milliseconds: 10_000))
        try dealer.connect(try #require(endpoints.publish, "the hub bound no publish endpoint"))
    }

    /// Sends and waits for the next acknowledgement.
    func send(_ frames: [[UInt8]]) throws -> PublishAcknowledgement {
        try dealer.send(frames)
        return try next()
    }

    func next() throws -> PublishAcknowledgement {
        let reply = try #require(try dealer.receive(), "no acknowledgement within 10 s")
        #expect(reply.frames.count == 1)
        return try PublishAcknowledgement.decode(try #require(reply.frames.last))
    }

    deinit { dealer.close() }
}

/// The counters of each poll round the hub ends, as they end: a test waits for the round whose
/// counters show what it expects instead of polling them.
final class HubRounds: HubObserver {
    let rounds: AsyncStream<HubCounters>
    private let continuation: AsyncStream<HubCounters>.Continuation

    init() {
        (rounds, continuation) = AsyncStream.makeStream(of: HubCounters.self, bufferingPolicy: .bufferingNewest(1))
    }

    func journalCommitted(messages: Int, duration: Duration) {}
    func roundEnded(_ counters: HubCounters) { continuation.yield(counters) }

    /// Whether a round ends with counters satisfying `condition` within 10 s (a guard: an idle
    /// hub still ends a round every poll timeout).
    func reach(_ condition: (HubCounters) -> Bool) async -> Bool {
        let guardTask = Task { [continuation] in
            try await Task.sleep(for: .seconds(10))
            continuation.finish()
        }
        defer { guardTask.cancel() }
        for await counters in rounds where condition(counters) { return true }
        return false
    }
}

/// The header's message id.
func messageID(of frames: [[UInt8]]) throws -> UUID {
    try frames[1].withUnsafeBytes { bytes throws(ProtocolError) in try MessageCodec.decodeHeader(bytes: bytes) }.id
}

func confirmedConfiguration(_ directory: JournalDirectory, rateLimit: HubConfiguration.RateLimit? = .init()) -> HubConfiguration {
    var configuration = journaledConfiguration(directory)
    configuration.publish = "tcp://127.0.0.1:*"
    configuration.rateLimit = rateLimit
    return configuration
}

@Suite("Confirmed publishing")
struct ConfirmedPublishingTests {
    @Test func anAcceptedMessageIsAcknowledgedWithItsSequenceOnceJournaled() async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        try await withHub(confirmedConfiguration(directory)) { _, endpoints in
            let stream = try StreamClient(endpoints, prefixes: ["referral/to/\(Sample.receiver)/"])
            let client = try ConfirmingClient(endpoints)
            let frames = try Sample.referralFrames()
            let id = try messageID(of: frames)
            let acknowledgement = try client.send(frames)
            #expect(acknowledgement.result == .accepted)
            #expect(acknowledgement.messageId == id)
            #expect(acknowledgement.duplicate == nil)
            #expect(acknowledgement.limits == PublishLimits(messagesPerSecond: 1000, burst: 5000, maxMessageBytes: 256 * 1024))
            let seq = try #require(acknowledgement.seq)
            // Acknowledged only after the commit: a reader sees it in the file.
            let reader = try Journal(path: directory.journalPath, readOnly: true)
            defer { reader.close() }
            #expect(try reader.stamp(ofMessage: id.uuidString.lowercased())?.sequence == seq)
            let forwarded = try #require(try stream.next())
            #expect(try MessageCodec.decodeStamp(forwarded.frames[3]).seq == seq)
        }
    }

    @Test func aResentMessageIsAcknowledgedWithItsOriginalSequenceAndNotForwardedTwice() async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let frames = try Sample.referralFrames()
        let id = try messageID(of: frames)
        let rounds = HubRounds()
        let first = try await withHub(confirmedConfiguration(directory), observer: rounds) { _, endpoints in
            let stream = try StreamClient(endpoints, prefixes: ["referral/to/\(Sample.receiver)/"])
            let client = try ConfirmingClient(endpoints)
            let first = try client.send(frames)
            let again = try client.send(frames)
            #expect(again.result == .accepted)
            #expect(again.duplicate == true)
            #expect(again.seq == first.seq)
            // Something after the duplicate: if the duplicate had been forwarded, it would come first.
            let other = try client.send(try Sample.referralFrames())
            #expect(try MessageCodec.decodeStamp(try #require(try stream.next()).frames[3]).seq == first.seq)
            #expect(try MessageCodec.decodeStamp(try #require(try stream.next()).frames[3]).seq == other.seq)
            #expect(await rounds.reach { $0.confirmedDuplicates == 1 })
            return first
        }
        // A restarted hub finds it in the journal's index.
        try await withHub(confirmedConfiguration(directory)) { _, endpoints in
            let client = try ConfirmingClient(endpoints)
            let again = try client.send(frames)
            #expect(again.duplicate == true)
            #expect(again.seq == first.seq)
        }
        let reader = try Journal(path: directory.journalPath, readOnly: true)
        defer { reader.close() }
        #expect(try reader.count(ofMessage: id.uuidString.lowercased()) == 1)
    }

    @Test func anInvalidMessageIsRefusedForGoodWithItsReason() async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let rounds = HubRounds()
        try await withHub(confirmedConfiguration(directory), observer: rounds) { _, endpoints in
            let client = try ConfirmingClient(endpoints)
            var frames = try Sample.referralFrames()
            let id = try messageID(of: frames)
            frames[2] = Array(#"{"referralId":"not-a-uuid"}"#.utf8)
            let refused = try client.send(frames)
            #expect(refused.result == .refused)
            #expect(refused.messageId == id)
            #expect(refused.reason == .badBody)
            #expect(refused.retryable == false)
            #expect(refused.seq == nil)
            let garbage = try client.send([Array("not/a/topic".utf8)])
            #expect(garbage.reason == .malformedFrames)
            #expect(garbage.messageId == nil)
            #expect(await rounds.reach { $0.rejections["bad-body"] == 1 })
        }
    }

    @Test func anOversizedMessageReachesTheHubAndIsRefusedAndCounted() async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let rounds = HubRounds()
        try await withHub(confirmedConfiguration(directory), observer: rounds) { _, endpoints in
            let client = try ConfirmingClient(endpoints)
            var frames = try Sample.referralFrames()
            frames[2] = [UInt8](repeating: 0x20, count: 10 << 20)
            let refused = try client.send(frames)
            #expect(refused.reason == .tooLarge)
            #expect(refused.messageId == (try messageID(of: frames)), "the sender can tell which message was refused")
            #expect(refused.retryable == false)
            // The connection survived: the next message is accepted.
            #expect(try client.send(try Sample.referralFrames()).result == .accepted)
            #expect(await rounds.reach { $0.rejections["too-large"] == 1 })
        }
    }

    @Test func aRateLimitedMessageIsRefusedAsRetryableAndPassesLater() async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let time = ManualTime()
        try await withHub(confirmedConfiguration(directory, rateLimit: .init(messagesPerSecond: 2, burst: 2)), clock: time.clock) { _, endpoints in
            let client = try ConfirmingClient(endpoints)
            let batch = try (0..<4).map { _ in try Sample.referralFrames() }
            for frames in batch { try client.dealer.send(frames) }
            let answers = try (0..<4).map { _ in try client.next() }
            let limited = answers.filter { $0.result == .refused }
            #expect(answers.filter { $0.result == .accepted }.count == 2)
            #expect(limited.count == 2)
            #expect(limited.allSatisfy { $0.reason == .rateLimited && $0.retryable == true && ($0.retryAfterMs ?? 0) >= 500 })
            #expect(answers.first?.limits.burst == 2)
            // The bucket refills with the hub's clock, not with the time the test takes: sent
            // again at once, still refused; sent again (same ids) after the wait the hub named,
            // accepted, once each.
            #expect(try client.send(batch[3]).reason == .rateLimited)
            for frames in batch.suffix(2) {
                var answer = try client.send(frames)
                var attempts = 0
                while answer.result == .refused, attempts < 3 {
                    #expect(answer.reason == .rateLimited)
                    // What a client does: waits as long as the hub said before sending again.
                    time.advance(by: Double(answer.retryAfterMs ?? 500) / 1000)
                    answer = try client.send(frames)
                    attempts += 1
                }
                #expect(answer.result == .accepted)
            }
        }
    }
}
