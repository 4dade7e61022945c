import Foundation
import TansiqMessages

/// The facts a pilot is judged on, for a period, computed from the hub's registry only (the
/// one source of truth): referrals sent, acknowledged, accepted, rejected by reason, completed,
/// failed, per category and per agency; median and 90th-percentile times from sending to
/// acknowledgement, decision and completion; and the share of deadlines met.
///
/// Times are the hub's (when it accepted each move). A referral belongs to the period in which
/// the hub accepted it; records written before protocol 1.2 carry no such time and count only
/// when no period is given.
public struct ReferralFacts: Sendable, Equatable, Codable {
    /// The period's start (included) and end (excluded); `nil`: unbounded.
    public var since: Date?
    public var until: Date?
    /// The time deadlines not met yet are judged at: the period's end, or now if earlier.
    public var asOf: Date
    /// Every referral of the period.
    public var total: Group
    /// By service category, by code.
    public var categories: [Group]
    /// By agency, by id: `sent` as referrer, everything else as receiver (or claimant).
    public var agencies: [Group]

    /// Counts of one group.
    public struct Counts: Sendable, Equatable, Codable {
        /// Referrals sent (for an agency: referrals it sent).
        public var sent = 0
        /// Referrals in the group (for an agency: addressed to it or claimed by it).
        public var referrals = 0
        /// Of those, open referrals (sent to a category's providers).
        public var open = 0
        /// Acknowledged by the receiver (`received`).
        public var received = 0
        public var accepted = 0
        public var rejected = 0
        /// Rejections by coded reason (`at-capacity`, `not-eligible`…).
        public var rejectedByReason: [String: Int] = [:]
        public var completed = 0
        public var failed = 0
        public var cancelled = 0
        /// Not closed yet.
        public var pending = 0
        /// Referrals with at least one escalation, and escalations the coordinator acknowledged.
        public var escalated = 0
        public var escalationsAcknowledged = 0

        public init() {}
    }

    /// The median and 90th percentile of a duration, in seconds, and how many values.
    public struct Percentiles: Sendable, Equatable, Codable {
        public var count: Int
        public var median: Double
        public var p90: Double

        /// Nearest-rank percentiles (as the simulation report); `nil` when there are none.
        public init?(_ values: [Double]) {
            guard !values.isEmpty else { return nil }
            let sorted = values.sorted()
            func rank(_ q: Double) -> Double {
                sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
            }
            count = sorted.count
            median = rank(0.5)
            p90 = rank(0.9)
        }
    }

    /// How many deadlines of a kind fell due (or were met early) and how many were met.
    public struct DeadlineShare: Sendable, Equatable, Codable {
        public var due = 0
        public var met = 0
        /// `met / due`; `nil` when none was due.
        public var share: Double? { due > 0 ? Double(met) / Double(due) : nil }

        public init() {}

