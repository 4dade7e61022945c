extension HubConfiguration {
    /// A per-agency token bucket: `messagesPerSecond` on average, `burst` at once. Messages over
    /// the limit are refused with `rate-limited` on `hub/rejected/<agency>`.
    public struct RateLimit: Sendable, Equatable {
        /// The sustained rate, in messages a second.
        public var messagesPerSecond: Double
        /// How many messages may come at once.
        public var burst: Int

        /// Creates a limit; the default (1000 a second, bursts of 5000) is far above what an
        /// agency sends and stops only a runaway or hostile publisher.
        public init(messagesPerSecond: Double = 1000, burst: Int = 5000) {
            self.messagesPerSecond = messagesPerSecond
            self.burst = burst
        }
    }
}
