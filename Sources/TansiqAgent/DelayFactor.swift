import Synchronization

/// A multiplier of a provider's delays that may change while its agent runs: a slow-down
/// drill, or the simulator's `slow` fault. Set from any thread; the provider reads it each
/// time it draws a delay, so a delay drawn while the factor is 3 lasts three times as long.
public final class DelayFactor: Sendable {
    private let factor: Mutex<Double>

    /// A factor of `initial` (1: delays as drawn).
    public init(_ initial: Double = 1) {
        factor = Mutex(initial)
    }

    /// The current factor.
    public var value: Double {
        factor.withLock { $0 }
    }

    /// Changes the factor; values below zero read as zero.
    public func set(_ value: Double) {
        factor.withLock { $0 = max(0, value) }
    }
}
