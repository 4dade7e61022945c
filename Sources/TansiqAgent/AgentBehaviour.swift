import TansiqMessages

/// What a stakeholder does with the messages that reach it: a provider answers referrals, a
/// referrer opens cases, the coordinator watches.
///
/// A behaviour is created on its agent's thread (the runtime takes a factory) and used only
/// there, so it may keep plain mutable state.
public protocol AgentBehaviour: AnyObject {
    /// Subscription prefixes the behaviour needs beyond the runtime's own (which are
    /// `status/<agency>/`, `escalation/<agency>/` and `hub/rejected/<agency>`).
    var subscriptions: [String] { get }

    /// The categories for which this agent takes open referrals.
    var servedCategories: Set<ServiceCategory> { get }

    /// Called once the agent is connected both ways, before it catches up from the hub's
    /// journal; a restarted agent's book already holds its saved referrals, to resume.
    func start(_ agent: AgentContext)

    /// Called for every valid message that reaches the agent, after the runtime has updated
    /// its referral book.
    func handle(_ envelope: Envelope, agent: AgentContext)
}

extension AgentBehaviour {
    /// No extra subscriptions.
    public var subscriptions: [String] { [] }
    /// No open referrals taken.
    public var servedCategories: Set<ServiceCategory> { [] }
    /// Nothing to do at start.
    public func start(_ agent: AgentContext) {}
}

/// Makes an agent's behaviour on the agent's own thread.
public typealias AgentBehaviourFactory = @Sendable () -> any AgentBehaviour
