import Dispatch
import Foundation
import TansiqHub

/// What `/healthz` and `/readyz` answer: each check, and whether all passed.
public struct HubHealthReport: Codable, Sendable, Equatable {
    /// One thing checked.
    public struct Check: Codable, Sendable, Equatable {
        /// `loop`, `journal` or `authentication`.
        public var name: String
        /// Whether it passed.
        public var ok: Bool
        /// What was found, and what to do when it failed.
        public var detail: String
    }

    /// `ok` or `failing`.
    public var status: String
    /// The hub's identifier.
    public var hub: String
    /// Every check, in a fixed order.
    public var checks: [Check]

    /// Whether every check passed.
    public var isHealthy: Bool { checks.allSatisfy(\.ok) }
}

/// Checks a running hub: its loop turns, its journal takes writes, its ZAP handler answers.
public struct HubHealth: Sendable {
    /// A loop that has not ended a round for this long is stuck: it polls at most 100 ms at a time.
    public static let stuckAfter: Duration = .seconds(5)

    let hub: Hub
    let metrics: HubMetrics

    /// Checks `hub`, whose loop `metrics` observes.
    public init(hub: Hub, metrics: HubMetrics) {
        self.hub = hub
        self.metrics = metrics
    }

    /// Runs the checks. `started` says whether the hub has bound its endpoints; a readiness
    /// check fails until it has, a health check does not (a hub restoring a long journal is alive).
    public func report(started: Bool, readiness: Bool) async -> HubHealthReport {
        var checks = [loopCheck(started: started, readiness: readiness), journalCheck()]
        checks.append(await authenticationCheck())
        let report = HubHealthReport(status: "", hub: hub.configuration.hubID, checks: checks)
        return HubHealthReport(status: report.isHealthy ? "ok" : "failing", hub: report.hub, checks: checks)
    }

    private func loopCheck(started: Bool, readiness: Bool) -> HubHealthReport.Check {
        guard started else {
            return .init(name: "loop", ok: !readiness, detail: "the hub has not bound its endpoints yet")
        }
        guard let since = metrics.sinceLastRound else {
            return .init(name: "loop", ok: true, detail: "the hub's first poll round is under way")
        }
        if since > Self.stuckAfter {
            return .init(
                name: "loop", ok: false,
                detail: "the hub's loop has not ended a poll round for \(since.formatted(.units(allowed: [.seconds]))): it is stuck; restart the hub")
        }
        return .init(name: "loop", ok: true, detail: "polling")
    }

    private func journalCheck() -> HubHealthReport.Check {
        guard let journal = hub.configuration.journal else {
            return .init(name: "journal", ok: true, detail: "the hub runs without a journal")
        }
        let counters = hub.counters
        if let error = counters.journalError {
            return .init(
                name: "journal", ok: false,
                detail: "the journal's last commit failed (\(error)): messages are refused until a commit succeeds; free disk space or fix \(journal.path) (docs/operations.md, Recovery after a full disk)")
        }
        let directory = (journal.path as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: journal.path) else {
            return .init(name: "journal", ok: false, detail: "\(journal.path) does not exist any more: restart the hub")
        }
        guard access(journal.path, W_OK) == 0, access(directory.isEmpty ? "." : directory, W_OK) == 0 else {
            return .init(name: "journal", ok: false, detail: "\(journal.path) or its directory is not writable by the hub's user")
        }
        let last = counters.lastJournalCommitAt.map { "last commit \($0.formatted(.iso8601))" } ?? "no commit yet"
        return .init(name: "journal", ok: true, detail: "writable; \(last)")
    }

    private func authenticationCheck() async -> HubHealthReport.Check {
        guard hub.configuration.security.isSecure else {
            return .init(name: "authentication", ok: true, detail: "insecure hub: no ZAP handler")
        }
        // The probe blocks up to 2 s: not on the HTTP server's event loop.
        let failure = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: hub.probeAuthentication()) }
        }
        if let failure {
            return .init(name: "authentication", ok: false, detail: "\(failure.message): no agency can connect; restart the hub")
        }
        return .init(name: "authentication", ok: true, detail: "the ZAP handler answers")
    }
}
