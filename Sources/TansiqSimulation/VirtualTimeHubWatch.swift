import TansiqAgent
import TansiqHub

/// Tells virtual time what the hub forwarded and how far it has numbered at the end of each of
/// its poll rounds: an echo proves an agent quiet only once the round that forwarded it (and
/// looked at the deadlines) is over, and only if nothing forwarded after it was for the agent.
struct VirtualTimeHubWatch: HubObserver {
    let virtual: VirtualTime

    func journalCommitted(messages: Int, duration: Duration) {}

    func forwarded(_ messages: [(sequence: UInt64, topic: String)]) {
        virtual.noteForwarded(messages.map { VirtualTime.Forwarded(sequence: $0.sequence, topic: $0.topic) })
    }

    /// Woken when the clock moves: the hub looks at the deadlines at the new instant at once,
    /// beside the agents the jump woke, and nobody has to send a probe for it.
    var wakeDescriptor: Int32? { virtual.hubWakeDescriptor }

    func woken() { virtual.hubWoken() }

    func roundEnded(_ counters: HubCounters) {
        virtual.hubRoundEnded(through: counters.lastSequence, lookedAt: counters.deadlinesCheckedAt)
    }
}
