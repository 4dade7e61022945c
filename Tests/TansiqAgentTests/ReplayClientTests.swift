import Foundation
import Logging
import TansiqAgent
import TansiqMessages
import Testing
import ZeroMQ

@Suite("Replay client")
struct ReplayClientTests {
    static func referralEnvelope(to receiver: String) throws -> Envelope {
        let referral = sampleReferral(to: receiver)
        return Envelope(
            topic: try Topic.referral(to: receiver, category: .health), source: "iom-morocco", agent: "iom-morocco-1",
            payload: .referral(referral))
    }

    @Test func aLongReplayComesPageByPageInSequenceOrderOnlyForTheRequestedPrefixes() async throws {
        let hub = try JournalingHub()
        var envelopes: [Envelope] = []
        for index in 0..<30 {
            envelopes.append(try Self.referralEnvelope(to: index % 6 == 5 ? "shelter-souss" : "health-delegation-agadir"))
        }
        for envelope in envelopes { try hub.inject(envelope) }
        let client = try ReplayClient(context: try Context(), endpoint: hub.replay, agency: "health-delegation-agadir", logger: Logger(label: "test"))
        var delivered: [ReplayedMessage] = []
        // The injected messages reach the journal asynchronously: replay until all are there (bounded).
        var outcome = try client.replay(prefixes: ["referral/to/health-delegation-agadir/"], after: 0, pageSize: 10, timeout: .seconds(5)) { _ in }
        for _ in 0..<500 where outcome.headSequence < 30 {
            outcome = try client.replay(prefixes: ["referral/to/health-delegation-agadir/"], after: 0, pageSize: 10, timeout: .seconds(5)) { _ in }
        }
        outcome = try client.replay(prefixes: ["referral/to/health-delegation-agadir/"], after: 0, pageSize: 10, timeout: .seconds(5)) {
            delivered.append($0)
        }
        #expect(outcome.count == 25)
        #expect(outcome.pages == 3)
        #expect(outcome.headSequence == 30)
        #expect(outcome.hub == JournalingHub.id)
        #expect(delivered.map(\.stamp.seq) == (1...30).filter { $0 % 6 != 0 }.map(UInt64.init))
        #expect(outcome.lastSequence == 29)
        #expect(delivered.allSatisfy { $0.envelope.topic.receiver == "health-delegation-agadir" })

        let tail = try client.replay(prefixes: ["referral/to/health-delegation-agadir/"], after: 20, timeout: .seconds(5)) { _ in }
        #expect(tail.count == 8 && tail.pages == 1)
        await hub.stop()
    }

    @Test func aSequenceBeyondTheHubsHeadIsRefusedWithTheHead() async throws {
        let hub = try JournalingHub()
        let client = try ReplayClient(context: try Context(), endpoint: hub.replay, agency: "health-delegation-agadir", logger: Logger(label: "test"))
        let error = #expect(throws: ReplayError.self) {
            _ = try client.replay(prefixes: ["status/health-delegation-agadir/"], after: 1_000, timeout: .seconds(5)) { _ in }
        }
        #expect(error?.code == .sequenceInFuture)
        #expect(error?.headSequence == 0)
        #expect(error?.hubError?.code == "sequence-in-future")
        await hub.stop()
    }

    @Test func aHubThatDoesNotAnswerTimesOut() async throws {
        let context = try Context()
        // A ROUTER that never reads: the request is queued and nobody answers.
        let silent = try context.makeSocket(.router)
        try silent.bind("tcp://127.0.0.1:*")
        let client = try ReplayClient(context: context, endpoint: try silent.lastEndpoint(), agency: "iom-morocco", logger: Logger(label: "test"))
        let started = ContinuousClock.now
        let error = #expect(throws: ReplayError.self) {
            _ = try client.replay(prefixes: ["status/iom-morocco/"], after: 0, timeout: .milliseconds(200)) { _ in }
        }
        #expect(error?.code == .timeout)
        #expect(ContinuousClock.now - started < .seconds(5))
        client.close()
        silent.close()
    }
}
