import TansiqMessages

/// The coordinator (the Commune): sees the network's flow through the hub's de-identified views
/// (never a referral's body it is not party to), every status change, every escalation and
/// every service's availability. The runtime keeps the book; this behaviour logs what needs a
/// person's attention.
public final class CoordinatorBehaviour: AgentBehaviour {
    /// Creates a coordinator.
    public init() {}

    /// The views of every referral, the bodies the referrals' consent shares with the
    /// coordinator (1.2), statuses, escalations (the referrers' and the hub's) and their
    /// acknowledgements, services, and the hub's notices of partners gone silent or back
    /// (the hub watches every heartbeat; the overview shows its judgement).
    public var subscriptions: [String] {
        ["hub/view/", "hub/shared/", "status/", "escalation/", "hub/escalation/", "escalation-ack/", "service/", "hub/presence/"]
    }

    /// Logs escalations for the coordinator's staff.
    public func handle(_ envelope: Envelope, agent: AgentContext) {
        let escalation: Escalation
        switch envelope.payload {
        case .escalation(let raised), .hubEscalation(let raised): escalation = raised
        default: return
        }
        agent.logger.warning(
            "escalation",
            metadata: [
                "referral": "\(escalation.referralId.uuidString.lowercased())",
                "referrer": "\(escalation.referrer)",
                "receiver": "\(escalation.receiver ?? "open")",
                "deadline": "\(escalation.deadline.rawValue)",
            ]
        )
    }
}

/// Several behaviours acting as one agent: the Commune coordinates, runs a desk and refers.
public final class CombinedBehaviour: AgentBehaviour {
    private let parts: [any AgentBehaviour]

    /// Combines behaviours; each sees every message, in order.
    public init(_ parts: [any AgentBehaviour]) {
        self.parts = parts
    }

    /// The union of the parts' subscriptions.
    public var subscriptions: [String] { parts.flatMap(\.subscriptions) }

    /// The union of the parts' categories.
    public var servedCategories: Set<ServiceCategory> {
        parts.reduce(into: []) { $0.formUnion($1.servedCategories) }
    }

    /// Starts every part.
    public func start(_ agent: AgentContext) {
        for part in parts { part.start(agent) }
    }

    /// Hands the message to every part.
    public func handle(_ envelope: Envelope, agent: AgentContext) {
        for part in parts { part.handle(envelope, agent: agent) }
    }
}
