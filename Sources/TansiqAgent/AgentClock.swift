import Foundation

/// The time an agent lives in. Deployed agents run at real time (`scale` 1); simulated
/// networks share one clock that runs `scale` times faster, from a simulated origin (wall-clock
/// mode), or one ``VirtualTime`` that jumps from event to event (virtual mode).
public struct AgentClock: Sendable {
    /// The virtual time this clock reads, in virtual mode.
    public let virtual: VirtualTime?

    /// Simulated seconds per real second.
    public let scale: Double
    /// The simulated time at ``start``.
    public let origin: Date
    /// The real instant the clock started.
    public let start: ContinuousClock.Instant
    /// A reading that replaces the scaled clock (a test's manual time).
    private let reading: (@Sendable () -> Date)?

    /// A clock that starts now at `origin`, running `scale` times faster than real time.
    public init(scale: Double = 1, origin: Date = Date()) {
        precondition(scale > 0, "a clock's scale must be positive")
        self.scale = scale
        self.origin = origin
        self.start = ContinuousClock.now
        virtual = nil
        reading = nil
    }

    /// A clock reading `virtual`.
    public init(virtual: VirtualTime) {
        self.virtual = virtual
        scale = 1
        origin = virtual.now()
        start = ContinuousClock.now
        reading = nil
    }

    /// A clock reading `now` (a test moves it; real durations are simulated ones).
    public init(reading now: @escaping @Sendable () -> Date) {
        virtual = nil
        scale = 1
        origin = now()
        start = ContinuousClock.now
        reading = now
    }

    /// The current simulated time.
    public func now() -> Date {
        if let virtual { return virtual.now() }
        if let reading { return reading() }
        return origin.addingTimeInterval(elapsed(since: start) * scale)
    }

    /// How long a simulated interval takes in real time; `nil` in virtual time, where nothing
    /// comes due by waiting (the clock's jump wakes the agent).
    public func realDuration(ofSimulated seconds: TimeInterval) -> Duration? {
        if virtual != nil { return seconds <= 0 ? .zero : nil }
        return .nanoseconds(Int64(max(0, seconds / scale) * 1e9))
    }

    private func elapsed(since instant: ContinuousClock.Instant) -> TimeInterval {
        let duration = ContinuousClock.now - instant
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
