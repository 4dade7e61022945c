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

    /// A hub clock reading this time.
    public var clock: HubClock { HubClock { [self] in now } }
}
