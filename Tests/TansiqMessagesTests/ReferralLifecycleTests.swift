import Testing
@testable import TansiqMessages

@Suite struct ReferralLifecycleTests {
    /// The table of the protocol document, written out independently of the implementation.
    static let legal: Set<String> = [
        "requested→received:receiver", "requested→accepted:receiver", "requested→rejected:receiver",
        "received→accepted:receiver", "received→rejected:receiver",
        "accepted→in-progress:receiver",
        "in-progress→on-hold:receiver", "on-hold→in-progress:receiver",
        "in-progress→completed:receiver", "in-progress→failed:receiver",
        "requested→cancelled:referrer", "received→cancelled:referrer", "accepted→cancelled:referrer",
        "in-progress→cancelled:referrer", "on-hold→cancelled:referrer",
    ]

    struct Move: CustomTestStringConvertible, Sendable {
        let from: ReferralState
        let to: ReferralState
        let actor: ReferralActor
        var key: String { "\(from.rawValue)→\(to.rawValue):\(actor.rawValue)" }
        var testDescription: String { key }
    }

    static let everyMove: [Move] = ReferralState.allCases.flatMap { from in
        ReferralState.allCases.flatMap { to in ReferralActor.allCases.map { Move(from: from, to: to, actor: $0) } }
    }

    @Test func theTableHasExactlyTheDocumentedTransitions() {
        let table = Set(ReferralLifecycle.allowedTransitions.map { "\($0.from.rawValue)→\($0.to.rawValue):\($0.actor.rawValue)" })
        #expect(table == Self.legal)
        #expect(Self.everyMove.count == 9 * 9 * 2)
    }

    @Test(arguments: everyMove.filter { legal.contains($0.key) })
    func legalMoveIsApplied(move: Move) throws {
        #expect(try ReferralLifecycle.transition(from: move.from, to: move.to, by: move.actor) == move.to)
        #expect(ReferralLifecycle.isAllowed(from: move.from, to: move.to, by: move.actor))
    }

    @Test(arguments: everyMove.filter { !legal.contains($0.key) })
    func illegalMoveIsRefusedNamingBothStatesAndTheActor(move: Move) {
        #expect(!ReferralLifecycle.isAllowed(from: move.from, to: move.to, by: move.actor))
        let error = #expect(throws: ProtocolError.self) {
            try ReferralLifecycle.transition(from: move.from, to: move.to, by: move.actor)
        }
        #expect(error?.code == .illegalTransition)
        #expect(error?.message.contains("from '\(move.from.rawValue)' to '\(move.to.rawValue)' by the \(move.actor.rawValue)") == true)
    }

    @Test func terminalStatesHaveNoWayOut() {
        for state in ReferralState.allCases {
            #expect(state.isTerminal == ReferralLifecycle.allowedTransitions(from: state).isEmpty, "\(state)")
        }
        #expect(ReferralState.allCases.filter(\.isTerminal) == [.rejected, .completed, .failed, .cancelled])
    }

    @Test func onlyTheReferrerCancels() throws {
        let error = #expect(throws: ProtocolError.self) {
            try ReferralLifecycle.transition(from: .accepted, to: .cancelled, by: .receiver)
        }
        #expect(error?.message.hasSuffix("only the referring agency may cancel a referral") == true)
    }

    @Test func theReferrerCannotAcceptForTheReceiver() {
        let error = #expect(throws: ProtocolError.self) {
            try ReferralLifecycle.transition(from: .requested, to: .accepted, by: .referrer)
        }
        #expect(error?.message.hasSuffix("only the receiving agency may move a referral from 'requested' to 'accepted'") == true)
    }

    @Test func aSkippedStepNamesTheAllowedTargets() {
        let error = #expect(throws: ProtocolError.self) {
            try ReferralLifecycle.transition(from: .requested, to: .completed, by: .receiver)
        }
        #expect(error?.message.hasSuffix("'requested' may only move to 'received', 'accepted', 'rejected', 'cancelled'") == true)
    }

    @Test func aStatusUpdateWithAnIllegalMoveIsRefusedAtBodyState() throws {
        var update = Fixtures.accepted
        update.previousState = .completed
        let envelope = Envelope(
            topic: try .status(addressee: "iom-agadir", sender: "health-delegation-agadir", category: .health),
            source: "health-delegation-agadir", agent: "desk-1", payload: .referralStatus(update)
        )
        let error = #expect(throws: ProtocolError.self) { try MessageCodec.encode(envelope) }
        #expect(error?.code == .illegalTransition)
        #expect(error?.keyPath == "body.state")
    }
}
