import Foundation
import TansiqMessages

/// What the hub's referral registry enforces beyond the lifecycle: deadlines, the coordinator
/// told of escalations, and how long a closed referral is remembered.
public struct RegistryRules: Sendable, Equatable {
    /// The network coordinator: told of every escalation the hub raises, and the addressee of
    /// the cancellation of an open referral nobody claimed. `nil`: escalations go to the referrer only.
    public var coordinator: String?
    /// How far a deadline may be in the past when a referral is sent (clocks disagree).
    public var clockSkew: TimeInterval
    /// The latest `decideBy` a referral may set, after it is sent, by priority; a priority
    /// missing here uses ``Priority/decisionTime``.
    public var decisionWindows: [Priority: TimeInterval]
    /// How long a closed referral is kept: a late move on it is refused as closed, after
    /// that as unknown.
    public var closedRetention: TimeInterval
    /// Whether the hub raises escalations when deadlines pass.
    public var watchesDeadlines: Bool

    public init(
        coordinator: String? = nil,
        clockSkew: TimeInterval = 300,
        decisionWindows: [Priority: TimeInterval] = [:],
        closedRetention: TimeInterval = 90 * 86_400,
        watchesDeadlines: Bool = true
    ) {
        self.coordinator = coordinator
        self.clockSkew = clockSkew
        self.decisionWindows = decisionWindows
        self.closedRetention = closedRetention
        self.watchesDeadlines = watchesDeadlines
    }

    /// The latest `decideBy`, counted from sending, for `priority`.
    public func decisionWindow(for priority: Priority) -> TimeInterval {
        decisionWindows[priority] ?? priority.decisionTime
    }
}
