/// Lets a repeated warning through once per interval and counts the ones held back, so that a
/// client retrying every 100 ms fills no log: "… (repeated 54 times)". Callers pass the time,
/// so tests move it themselves.
public struct WarningThrottle: Sendable {
    /// The shortest time between two warnings with the same key.
    public let interval: Duration
    /// The most keys remembered; older ones are forgotten (and their next warning let through).
    public static let keyLimit = 256

    private var entries: [String: (last: ContinuousClock.Instant, held: Int)] = [:]

    /// A throttle letting each key through at most once per `interval` (default 10 s).
    public init(interval: Duration = .seconds(10)) {
        self.interval = interval
    }

    /// Whether the warning `key` may be logged at `now`: `nil` when it is held back, otherwise
    /// how many were held back since the last one let through.
    public mutating func admit(_ key: String, now: ContinuousClock.Instant) -> Int? {
        if let entry = entries[key] {
            guard now - entry.last >= interval else {
                entries[key]?.held += 1
                return nil
            }
            entries[key] = (now, 0)
            return entry.held
        }
        if entries.count >= Self.keyLimit { entries.removeAll(keepingCapacity: true) }
        entries[key] = (now, 0)
        return 0
    }
}
