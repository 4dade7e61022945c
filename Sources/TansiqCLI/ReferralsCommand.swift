import ArgumentParser
import Foundation
import TansiqHub
import TansiqMessages

/// `tansiq referrals`: the hub's referral registry, read from its database.
struct ReferralsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "referrals",
        abstract: "The hub's referral registry: every referral it accepted, where it stands, and its trail.",
        discussion: """
            Reads the hub's journal database read-only, like `tansiq journal`: it can run beside a \
            hub and never changes anything. Exit status 66 when the file is missing or not a \
            Tansiq journal, 1 when `show` finds no such referral.

            Examples:
              tansiq referrals list tansiq-journal.sqlite --open --agency health-delegation-agadir
              tansiq referrals list tansiq-journal.sqlite --overdue --json
              tansiq referrals show tansiq-journal.sqlite 5f0c…
              tansiq referrals escalations tansiq-journal.sqlite
              tansiq referrals facts tansiq-journal.sqlite --since 2026-11-01 --csv
            """,
        subcommands: [ReferralsListCommand.self, ReferralsShowCommand.self, ReferralsEscalationsCommand.self, ReferralsFactsCommand.self, ReferralsFHIRCommand.self]
    )

    /// One record as a line: id, state, parties, category, priority, deadlines, sequences.
    static func line(_ record: ReferralRecord, now: Date) -> String {
        let receiver = record.receiver ?? "(open, unclaimed)"
        var text = "\(ReferralsCommand.text(record.referralId)) \(record.state) \(record.referrer) → \(receiver)"
            + (record.open && record.receiver != nil ? " (claimed)" : "")
            + " \(record.category) \(record.priority)"
            + " ack \(record.acknowledgeBy.protocolText) decide \(record.decideBy.protocolText) follow-up \(record.followUpOn.protocolText)"
            + " #\(record.createdSequence)…#\(record.lastSequence)"
        if record.isOverdue(at: now) { text += " OVERDUE" }
        if !record.escalated.isEmpty { text += " escalated: " + record.escalated.map(\.rawValue).joined(separator: ",") }
        for acknowledgement in record.acknowledgements {
            text += "; \(acknowledgement.deadline.rawValue) escalation acknowledged by \(acknowledgement.acknowledgedBy)"
                + " at \(acknowledgement.acknowledgedAt.protocolText): \(acknowledgement.action)"
        }
        let unacknowledged = record.unacknowledgedEscalations
        if !unacknowledged.isEmpty {
            text += "; awaiting the coordinator's acknowledgement: " + unacknowledged.map(\.rawValue).joined(separator: ",")
        }
        return text
    }

    static func text(_ id: UUID) -> String { id.uuidString.lowercased() }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.protocolText)
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// `tansiq referrals list PATH`.
struct ReferralsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "The referrals of the registry, in the order the hub accepted them, filtered."
    )

    @Argument(help: "The hub's journal (SQLite file).")
    var path: String

    @Option(help: "Only referrals in this state (requested, received, accepted, …).")
    var state: ReferralState?

    @Flag(help: "Only referrals not closed yet.")
    var open = false

    @Flag(help: "Only open referrals past a deadline they still await (on this machine's clock).")
    var overdue = false

    @Option(help: "Only referrals this agency referred or receives.")
    var agency: String?

    @Option(help: "Only referrals of this service category.")
    var category: String?

    @Flag(help: "One JSON object per line.")
    var json = false

    func run() throws {
        let journal = try JournalCommand.open(path)
        defer { journal.close() }
        let now = Date()
        let filter = ReferralFilter(
            state: state, openOnly: open, overdueAt: overdue ? now : nil, agency: agency,
            category: category.map(ServiceCategory.init(rawValue:)))
        let records: [ReferralRecord]
        do {
            records = try journal.referrals(filter)
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(66)
        }
        for record in records {
            print(json ? try ReferralsCommand.json(record) : ReferralsCommand.line(record, now: now))
        }
    }
}

extension ReferralState: ExpressibleByArgument {}

/// `tansiq referrals show PATH ID`.
struct ReferralsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "One referral as the registry holds it, and its whole trail: every stored message of it, in order."
    )

    @Argument(help: "The hub's journal (SQLite file).")
    var path: String

    @Argument(help: "The referral id (a UUID).")
    var referralID: String

    @Flag(help: "The record and the trail as JSON: {referral, trail: [{seq, topicSeq, receivedAt, topic, header, body}]}.")
    var json = false

    func validate() throws {
        guard UUID(uuidString: referralID) != nil else { throw ValidationError("'\(referralID)' is not a referral id (a UUID)") }
    }

    func run() throws {
        let journal = try JournalCommand.open(path)
        defer { journal.close() }
        let id = UUID(uuidString: referralID)!
        let record: ReferralRecord?
        let trail: [JournalRecord]
        do {
            record = try journal.referrals(ReferralFilter(referralId: id)).first
            trail = try journal.trail(correlationID: ReferralsCommand.text(id))
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(66)
        }
        guard let record else {
            printError("no referral \(ReferralsCommand.text(id)) in the registry of \(path)"
                + (trail.isEmpty ? "" : " (its \(trail.count) messages are still in the journal: it was closed and forgotten)"))
            throw ExitCode(1)
        }
        if json {
            let messages = trail.map { JournalCommand.json($0) }.joined(separator: ",")
            print("{\"referral\":\(try ReferralsCommand.json(record)),\"trail\":[\(messages)]}")
        } else {
            print(ReferralsCommand.line(record, now: Date()))
            for message in trail { print("  " + JournalCommand.line(message)) }
        }
    }
}
