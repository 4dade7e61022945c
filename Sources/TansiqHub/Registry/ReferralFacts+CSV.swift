import Foundation

extension ReferralFacts {
    public static let csvColumns = [
        "group", "name", "sent", "referrals", "open", "received", "accepted", "rejected", "completed", "failed", "cancelled", "pending",
        "escalated", "escalations_acknowledged", "rejected_by_reason",
        "acknowledge_n", "acknowledge_median_h", "acknowledge_p90_h", "decide_n", "decide_median_h", "decide_p90_h",
        "complete_n", "complete_median_h", "complete_p90_h",
        "acknowledge_deadlines_due", "acknowledge_deadlines_met", "decide_deadlines_due", "decide_deadlines_met",
        "follow_up_deadlines_due", "follow_up_deadlines_met",
    ]

    /// One row for every referral, one per category, one per agency; times in hours (`tansiq referrals facts --csv`, the desk's `/facts.csv`).
    public var csv: String {
        let facts = self
        func hours(_ seconds: Double?) -> String { seconds.map { String(format: "%.2f", $0 / 3600) } ?? "" }
        func row(_ kind: String, _ group: ReferralFacts.Group) -> String {
            let c = group.counts
            let reasons = c.rejectedByReason.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            var cells = [kind, group.name] + [c.sent, c.referrals, c.open, c.received, c.accepted, c.rejected, c.completed, c.failed,
                                              c.cancelled, c.pending, c.escalated, c.escalationsAcknowledged].map(String.init)
            cells.append(reasons)
            for percentiles in [group.acknowledge, group.decide, group.complete] {
                cells += [percentiles.map { String($0.count) } ?? "0", hours(percentiles?.median), hours(percentiles?.p90)]
            }
            for share in [group.acknowledgeDeadlines, group.decideDeadlines, group.followUpDeadlines] {
                cells += [String(share.due), String(share.met)]
            }
            return cells.joined(separator: ",")
        }
        var lines = [Self.csvColumns.joined(separator: ",")]
        lines.append(row("all", facts.total))
        lines += facts.categories.map { row("category", $0) }
        lines += facts.agencies.map { row("agency", $0) }
        return lines.joined(separator: "\n")
    }

}
