import Foundation
import GRDB
import TansiqMessages

/// The referral registry's table, in the journal's database.
extension Journal {
    static func createRegistry(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE referral (
                id TEXT PRIMARY KEY NOT NULL,
                referrer TEXT NOT NULL,
                receiver TEXT,
                open INTEGER NOT NULL,
                category TEXT NOT NULL,
                priority TEXT NOT NULL,
                acknowledge_by REAL NOT NULL,
                decide_by REAL NOT NULL,
                follow_up_on REAL NOT NULL,
                consent_scope TEXT NOT NULL,
                state TEXT NOT NULL,
                created_sequence INTEGER NOT NULL,
                last_sequence INTEGER NOT NULL,
                updated_at REAL NOT NULL,
                escalated TEXT NOT NULL,
                body_digest INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX referral_on_state ON referral (state);
            """)
        // A journal written before the registry existed: the hub builds it once from the messages.
        let stored = try Int64.fetchOne(db, sql: "SELECT count(*) FROM message WHERE kind IN ('referral', 'referral.status')") ?? 0
        if stored > 0 {
            try db.execute(sql: "INSERT INTO setting (name, value) VALUES ('registry', 'rebuild') ON CONFLICT (name) DO UPDATE SET value = excluded.value")
        }
    }

    static func addRegistryTimes(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE referral ADD COLUMN created_at REAL;
            ALTER TABLE referral ADD COLUMN received_at REAL;
            ALTER TABLE referral ADD COLUMN decided_at REAL;
            ALTER TABLE referral ADD COLUMN closed_at REAL;
            ALTER TABLE referral ADD COLUMN close_reason TEXT;
            ALTER TABLE referral ADD COLUMN acknowledgements TEXT NOT NULL DEFAULT '';
            """)
    }

    /// registry-v3: the rows in the order they came (a rowid table) and the id as its 16 bytes in
    /// a unique index. Keyed by its text id (WITHOUT ROWID), every new referral landed on a random
    /// page of the table, rewritten whole in the WAL at the next commit; now it appends, and only
    /// the small index takes the id in random order.
    static func rekeyRegistry(_ db: Database) throws {
        let columns = referralColumns + ", " + registryTimeColumns
        try db.execute(sql: """
            CREATE TABLE referral_v3 (
                id BLOB NOT NULL,
                referrer TEXT NOT NULL,
                receiver TEXT,
                open INTEGER NOT NULL,
                category TEXT NOT NULL,
                priority TEXT NOT NULL,
                acknowledge_by REAL NOT NULL,
                decide_by REAL NOT NULL,
                follow_up_on REAL NOT NULL,
                consent_scope TEXT NOT NULL,
                state TEXT NOT NULL,
                created_sequence INTEGER NOT NULL,
                last_sequence INTEGER NOT NULL,
                updated_at REAL NOT NULL,
                escalated TEXT NOT NULL,
                body_digest INTEGER NOT NULL,
                created_at REAL,
                received_at REAL,
                decided_at REAL,
                closed_at REAL,
                close_reason TEXT,
                acknowledgements TEXT NOT NULL DEFAULT ''
            );
            INSERT INTO referral_v3 (\(columns)) SELECT \(columns) FROM referral ORDER BY created_sequence;
            """)
        // The ids to bytes in Swift: SQLite 3.40 has no unhex().
        var converted: [(Int64, DatabaseValue)] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT rowid, id FROM referral_v3")
        while let row = try rows.next() {
            let id: DatabaseValue = row[1]
            if let text = String.fromDatabaseValue(id) { converted.append((row[0], StoredIdentifier.value(text))) }
        }
        let update = try db.makeStatement(sql: "UPDATE referral_v3 SET id = ? WHERE rowid = ?")
        for (rowid, id) in converted { try update.execute(arguments: [id, rowid]) }
        try db.execute(sql: """
            DROP TABLE referral;
            ALTER TABLE referral_v3 RENAME TO referral;
            CREATE UNIQUE INDEX referral_on_id ON referral (id);
            CREATE INDEX referral_on_state ON referral (state);
            """)
    }

    /// The acknowledgements column: one `deadline action agency time` group per
    /// acknowledgement, `;`-separated (codes and ids hold neither space nor `;`).
    static func acknowledgementsText(_ acknowledgements: [EscalationAcknowledgementRecord]) -> String {
        acknowledgements.map { "\($0.deadline.rawValue) \($0.action.rawValue) \($0.acknowledgedBy) \($0.acknowledgedAt.timeIntervalSinceReferenceDate)" }
            .joined(separator: ";")
    }

