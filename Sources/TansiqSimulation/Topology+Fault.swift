extension Topology {
    /// Something that goes wrong during a run (`faults[i]`).
    public enum Fault: Sendable, Equatable {
        /// The node's agents are disconnected from `from` until `until`; they catch up on return.
        case offline(node: String, from: SimulatedDuration, until: SimulatedDuration)
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
}
