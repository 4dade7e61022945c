extension VirtualTime {
    /// An agent starts taking part with a wake-up pipe of its own (see
    /// ``join(_:subscriptions:presence:wake:)``); throws when the process is out of descriptors.
    public func join(_ name: String, subscriptions: [String], presence: String) throws(AgentResourceError) -> Participant {
        join(name, subscriptions: subscriptions, presence: presence, wake: try WakeSignal())
    }
}
