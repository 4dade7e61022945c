/// Watches a hub from its loop thread: the hook of the metrics (`TansiqMonitoring`) and of
/// virtual time in simulations. The methods run on the hub's thread between two poll rounds and must return quickly.
public protocol HubObserver: Sendable {
    /// The journal committed `messages` in one transaction, taking `duration`.
    func journalCommitted(messages: Int, duration: Duration)
    /// A poll round ended with these counters.
    func roundEnded(_ counters: HubCounters)
    /// A batch went to the egress: each message's stream sequence and topic, in order.
    func forwarded(_ messages: [(sequence: UInt64, topic: String)])
    /// A descriptor the loop polls beside its sockets: readable when the observer wants a round
    /// at once (a simulation's clock moved, so deadlines are due a look). `nil`: none.
    var wakeDescriptor: Int32? { get }
    /// The loop saw ``wakeDescriptor`` readable: empty it.
    func woken()
}

extension HubObserver {
    /// Not watched.
    public func forwarded(_ messages: [(sequence: UInt64, topic: String)]) {}
    public var wakeDescriptor: Int32? { nil }
    public func woken() {}
}
