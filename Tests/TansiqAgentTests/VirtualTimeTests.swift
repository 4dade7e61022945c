import Foundation
import Testing
@testable import TansiqAgent

/// The rules by which virtual time may jump, on the clock alone (the simulation tests run them
/// with a hub and agents).
@Suite("Virtual time's proof of quiet")
struct VirtualTimeTests {
    let origin = Date(timeIntervalSince1970: 1_767_225_600)

    func network() throws -> (VirtualTime, provider: VirtualTime.Participant, referrer: VirtualTime.Participant) {
        let clock = VirtualTime(origin: origin)
        let provider = try clock.join("health-1", subscriptions: ["referral/to/health/", "status/health/"], presence: "presence/health/health-1")
        let referrer = try clock.join("iom-1", subscriptions: ["status/iom/", "service/"], presence: "presence/iom/iom-1")
        return (clock, provider, referrer)
    }

    @Test func aMessageForAnAgentAfterItsCertificateHoldsTheClockUntilItHasReceivedIt() throws {
        let (clock, provider, referrer) = try network()
        clock.certify(provider, at: origin, through: 2, activity: 0, nextDue: nil, probed: true)
        clock.certify(referrer, at: origin, through: 2, activity: 0, nextDue: nil, probed: true)
        clock.noteForwarded([.init(sequence: 3, topic: "referral/to/health/health")])
        clock.hubRoundEnded(through: 3, lookedAt: origin)
        #expect(clock.verdict() == .waiting(["health-1"]))
        // Received and handled: the provider certifies through it.
        provider.noteActivity()
        #expect(!clock.isCertified(provider, at: origin, received: 3))
        clock.certify(provider, at: origin, through: 3, activity: provider.activity, nextDue: nil, probed: false)
        #expect(clock.verdict() == .settled(nextDue: nil))
    }

    @Test func anAgentsOwnPresenceAndOtherAgenciesTopicsDoNotHoldIt() throws {
        let (clock, provider, referrer) = try network()
        clock.certify(provider, at: origin, through: 1, activity: 0, nextDue: nil, probed: true)
        clock.certify(referrer, at: origin, through: 1, activity: 0, nextDue: nil, probed: true)
        clock.noteForwarded([.init(sequence: 2, topic: "presence/health/health-1"), .init(sequence: 3, topic: "status/aref/x")])
        clock.hubRoundEnded(through: 3, lookedAt: origin)
        #expect(clock.verdict() == .settled(nextDue: nil))
    }

    @Test func aJumpKeepsTheCertificatesOfAgentsWithNothingDueAndWaitsForTheHubsRoundAtTheNewInstant() throws {
        let (clock, provider, referrer) = try network()
        let later = origin.addingTimeInterval(3_600)
        clock.certify(provider, at: origin, through: 1, activity: 0, nextDue: later, probed: true)
        clock.certify(referrer, at: origin, through: 1, activity: 0, nextDue: nil, probed: true)
        clock.hubRoundEnded(through: 1, lookedAt: origin)
        #expect(clock.verdict() == .settled(nextDue: later))
        clock.advance(to: later)
        // The provider's timer is due: it proves itself again; the referrer had nothing to do.
        #expect(clock.isCertified(referrer, at: later, received: 1))
        #expect(clock.verdict() == .waiting(["health-1"]))
        clock.certify(provider, at: later, through: 1, activity: 0, nextDue: nil, probed: false)
        // The hub has not looked at its deadlines at the new instant: one agent is asked to probe.
        #expect(clock.verdict() == .waiting(["hub"]))
        let prober = [provider, referrer].first { clock.wantsProbe(from: $0) }
        let asked = try #require(prober)
        clock.hubRoundEnded(through: 2, lookedAt: later)
        clock.certify(asked, at: later, through: 2, activity: asked.activity, nextDue: nil, probed: true)
        #expect(!clock.wantsProbe(from: asked))
        #expect(clock.verdict() == .settled(nextDue: nil))
        #expect(clock.statistics.kept == 1)
    }

    @Test func somethingDoneAfterACertificateWithdrawsIt() throws {
        let (clock, provider, referrer) = try network()
        clock.certify(provider, at: origin, through: 0, activity: 0, nextDue: nil, probed: true)
        clock.certify(referrer, at: origin, through: 0, activity: 0, nextDue: nil, probed: true)
        clock.hubRoundEnded(through: 0, lookedAt: origin)
        referrer.noteActivity()
        #expect(clock.verdict() == .waiting(["iom-1"]))
        #expect(!clock.isCertified(referrer, at: origin, received: 0))
    }

