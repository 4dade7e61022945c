import TansiqAgent
extension Topology {
    /// Something that goes wrong during a run (`faults[i]`).
    public enum Fault: Sendable, Equatable {
        /// The node's agents stop at `from` and new ones start at `until`; a process is stopped
        /// with `signal`.
        case offline(node: String, from: SimulatedDuration, until: SimulatedDuration, signal: StopSignal = .kill)
        /// The node's delays are multiplied by `factor` (≥ 1) from `from` until `until`.
        case slow(node: String, factor: Double, from: SimulatedDuration, until: SimulatedDuration)
        /// The hub is stopped at `at` and started again `down` later, from its journal.
        case hubRestart(hub: String, at: SimulatedDuration, down: SimulatedDuration)

        /// The code written in `kind:`.
        public var kind: String {
            switch self {
            case .offline: return "offline"
            case .slow: return "slow"
            case .hubRestart: return "hub-restart"
            }
        }
    }

    /// How an `offline` fault stops an agent process (`signal:`): a crash or an orderly stop.
    public enum StopSignal: String, Sendable, Hashable, CaseIterable {
        /// SIGKILL: the process dies at once, as in a crash or a power cut (the default).
        case kill
        /// SIGTERM: the agent closes its sockets and exits, as when it is shut down.
        case term
    }
}
