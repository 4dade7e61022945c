import ArgumentParser
import Foundation
import TansiqHub
import TansiqMessages

/// A day (`2026-12-01`, midnight UTC) or an instant (`2026-12-01T08:00:00Z`) on the command line.
struct PeriodBound: ExpressibleByArgument {
    var date: Date

    init?(argument: String) {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: argument) {
            self.date = date
            return
        }
        formatter.formatOptions = [.withFullDate]
        guard let date = formatter.date(from: argument) else { return nil }
        self.date = date
    }
}

/// `tansiq referrals facts PATH`: the pilot's facts from the registry.
struct ReferralsFactsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facts",
        abstract: "The facts the pilot is judged on, from the registry: counts, times and deadlines met, per category and agency.",
        discussion: """
            A referral belongs to the period in which the hub accepted it. Times run from sending, \\
            on the hub's clock: to acknowledgement (received), decision (accepted or rejected) and \\
            completion; a deadline counts once met or passed, not when the referral closed \\
            another way before it fell. Read-only, beside a running hub.

            Examples:
              tansiq referrals facts tansiq-journal.sqlite --since 2026-11-01 --until 2026-12-01
              tansiq referrals facts tansiq-journal.sqlite --csv > facts.csv
            """
    )

    @Argument(help: "The hub's journal (SQLite file).")
    var path: String

    @Option(help: "The period's first day or instant (UTC), included.")
    var since: PeriodBound?

    @Option(help: "The period's end, excluded.")
    var until: PeriodBound?

    @Flag(help: "The facts as one JSON object.")
    var json = false

    @Flag(help: "One CSV row per group (all, each category, each agency).")
    var csv = false

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv are exclusive") }
        if let since, let until, since.date >= until.date { throw ValidationError("--since must be before --until") }
    }

    func run() throws {
        let journal = try JournalCommand.open(path)
        defer { journal.close() }
        let facts: ReferralFacts
        do {
            facts = try journal.referralFacts(since: since?.date, until: until?.date)
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(66)
        }
        if json {
            print(try ReferralsCommand.json(facts))
        } else if csv {
            print(facts.csv)
        } else {
            print(Self.text(facts))
        }
    }

    static func text(_ facts: ReferralFacts) -> String {
        let period = "\(facts.since?.protocolText ?? "the beginning") to \(facts.until?.protocolText ?? "now")"
        let t = facts.total.counts
        var lines = ["facts from \(period) (deadlines judged at \(facts.asOf.protocolText))"]
        lines.append("referrals: \(t.sent) sent (\(t.open) open), \(t.received) acknowledged, \(t.accepted) accepted, \(t.rejected) rejected, \(t.completed) completed, \(t.failed) failed, \(t.cancelled) cancelled, \(t.pending) pending")
        if !t.rejectedByReason.isEmpty {
            lines.append("  rejected by reason: " + t.rejectedByReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        lines.append("  escalated: \(t.escalated) referrals, \(t.escalationsAcknowledged) escalations acknowledged by the coordinator")
        lines.append("  times from sending, median / p90 (n): acknowledge \(duration(facts.total.acknowledge)), decide \(duration(facts.total.decide)), complete \(duration(facts.total.complete))")
        lines.append("  deadlines met: acknowledge \(share(facts.total.acknowledgeDeadlines)), decide \(share(facts.total.decideDeadlines)), follow-up \(share(facts.total.followUpDeadlines))")
        for (title, groups) in [("category", facts.categories), ("agency", facts.agencies)] {
            lines.append("")
            lines.append("\(title): sent / referrals, acknowledged, accepted, rejected, completed, failed; decide median / p90")
            for group in groups {
                let c = group.counts
                lines.append("  \(group.name): \(c.sent) / \(c.referrals), \(c.received), \(c.accepted), \(c.rejected), \(c.completed), \(c.failed); decide \(duration(group.decide))")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Hours under two days, days above (people read long spans in days).
    static func duration(_ percentiles: ReferralFacts.Percentiles?) -> String {
        guard let percentiles else { return "– (n 0)" }
        func one(_ seconds: Double) -> String {
            seconds >= 2 * 86_400 ? String(format: "%.1f d", seconds / 86_400) : String(format: "%.1f h", seconds / 3600)
        }
        return "\(one(percentiles.median)) / \(one(percentiles.p90)) (n \(percentiles.count))"
    }

    static func share(_ share: ReferralFacts.DeadlineShare) -> String {
        guard let value = share.share else { return "– (none due)" }
        return String(format: "%.0f%%", value * 100) + " (\(share.met) of \(share.due))"
    }
}

/// `tansiq referrals escalations PATH`: the coordinator's escalation queue.
struct ReferralsEscalationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "escalations",
        abstract: "The escalations the hub raised that the coordinator has not acknowledged yet, oldest first (--all: every one).",
        discussion: """
            The coordinator acknowledges one with `tansiq pub escalation-ack`. Read-only.

            Example:
              tansiq referrals escalations tansiq-journal.sqlite --json
            """
    )

    @Argument(help: "The hub's journal (SQLite file).")
    var path: String

    @Flag(help: "Acknowledged escalations too.")
    var all = false

    @Flag(help: "One JSON object per line.")
    var json = false

    func run() throws {
        let journal = try JournalCommand.open(path)
        defer { journal.close() }
        let escalations: [RegistryEscalation]
        do {
            escalations = all ? try journal.escalations() : try journal.openEscalations()
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(66)
        }
        for escalation in escalations {
            if json {
                print(try ReferralsCommand.json(escalation))
                continue
            }
            var line = "\(ReferralsCommand.text(escalation.referralId)) \(escalation.deadline.rawValue) due \(escalation.dueAt.protocolText)"
                + " \(escalation.referrer) → \(escalation.receiver ?? "(open, unclaimed)") \(escalation.category) \(escalation.priority) now \(escalation.state)"
            if let acknowledgement = escalation.acknowledgement {
                line += " acknowledged by \(acknowledgement.acknowledgedBy) at \(acknowledgement.acknowledgedAt.protocolText): \(acknowledgement.action)"
            } else {
                line += " OPEN"
            }
            print(line)
        }
    }
}
