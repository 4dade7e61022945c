import Foundation

/// The wall-clock time the hub checks deadlines against and stamps its refusals with: the
/// system's, or a simulated or test clock that moves faster or on demand. The loop's timers run
/// on `ContinuousClock`.
public struct HubClock: Sendable {
    private let read: @Sendable () -> Date

    public init(_ now: @escaping @Sendable () -> Date) {
        read = now
    }

    public func now() -> Date { read() }

    public static let system = HubClock { Date() }
}
