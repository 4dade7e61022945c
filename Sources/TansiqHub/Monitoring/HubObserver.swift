/// Watches a hub from its loop thread: the hook of the metrics (`TansiqMonitoring`) and of
/// virtual time in simulations. The methods run on the hub's thread between two poll rounds and must return quickly.
public protocol HubObserver: Sendable {
    /// The journal committed `messages` in one transaction, taking `duration`.
    func journalCommitted(messages: Int, duration: Duration)
    /// A poll round ended with these counters.
    func roundEnded(_ counters: HubCounters)
    /// A batch went to the egress: each message's stream sequence and topic, in order.
    func forwarded(_ messages: [(sequence: UInt64, topic: String)])
}

extension HubObserver {
    /// Not watched.
    public func forwarded(_ messages: [(sequence: UInt64, topic: String)]) {}
}
