/// Watches a hub from its loop thread: the hook of the metrics (`TansiqMonitoring`). Both
/// methods run on the hub's thread between two poll rounds and must return quickly.
public protocol HubObserver: Sendable {
    /// The journal committed `messages` in one transaction, taking `duration`.
    func journalCommitted(messages: Int, duration: Duration)
    /// A poll round ended with these counters.
    func roundEnded(_ counters: HubCounters)
}
