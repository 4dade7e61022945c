import Foundation

extension SimulationReport {
    /// The report as plain text for a terminal.
    public var text: String {
        var lines: [String] = []
        let r = referrals
        lines.append("simulation \(topology): seed \(seed), \(Self.number(simulatedHours / 24)) simulated days at ×\(Self.number(timeScale)), \(agents) agents (\(mode)), \(cases) cases")
        lines.append("referrals: \(r.created) created (\(r.open) open), \(r.received) received, \(r.accepted) accepted, \(r.rejected) rejected, \(r.completed) completed, \(r.failed) failed, \(r.escalated) escalated, \(r.unanswered) unanswered, \(r.lost) lost"
            + (r.waiting > 0 ? ", \(r.waiting) waiting for a partner down at the end" : ""))
        lines.append("status updates: \(r.statusUpdates) published for the referrers, \(r.lostStatusUpdates) lost, \(r.refusedStatusUpdates) refused by the hub, \(r.statusUpdatesInFlight) still on their way at the end")
        if r.open > 0 { lines.append("  claims lost to another provider: \(r.claimsLost) (open referrals claimed by two providers within one hub round trip; the hub gave each to the first)") }
        if !r.rejectedByReason.isEmpty { lines.append("  rejected by reason: \(Self.list(r.rejectedByReason))") }
        if !r.escalatedByDeadline.isEmpty { lines.append("  escalations by deadline: \(Self.list(r.escalatedByDeadline))") }
        lines.append("")
        lines.append("refs: referrals of the category / answered by the agency; times from sending, in simulated hours")
        lines.append(contentsOf: table("category", categories, withLoad: false))
        lines.append("")
        lines.append(contentsOf: table("agency", agencies, withLoad: true))
        lines.append("")
        lines.append("bottlenecks:")
        for entry in bottlenecks { lines.append("  \(entry.agency): \(entry.reason)") }
        lines.append("hub: \(hub.messagesIn) messages in, \(hub.messagesOut) out, \(hub.rejected) rejected, \(Self.number(hub.messagesPerSecond)) messages/s in")
        lines.append("wall time: \(String(format: "%.1f", wallSeconds)) s")
        for run in faults {
            let started = run.startedHours.map { String(format: "%.1f h", $0) } ?? "never"
            let ended = run.endedHours.map { String(format: "%.1f h", $0) } ?? "the end of the run"
            var line = "fault \(run.fault): on at \(started), off at \(ended); \(run.referralsDuring) referrals for \(run.node) meanwhile, \(run.lostDuring) lost"
            if !run.actions.isEmpty { line += " — \(run.actions.joined(separator: "; "))" }
            lines.append(line)
        }
        for note in notes { lines.append("note: \(note)") }
        if !faultsNotExecuted.isEmpty {
            lines.append("faults not injected by this runner: \(faultsNotExecuted.joined(separator: "; "))")
        }
        for lost in lostReferrals {
            lines.append("LOST \(lost.referral) \(lost.from) → \(lost.to ?? "open") (\(lost.category))")
        }
        for lost in lostStatusUpdates.prefix(20) {
            lines.append(String(format: "LOST STATUS %@ %@ by %@, never seen by %@ (published at %.1f h)", lost.referral, lost.state, lost.by, lost.referrer, lost.publishedHours))
        }
        return lines.joined(separator: "\n")
    }

    private func table(_ title: String, _ groups: [Group], withLoad: Bool) -> [String] {
        let width = max(title.count, groups.map(\.name.count).max() ?? 0)
        var header = "\(title.padded(width))  refs  done  fail   rej  lost   ack p50/p90/p99 h      decide p50/p90/p99 h    complete p50/p90/p99 h"
        if withLoad { header += "   sent  peak/cap" }
        var lines = [header]
        for group in groups where group.counts.created > 0 || (group.sent ?? 0) > 0 {
            let c = group.counts
            var line = "\(group.name.padded(width)) \(Self.cell(c.created)) \(Self.cell(c.completed)) \(Self.cell(c.failed)) \(Self.cell(c.rejected)) \(Self.cell(c.lost))"
            line += "   \(Self.percentiles(group.acknowledge))  \(Self.percentiles(group.decide))  \(Self.percentiles(group.complete))"
            if withLoad {
                line += "  \(Self.cell(group.sent ?? 0))  \(group.capacity.map { "\(group.peakInUse ?? 0)/\($0)" } ?? "–")"
            }
            lines.append(line)
        }
        return lines
    }

    private static func cell(_ value: Int) -> String {
        let text = "\(value)"
        return String(repeating: " ", count: max(0, 5 - text.count)) + text
    }

    private static func percentiles(_ value: Percentiles?) -> String {
        let text = value.map { String(format: "%.1f/%.1f/%.1f", $0.p50, $0.p90, $0.p99) } ?? "–"
        return text.padded(22)
    }

    private static func list(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e12 ? "\(Int(value))" : String(format: "%.1f", value)
    }
}

extension String {
    fileprivate func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
