/// The party to a referral who makes a state change.
public enum ReferralActor: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// The agency the referral is addressed to (or that took up an open referral).
    case receiver
    /// The agency that sent the referral.
    case referrer

    /// The wire value.
    public var description: String { rawValue }
}

/// The referral state machine: the one table of legal transitions and who may make each.
///
/// The receiving agency makes every forward move; only the referrer cancels, and only while
/// the referral is open. `rejected`, `cancelled`, `completed` and `failed` are terminal.
public enum ReferralLifecycle {
    /// One legal move.
    public struct Transition: Hashable, Sendable, CustomStringConvertible {
        /// The state before.
        public let from: ReferralState
        /// The state after.
        public let to: ReferralState
        /// The only party allowed to make the move.
        public let actor: ReferralActor

        /// `from → to (actor)`.
        public var description: String { "\(from) → \(to) (\(actor))" }
    }

    /// Every legal transition, in documentation order.
    public static let allowedTransitions: [Transition] = {
        let forward: [(ReferralState, ReferralState)] = [
            (.requested, .received), (.requested, .accepted), (.requested, .rejected),
            (.received, .accepted), (.received, .rejected),
            (.accepted, .inProgress),
            (.inProgress, .onHold), (.onHold, .inProgress),
            (.inProgress, .completed), (.inProgress, .failed),
        ]
        let open: [ReferralState] = [.requested, .received, .accepted, .inProgress, .onHold]
        return forward.map { Transition(from: $0.0, to: $0.1, actor: .receiver) }
            + open.map { Transition(from: $0, to: .cancelled, actor: .referrer) }
    }()

    /// The legal transitions out of `state`.
    public static func allowedTransitions(from state: ReferralState) -> [Transition] {
        allowedTransitions.filter { $0.from == state }
    }

    /// The party allowed to move a referral from `from` to `to`, or `nil` if nobody may.
    public static func actor(from: ReferralState, to: ReferralState) -> ReferralActor? {
        allowedTransitions.first { $0.from == from && $0.to == to }?.actor
    }

    /// Whether `actor` may move a referral from `from` to `to`.
    public static func isAllowed(from: ReferralState, to: ReferralState, by actor: ReferralActor) -> Bool {
        self.actor(from: from, to: to) == actor
    }

    /// Checks a move and returns the new state, or throws ``ProtocolError/Code/illegalTransition``
    /// naming both states, the actor and the rule broken.
    @discardableResult
    public static func transition(
        from: ReferralState,
        to: ReferralState,
        by actor: ReferralActor
    ) throws(ProtocolError) -> ReferralState {
        try transition(from: from, to: to, by: actor, keyPath: nil)
    }

    @discardableResult
    static func transition(
        from: ReferralState,
        to: ReferralState,
        by actor: ReferralActor,
        keyPath: @autoclosure () -> String?
    ) throws(ProtocolError) -> ReferralState {
        let allowedActor = self.actor(from: from, to: to)
        if allowedActor == actor {
            return to
        }
        let move = "illegal transition from '\(from)' to '\(to)' by the \(actor)"
        let why: String
        if from.isTerminal {
            why = "'\(from)' is terminal"
        } else if from == to {
            why = "the referral is already '\(from)'"
        } else if let allowedActor {
            why = allowedActor == .referrer
                ? "only the referring agency may cancel a referral"
                : "only the receiving agency may move a referral from '\(from)' to '\(to)'"
        } else {
            let targets = allowedTransitions(from: from).map { "'\($0.to)'" }.joined(separator: ", ")
            why = "'\(from)' may only move to \(targets)"
        }
        throw ProtocolError(.illegalTransition, "\(move): \(why)", keyPath: keyPath())
    }
}