    /// The verdict proves quiet from the clock's activity total: an agent that acted and then
    /// left, or joined again under its name, does not hold the clock; one that acted since its
    /// certificate still does, found among a hundred quiet ones.
    @Test func activityIsProvedFromTheTotalsAcrossLeavingAndJoiningAgain() throws {
        let (clock, provider, referrer) = try network()
        let others = try (0..<100).map { try clock.join("ngo-\($0)", subscriptions: ["status/ngo/"], presence: "presence/ngo/ngo-\($0)") }
        for participant in [provider, referrer] + others {
            participant.noteActivity()
            clock.certify(participant, at: origin, through: 0, activity: participant.activity, nextDue: nil, probed: true)
        }
        clock.hubRoundEnded(through: 0, lookedAt: origin)
        #expect(clock.verdict() == .settled(nextDue: nil))
        referrer.noteActivity()
        clock.leave(referrer)
        #expect(clock.verdict() == .settled(nextDue: nil))
        let again = try clock.join("health-1", subscriptions: ["referral/to/health/"], presence: "presence/health/health-1")
        #expect(clock.verdict() == .waiting(["health-1"]))
        again.noteActivity()
        clock.certify(again, at: origin, through: 0, activity: again.activity, nextDue: nil, probed: true)
        #expect(clock.verdict() == .settled(nextDue: nil))
        others[42].noteActivity()
        #expect(clock.verdict() == .waiting(["ngo-42"]))
        clock.certify(others[42], at: origin, through: 0, activity: others[42].activity, nextDue: nil, probed: false)
        #expect(clock.verdict() == .settled(nextDue: nil))
    }

    @Test func aCountShortOfWhatWasForwardedAsksThatAgentAloneToCheckItsDeliveryAndAnEqualOneSettles() throws {
        let (clock, provider, referrer) = try network()
        // Counted from their first echoes (sequences 1 and 2).
        clock.certify(provider, at: origin, through: 2, activity: 0, nextDue: nil, probed: true, delivery: .init(baseline: 1, received: 0))
        clock.certify(referrer, at: origin, through: 2, activity: 0, nextDue: nil, probed: true, delivery: .init(baseline: 2, received: 0))
        clock.hubRoundEnded(through: 2, lookedAt: origin)
        #expect(clock.verdict() == .settled(nextDue: nil))
        // Two messages for the provider; it received only the second (a full queue dropped the first).
        clock.noteForwarded([.init(sequence: 3, topic: "referral/to/health/health"), .init(sequence: 4, topic: "status/health/iom")])
        clock.hubRoundEnded(through: 4, lookedAt: origin)
        provider.noteActivity()
        clock.certify(provider, at: origin, through: 4, activity: provider.activity, nextDue: nil, probed: false, delivery: .init(baseline: 1, received: 1))
        #expect(clock.verdict() == .waiting(["health-1"]))
        #expect(clock.wantsDeliveryCheck(from: provider))
        #expect(!clock.wantsDeliveryCheck(from: referrer))
        #expect(!clock.isCertified(provider, at: origin, received: 4))
        // The journal's replay found the missing one: the counts agree and the clock may move.
        clock.deliveryChecked(provider, delivery: .init(baseline: 1, received: 2))
        provider.noteActivity()
        clock.certify(provider, at: origin, through: 4, activity: provider.activity, nextDue: nil, probed: false, delivery: .init(baseline: 1, received: 2))
        #expect(!clock.wantsDeliveryCheck(from: provider))
        #expect(clock.verdict() == .settled(nextDue: nil))
        #expect(clock.deliveredThrough == 4)
        #expect(clock.statistics.deliveryChecks == 1)
    }

    @Test func theLastMissingCertificateWakesTheSimulation() async throws {
        let (clock, provider, referrer) = try network()
        clock.hubRoundEnded(through: 1, lookedAt: origin)
        clock.certify(provider, at: origin, through: 1, activity: 0, nextDue: nil, probed: true)
        // Nothing pending yet: a nudge is the only change so far, and it is seen once.
        clock.nudge()
        await clock.nextChange()
        #expect(clock.verdict() == .waiting(["iom-1"]))
        clock.certify(referrer, at: origin, through: 1, activity: 0, nextDue: nil, probed: true)
        // The last certificate is a change: returns at once.
        await clock.nextChange()
        #expect(clock.verdict() == .settled(nextDue: nil))
    }
}
