import Foundation
import GRDB
import TansiqMessages
import TansiqVault

/// Bodies at rest: with a master key, every body is sealed (AES-GCM) with the data key of its
/// referral (the header's correlation id), or of `housekeeping` for messages that belong to no
/// referral. Headers stay readable: they carry ids, kinds and agencies, never personal data, and
/// replay filters on them. Reads open the body again, so replayed frames are the bytes received.
///
/// Erasing a referral destroys its data key: its messages stay in the stream (sequence numbers
/// never move) but can no longer be read; reads skip them and count them.
extension Journal {
    /// The data-key scope of messages that belong to no referral.
    public static let housekeepingScope = "housekeeping"

    static func registerEncryptionMigrations(in migrator: inout DatabaseMigrator) {
        DataKeyStore.registerMigrations(in: &migrator)
        migrator.registerMigration("privacy-v1") { db in
            // NULL: stored as received (a journal written without a master key).
            try db.execute(sql: "ALTER TABLE message ADD COLUMN key_id INTEGER")
            // When each referral reached a terminal state: what retention of closed referrals counts from.
            try db.execute(sql: """
                CREATE TABLE referral_closure (correlation_id TEXT PRIMARY KEY NOT NULL, closed_at REAL NOT NULL) WITHOUT ROWID;
                CREATE INDEX message_on_received_at ON message (received_at);
                """)
        }
    }

    /// Whether bodies are sealed when appended.
    public var isEncrypted: Bool { keys != nil }

    /// The body sealed with its referral's data key, and that key's id.
    func sealedBody(of record: JournalRecord, keys: DataKeyStore, in db: Database) throws -> ([UInt8], Int64) {
        let key = try keys.sealingKey(for: record.correlationID ?? Self.housekeepingScope, in: db, now: record.receivedAt)
        return (try DataKeyStore.seal(record.body, with: key, context: record.messageID), key.id)
    }

    /// Opens the bodies of stored rows, skipping those whose data key was erased.
    func openedPage(_ db: Database, statement: Statement, arguments: StatementArguments) throws -> JournalPage {
        let rows = try Journal.fetchRecords(statement, arguments: arguments)
        var page = JournalPage(records: [], erased: 0, lastScanned: rows.last?.record.sequence ?? 0, scanned: rows.count)
        page.records.reserveCapacity(rows.count)
        for (record, keyID) in rows {
            guard let keyID else {
                page.records.append(record)
                continue
            }
            guard let keys else {
                throw VaultError(.masterKeyNeeded, "\(path) holds sealed message bodies: give its master key (--master-key-file or \(MasterKey.environmentVariable))")
            }
            guard let key = try keys.openingKey(id: keyID, in: db) else {
                page.erased += 1
                continue
            }
            var opened = record
            opened.body = try DataKeyStore.open(record.body, with: key, context: record.messageID)
            page.records.append(opened)
        }
        return page
    }

    /// What an erasure did.
    public struct Erasure: Sendable, Equatable {
        /// The referral ids erased.
        public var referrals: [String]
        /// Their messages still in the journal, now unreadable.
        public var messages: Int
        /// The data keys destroyed.
        public var keys: Int
    }

    /// Destroys the data keys of `referralIDs`, in one transaction, beside a running hub or not;
    /// needs no master key. The registry forgets the digest of each referral's body in the same
    /// transaction and keeps its parties and state.
    public func erase(referrals referralIDs: [String], now: Date = Date()) throws(JournalError) -> Erasure {
        try erase(referrals: referralIDs, now: now) { _, _ in }
    }

    /// ``erase(referrals:now:)`` with `alsoIn` run in the same transaction for each referral:
    /// the hook through which other tables of the journal's database forget it too.
    public func erase(referrals referralIDs: [String], now: Date = Date(), alsoIn: (Database, String) throws -> Void) throws(JournalError) -> Erasure {
        try write("erase \(referralIDs.count) referrals") { db in
            try Journal.erase(referralIDs, in: db, now: now, alsoIn: alsoIn)
        }
    }

    /// Erases referrals in the journal at `path` from another process than the hub's (which
    /// goes on writing: the erasure is one short transaction between two of its group commits,
    /// and the hub drops its cached keys when it sees another connection's commit).
    public static func erase(referrals referralIDs: [String], inJournalAt path: String, now: Date = Date()) throws(JournalError) -> Erasure {
        SQLiteSettings.applyBeforeFirstConnection()
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            let database = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? database.close() }
            guard try database.read({ db in try Journal.migrator.hasCompletedMigrations(db) }) else {
                throw JournalError(.openFailed, "\(path) is not a Tansiq journal of this version (start a hub on it once to migrate it)")
            }
            return try database.write { db in try Journal.erase(referralIDs, in: db, now: now) { _, _ in } }
        } catch let error as JournalError {
            throw error
        } catch {
            throw JournalError(.storageFailed, "cannot erase in \(path): \(error)")
        }
    }

    private static func erase(_ referralIDs: [String], in db: Database, now: Date, alsoIn: (Database, String) throws -> Void) throws -> Erasure {
        var erasure = Erasure(referrals: [], messages: 0, keys: 0)
        for id in referralIDs {
            erasure.messages += try Int.fetchOne(
                db, sql: "SELECT count(*) FROM message WHERE correlation_id IN (?, ?) AND key_id IS NOT NULL",
                arguments: StatementArguments(StoredIdentifier.forms(id))) ?? 0
            erasure.keys += try DataKeyStore.erase(scope: id, in: db, now: now)
            // The registry keeps the referral's parties and state (a late move is still checked
            // against them; none of it is personal) but forgets the digest of its body.
            try db.execute(sql: "UPDATE referral SET body_digest = 0 WHERE id IN (?, ?)", arguments: StatementArguments(StoredIdentifier.forms(id)))
            try alsoIn(db, id)
            erasure.referrals.append(id)
        }
        return erasure
    }

    /// Whether `referral` was erased from this journal.
    public func wasErased(referral: String) throws(JournalError) -> Bool {
        try read("look up an erasure") { db in try DataKeyStore.wasErased(scope: referral, in: db) }
    }

    /// How many of the stored messages can no longer be read because their referral was erased.
    public func erasedMessageCount() throws(JournalError) -> Int {
        try read("count erased messages") { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM message
                WHERE key_id IS NOT NULL AND key_id NOT IN (SELECT id FROM data_key)
                """) ?? 0
        }
    }

    /// The ids of the referrals `agency` sent under `caseReference`. Case references are sealed,
    /// so this opens every referral the agency sent: an occasional request, not a hot path.
    public func referralIDs(caseReference: String, agency: String) throws(JournalError) -> [String] {
        var ids: [String] = []
        var after: UInt64 = 0
        while true {
            let rows = try read("find the referrals of a case") { db -> JournalPage in
                try self.openedPage(
                    db,
                    statement: db.cachedStatement(sql: """
                        SELECT \(Journal.recordColumns) FROM message
                        WHERE kind = 'referral' AND source = ? AND sequence > ? ORDER BY sequence LIMIT 1000
                        """),
                    arguments: [agency, Int64(clamping: after)])
            }
            for record in rows.records {
                guard let id = record.correlationID, !ids.contains(id) else { continue }
                // Read without the value rules: a stored referral is matched, not judged again.
                if let referral = try? JSONDecoder().decode(Referral.self, from: Data(record.body)),
                   referral.caseReference == caseReference {
                    ids.append(id)
                }
            }
            guard rows.scanned == 1000 else { return ids }
            after = rows.lastScanned
        }
    }
}
