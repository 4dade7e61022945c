/// A span of agent-clock time, as written in topology files and agent settings: `90s`, `15m`,
/// `4h`, `30d`, `2w`.
///
/// Simulated time runs `time_scale` times faster than the wall clock, so a duration is kept in
/// simulated seconds and converted only when a runner schedules real work.
public struct SimulatedDuration: Sendable, Hashable, Comparable {
    /// The length in simulated seconds; never negative, never infinite.
    public var seconds: Double

    /// Creates a duration of `seconds` simulated seconds.
    ///
    /// - Precondition: `seconds` is finite and not negative.
    public init(seconds: Double) {
        precondition(seconds.isFinite && seconds >= 0, "a simulated duration is finite and not negative")
        self.seconds = seconds
    }

    /// No time at all.
    public static let zero = SimulatedDuration(seconds: 0)

    /// A duration of `value` simulated seconds.
    public static func seconds(_ value: Double) -> SimulatedDuration { SimulatedDuration(seconds: value) }
    /// A duration of `value` simulated minutes.
    public static func minutes(_ value: Double) -> SimulatedDuration { SimulatedDuration(seconds: value * 60) }
    /// A duration of `value` simulated hours.
    public static func hours(_ value: Double) -> SimulatedDuration { SimulatedDuration(seconds: value * 3600) }
    /// A duration of `value` simulated days.
    public static func days(_ value: Double) -> SimulatedDuration { SimulatedDuration(seconds: value * 86_400) }
    /// A duration of `value` simulated weeks.
    public static func weeks(_ value: Double) -> SimulatedDuration { SimulatedDuration(seconds: value * 604_800) }

    /// Orders durations by length.
    public static func < (lhs: SimulatedDuration, rhs: SimulatedDuration) -> Bool { lhs.seconds < rhs.seconds }

    /// The sum of two durations.
    public static func + (lhs: SimulatedDuration, rhs: SimulatedDuration) -> SimulatedDuration {
        SimulatedDuration(seconds: lhs.seconds + rhs.seconds)
    }

    /// A duration stretched by a non-negative `factor` (a slow partner takes `factor` times longer).
    public static func * (lhs: SimulatedDuration, factor: Double) -> SimulatedDuration {
        SimulatedDuration(seconds: lhs.seconds * factor)
    }

    /// The wall-clock seconds this duration lasts when `timeScale` simulated seconds pass per real second.
    public func realSeconds(timeScale: Double) -> Double { seconds / timeScale }
}

/// A literal is a number of seconds: `.fixed(0.5)` is half a second.
extension SimulatedDuration: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    public init(floatLiteral value: Double) { self.init(seconds: value) }
    public init(integerLiteral value: Int) { self.init(seconds: Double(value)) }
}
