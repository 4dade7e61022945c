/// How a simulation's time passes.
public enum SimulationTime: String, Sendable, CaseIterable, Codable {
    /// The wall clock, `time_scale` times faster: a run lasts its simulated span divided by the
    /// scale, and agent processes can share the clock (demos, `--processes`).
    case wall
    /// Virtual time (``TansiqAgent/VirtualTime``): the clock stands still while anything is in
    /// flight and jumps to the next scheduled event when all is quiet, so a run lasts as long as
    /// its work and the same seed gives the same report. Agents must be threads of the run.
    case virtual
}
