import Foundation
import TansiqHub

/// Time that moves only when a test moves it: the hub's deadline watch runs on it, so a test
/// passes a deadline by advancing the clock instead of waiting.
public final class ManualTime: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date = Date()) { current = start }

    public var now: Date { lock.withLock { current } }

    public func advance(by seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }

    /// Moves the clock to `seconds` after the real clock's now (never back): past a deadline that
    /// a part on the real clock set, however long the test took to get there (a minute and more
    /// in a full run on two cores, where `advance(by:)` from this clock's start fell short of it).
    public func advance(pastRealNowBy seconds: TimeInterval) {
        lock.withLock { current = max(current, Date().addingTimeInterval(seconds)) }
    }

    /// A hub clock reading this time.
    public var clock: HubClock { HubClock { [self] in now } }
}
