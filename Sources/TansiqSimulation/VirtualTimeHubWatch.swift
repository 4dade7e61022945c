import TansiqAgent
import TansiqHub

/// Tells virtual time how far the hub has numbered at the end of each of its poll rounds: an
/// echo proves an agent quiet only once the round that forwarded it (and looked at the
/// deadlines) is over.
struct VirtualTimeHubWatch: HubObserver {
    let virtual: VirtualTime

    func journalCommitted(messages: Int, duration: Duration) {}

    func roundEnded(_ counters: HubCounters) {
        virtual.hubRoundEnded(through: counters.lastSequence)
    }
}