        private enum CodingKeys: String, CodingKey { case due, met, share }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            due = try container.decode(Int.self, forKey: .due)
            met = try container.decode(Int.self, forKey: .met)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(due, forKey: .due)
            try container.encode(met, forKey: .met)
            try container.encodeIfPresent(share, forKey: .share)
        }
    }

    /// The figures of one group: every referral, a category or an agency.
    public struct Group: Sendable, Equatable, Codable {
        public var name: String
        public var counts: Counts
        /// From sending to `received`, to `accepted` or `rejected`, to `completed`.
        public var acknowledge: Percentiles?
        public var decide: Percentiles?
        public var complete: Percentiles?
        public var acknowledgeDeadlines: DeadlineShare
        public var decideDeadlines: DeadlineShare
        public var followUpDeadlines: DeadlineShare
    }

    /// The facts of `records` accepted in `[since, until)`, deadlines judged at `now` at the latest.
    public init(records: [ReferralRecord], since: Date? = nil, until: Date? = nil, now: Date = Date()) {
        self.since = since
        self.until = until
        asOf = min(until ?? now, now)
        let inPeriod = records.filter { record in
            guard since != nil || until != nil else { return true }
            guard let created = record.createdAt else { return false }
            return (since.map { created >= $0 } ?? true) && (until.map { created < $0 } ?? true)
        }
        let asOf = asOf
        total = Self.group("all", inPeriod, asOf: asOf)
        categories = Dictionary(grouping: inPeriod, by: \.category.rawValue).sorted { $0.key < $1.key }.map { name, records in
            Self.group(name, records, asOf: asOf)
        }
        let agencyNames = Set(inPeriod.map(\.referrer) + inPeriod.compactMap(\.receiver)).sorted()
        agencies = agencyNames.map { agency in
            var group = Self.group(agency, inPeriod.filter { $0.receiver == agency }, asOf: asOf)
            group.counts.sent = inPeriod.count { $0.referrer == agency }
            return group
        }
    }

    /// The open referrals (the ``Counts/pending`` ones) by state and by `column` (receiving agency,
    /// category…): the coordinator's overview matrices, counted by the facts' own rule.
    public static func pending(_ records: [ReferralRecord], by column: (ReferralRecord) -> String) -> [ReferralState: [String: Int]] {
        var matrix: [ReferralState: [String: Int]] = [:]
        for record in records where isPending(record.state) { matrix[record.state, default: [:]][column(record), default: 0] += 1 }
        return matrix
    }

    /// Not closed yet: counted as pending, shown on the overview.
    public static func isPending(_ state: ReferralState) -> Bool {
        !state.isTerminal
    }

    private static func group(_ name: String, _ records: [ReferralRecord], asOf: Date) -> Group {
        var counts = Counts()
        var acknowledge: [Double] = [], decide: [Double] = [], complete: [Double] = []
        var ackShare = DeadlineShare(), decideShare = DeadlineShare(), followUpShare = DeadlineShare()
        for record in records {
            counts.sent += 1
            counts.referrals += 1
            if record.open { counts.open += 1 }
            if record.receivedAt != nil { counts.received += 1 }
            switch record.state {
            case .rejected:
                counts.rejected += 1
                counts.rejectedByReason[record.closeReason ?? "unspecified", default: 0] += 1
            case .completed: counts.completed += 1
            case .failed: counts.failed += 1
            case .cancelled: counts.cancelled += 1
            default: break
            }
            if isPending(record.state) { counts.pending += 1 }
            // Accepted at some point: the move to `accepted` is the decision unless it was a rejection.
            if record.decidedAt != nil, record.state != .rejected { counts.accepted += 1 }
            if !record.escalated.isEmpty { counts.escalated += 1 }
            counts.escalationsAcknowledged += record.acknowledgements.count
            if let created = record.createdAt {
                if let at = record.receivedAt { acknowledge.append(at.timeIntervalSince(created)) }
                if let at = record.decidedAt { decide.append(at.timeIntervalSince(created)) }
                if record.state == .completed, let at = record.closedAt { complete.append(at.timeIntervalSince(created)) }
            }
            let closed = record.closedAt
            note(&ackShare, moveAt: record.receivedAt ?? record.decidedAt, due: record.acknowledgeBy, closedAt: closed, asOf: asOf)
            note(&decideShare, moveAt: record.decidedAt, due: record.decideBy, closedAt: closed, asOf: asOf)
            note(&followUpShare, moveAt: record.state.isTerminal && record.state != .cancelled ? closed : nil, due: record.followUpOn,
                 closedAt: closed, asOf: asOf)
        }
        return Group(
            name: name, counts: counts, acknowledge: Percentiles(acknowledge), decide: Percentiles(decide),
            complete: Percentiles(complete), acknowledgeDeadlines: ackShare, decideDeadlines: decideShare,
            followUpDeadlines: followUpShare)
    }

    /// A deadline counts once its move happened, or once it passed without it; not when the
    /// referral closed another way before it fell.
    private static func note(_ share: inout DeadlineShare, moveAt: Date?, due: Date, closedAt: Date?, asOf: Date) {
        if let moveAt {
            share.due += 1
            if moveAt <= due { share.met += 1 }
        } else if let closedAt, closedAt <= due {
            return
        } else if due < asOf {
            share.due += 1
        }
    }
}

extension Journal {
    /// The pilot's facts for `[since, until)`, from the registry, read-only.
    public func referralFacts(since: Date? = nil, until: Date? = nil, now: Date = Date()) throws(JournalError) -> ReferralFacts {
        ReferralFacts(records: try referrals(), since: since, until: until, now: now)
    }
}
