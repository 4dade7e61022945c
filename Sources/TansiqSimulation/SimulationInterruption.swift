import Synchronization

/// Asks a running simulation to stop early (Ctrl-C): it stops its agents, removes its key
/// files and returns the report of what it has played so far.
public final class SimulationInterruption: Sendable {
    private let requested = Atomic<Bool>(false)

    /// Creates a token nobody has pulled.
    public init() {}

    /// Asks the simulation to stop; safe from a signal handler's queue.
    public func request() {
        requested.store(true, ordering: .releasing)
    }

    /// Whether a stop was asked for.
    public var isRequested: Bool { requested.load(ordering: .acquiring) }
}