    static func acknowledgements(_ text: String) -> [EscalationAcknowledgementRecord] {
        text.split(separator: ";").compactMap { group in
            let words = group.split(separator: " ")
            guard words.count == 4, let deadline = Escalation.Deadline(rawValue: String(words[0])),
                  let seconds = Double(words[3])
            else { return nil }
            return EscalationAcknowledgementRecord(
                deadline: deadline, acknowledgedBy: String(words[2]), acknowledgedAt: Date(timeIntervalSinceReferenceDate: seconds),
                action: .init(rawValue: String(words[1])))
        }
    }

    static func upsert(_ referrals: [ReferralRecord], in db: Database) throws {
        guard !referrals.isEmpty else { return }
        // In place when the referral exists (one page), appended when it is new.
        let statement = try db.cachedStatement(sql: """
            INSERT INTO referral
                (id, referrer, receiver, open, category, priority, acknowledge_by, decide_by, follow_up_on,
                 consent_scope, state, created_sequence, last_sequence, updated_at, escalated, body_digest,
                 created_at, received_at, decided_at, closed_at, close_reason, acknowledgements)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                referrer = excluded.referrer, receiver = excluded.receiver, open = excluded.open,
                category = excluded.category, priority = excluded.priority, acknowledge_by = excluded.acknowledge_by,
                decide_by = excluded.decide_by, follow_up_on = excluded.follow_up_on, consent_scope = excluded.consent_scope,
                state = excluded.state, created_sequence = excluded.created_sequence, last_sequence = excluded.last_sequence,
                updated_at = excluded.updated_at, escalated = excluded.escalated, body_digest = excluded.body_digest,
                created_at = excluded.created_at, received_at = excluded.received_at, decided_at = excluded.decided_at,
                closed_at = excluded.closed_at, close_reason = excluded.close_reason, acknowledgements = excluded.acknowledgements
            """)
        for record in referrals {
            statement.setUncheckedArguments([
                withUnsafeBytes(of: record.referralId.uuid) { Data($0) }, record.referrer, record.receiver, record.open,
                record.category.rawValue, record.priority.rawValue,
                record.acknowledgeBy.timeIntervalSinceReferenceDate, record.decideBy.timeIntervalSinceReferenceDate,
                record.followUpOn.timeIntervalSinceReferenceDate,
                record.consentScope.map(\.rawValue).joined(separator: " "), record.state.rawValue,
                Int64(record.createdSequence), Int64(record.lastSequence), record.updatedAt.timeIntervalSinceReferenceDate,
                record.escalated.map(\.rawValue).sorted().joined(separator: " "), Int64(bitPattern: record.bodyDigest),
                record.createdAt?.timeIntervalSinceReferenceDate, record.receivedAt?.timeIntervalSinceReferenceDate,
                record.decidedAt?.timeIntervalSinceReferenceDate, record.closedAt?.timeIntervalSinceReferenceDate,
                record.closeReason, Journal.acknowledgementsText(record.acknowledgements),
            ])
            try statement.execute()
        }
    }

    /// Writes registry records outside a message batch (the one-time rebuild).
    package func storeReferrals(_ referrals: [ReferralRecord]) throws(JournalError) {
        try write("store \(referrals.count) referrals") { db in
            try Journal.upsert(referrals, in: db)
            try db.execute(sql: "DELETE FROM setting WHERE name = 'registry'")
        }
    }

    /// Whether the registry must be rebuilt from the messages (a journal older than the registry).
    package func registryNeedsRebuild() throws(JournalError) -> Bool {
        try read("read the registry's state") { db in
            try String.fetchOne(db, sql: "SELECT value FROM setting WHERE name = 'registry'") == "rebuild"
        }
    }

    /// Deletes registry records (closed referrals past their retention).
    package func deleteReferrals(_ ids: [UUID]) throws(JournalError) {
        guard !ids.isEmpty else { return }
        try write("delete \(ids.count) referrals") { db in
            let statement = try db.cachedStatement(sql: "DELETE FROM referral WHERE id IN (?, ?)")
            for id in ids { try statement.execute(arguments: StatementArguments(StoredIdentifier.forms(id))) }
        }
    }

    /// The registry's records matching `filter`, by creation order.
    public func referrals(_ filter: ReferralFilter = ReferralFilter()) throws(JournalError) -> [ReferralRecord] {
        try read("read the referral registry") { db in
            var clauses: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let state = filter.state { clauses.append("state = ?"); arguments.append(state.rawValue) }
            if filter.openOnly {
                clauses.append("state NOT IN ('rejected', 'cancelled', 'completed', 'failed')")
            }
            if let agency = filter.agency { clauses.append("(referrer = ? OR receiver = ?)"); arguments += [agency, agency] }
            if let category = filter.category { clauses.append("category = ?"); arguments.append(category.rawValue) }
            if let id = filter.referralId { clauses.append("id IN (?, ?)"); arguments += StoredIdentifier.forms(id) }
            let sql = "SELECT \(try Journal.selectedReferralColumns(db)) FROM referral" + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND "))
                + " ORDER BY created_sequence"
            var records: [ReferralRecord] = []
            let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
            while let row = try rows.next() {
                if let record = Journal.record(row) { records.append(record) }
            }
            if let overdueAt = filter.overdueAt { records = records.filter { $0.isOverdue(at: overdueAt) } }
            return records
        }
    }

