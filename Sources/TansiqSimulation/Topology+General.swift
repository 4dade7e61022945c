import TansiqAgent
extension Topology {
    /// Seed, length and pace of a run (`general:` in the file).
    public struct General: Sendable, Equatable {
        /// Seed of every random draw (`general.seed`, default 1).
        public var seed: UInt64
        /// Simulated time during which new cases arrive (`general.stop_time`, required).
        public var stopTime: SimulatedDuration
        /// Simulated seconds per real second (`general.time_scale`, default 3600).
        public var timeScale: Double
        /// Simulated time after ``stopTime`` in which no case arrives but open referrals may
        /// finish (`general.drain`, default 0).
        public var drain: SimulatedDuration

        /// The default of `general.seed`.
        public static let defaultSeed: UInt64 = 1
        /// The default of `general.time_scale`: one simulated hour per real second.
        public static let defaultTimeScale = 3600.0

        /// Creates the settings of a run.
        public init(
            seed: UInt64 = defaultSeed, stopTime: SimulatedDuration,
            timeScale: Double = defaultTimeScale, drain: SimulatedDuration = .zero
        ) {
            self.seed = seed
            self.stopTime = stopTime
            self.timeScale = timeScale
            self.drain = drain
        }

        /// The simulated end of the run: ``stopTime`` plus ``drain``.
        public var end: SimulatedDuration { stopTime + drain }

        /// The wall-clock seconds a run lasts, start-up and shut-down aside.
        public var realSeconds: Double { end.realSeconds(timeScale: timeScale) }
    }
}
