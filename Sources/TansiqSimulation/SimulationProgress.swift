import TansiqAgent
/// How far a run has come.
public struct SimulationProgress: Sendable {
    /// Simulated time since the referrers started.
    public var simulated: SimulatedDuration
    /// Simulated time at which the run stops.
    public var end: SimulatedDuration
    /// Referrals sent so far.
    public var sent: Int
    /// Referrals completed so far.
    public var completed: Int

    /// The share of the run done, 0…1.
    public var fraction: Double { end.seconds > 0 ? min(1, simulated.seconds / end.seconds) : 1 }
}