    /// Every registry record, for the hub's start.
    package func loadReferrals() throws(JournalError) -> [ReferralRecord] {
        try read("load the referral registry") { db in
            var records: [ReferralRecord] = []
            records.reserveCapacity(try Int.fetchOne(db, sql: "SELECT count(*) FROM referral") ?? 0)
            let rows = try Row.fetchCursor(db, sql: "SELECT \(try Journal.selectedReferralColumns(db)) FROM referral")
            while let row = try rows.next() {
                if let record = Journal.record(row) { records.append(record) }
            }
            return records
        }
    }

    /// The columns `record(_:)` reads, by position (a name lookup per column costs at start).
    static let referralColumns = """
        id, referrer, receiver, open, category, priority, acknowledge_by, decide_by, follow_up_on, consent_scope, state, \
        created_sequence, last_sequence, updated_at, escalated, body_digest
        """
    /// Those of registry-v2, read when the table has them (a journal opened read-only is not
    /// migrated: one written by a 1.1 hub has the columns above only).
    static let registryTimeColumns = "created_at, received_at, decided_at, closed_at, close_reason, acknowledgements"

    static func selectedReferralColumns(_ db: Database) throws -> String {
        let hasTimes = try db.columns(in: "referral").contains { $0.name == "created_at" }
        return hasTimes ? referralColumns + ", " + registryTimeColumns : referralColumns
    }

    private static func record(_ row: Row) -> ReferralRecord? {
        guard let id = StoredIdentifier.uuid(row[0]),
              let priority = Priority(rawValue: row[5]),
              let state = ReferralState(rawValue: row[10])
        else { return nil }
        func date(_ column: Int) -> Date { Date(timeIntervalSinceReferenceDate: row[column]) }
        func words(_ column: Int) -> [Substring] {
            let text: String = row[column]
            return text.isEmpty ? [] : text.split(separator: " ")
        }
        var record = ReferralRecord(
            referralId: id, referrer: row[1], receiver: row[2], open: row[3],
            category: ServiceCategory(rawValue: row[4]), priority: priority,
            acknowledgeBy: date(6), decideBy: date(7), followUpOn: date(8),
            consentScope: words(9).map { Referral.Consent.Scope(rawValue: String($0)) }, state: state,
            createdSequence: UInt64(row[11] as Int64), lastSequence: UInt64(row[12] as Int64),
            updatedAt: date(13), escalated: words(14).compactMap { Escalation.Deadline(rawValue: String($0)) })
        record.bodyDigest = UInt64(bitPattern: row[15] as Int64)
        guard row.count > 16 else { return record }
        func optionalDate(_ column: Int) -> Date? {
            (row[column] as Double?).map { Date(timeIntervalSinceReferenceDate: $0) }
        }
        record.createdAt = optionalDate(16)
        record.receivedAt = optionalDate(17)
        record.decidedAt = optionalDate(18)
        record.closedAt = optionalDate(19)
        record.closeReason = row[20]
        record.acknowledgements = Journal.acknowledgements(row[21])
        return record
    }
}

/// Which registry records `tansiq referrals list` shows.
public struct ReferralFilter: Sendable, Equatable {
    public var state: ReferralState?
    /// Only referrals not yet closed.
    public var openOnly: Bool
    /// Only open referrals past a deadline they still await, at this time.
    public var overdueAt: Date?
    /// Referrals this agency referred or receives.
    public var agency: String?
    public var category: ServiceCategory?
    public var referralId: UUID?

    public init(
        state: ReferralState? = nil, openOnly: Bool = false, overdueAt: Date? = nil, agency: String? = nil,
        category: ServiceCategory? = nil, referralId: UUID? = nil
    ) {
        self.state = state
        self.openOnly = openOnly
        self.overdueAt = overdueAt
        self.agency = agency
        self.category = category
        self.referralId = referralId
    }
}

extension ReferralRecord {
    /// Whether a deadline the referral still awaits (escalated or not) has passed at `date`.
    public func isOverdue(at date: Date) -> Bool {
        guard !isClosed else { return false }
        return Escalation.Deadline.allCases.contains { deadline in
            var unescalated = self
            unescalated.escalated = []
            return unescalated.awaits(deadline) && due(deadline) < date
        }
    }
}
