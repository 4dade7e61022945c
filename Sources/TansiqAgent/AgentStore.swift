import Foundation
import GRDB
import TansiqMessages
import TansiqVault

/// An agent's own durable state: the last hub sequence it processed, the referrals it takes
/// part in with their lifecycle state, and the referral ids it already processed as a
/// receiver. A restarted agent given the same store resumes where it stopped.
///
/// One SQLite file in WAL mode, or an in-memory database when no path is given (simulations,
/// tests: the same code path, nothing kept). Every ``commit(_:)`` is one transaction, so the
/// changes a message caused and the sequence that says it was processed are saved together
/// or not at all. Commits use `synchronous=NORMAL`: a killed process loses nothing committed,
/// a power cut may lose the last commits, which the agent then replays from the hub. The file
/// is locked while open: one agent at a time.
///
/// Like the agent loop that owns it, an `AgentStore` is used from one thread at a time.
public final class AgentStore {
    /// What a store holds.
    public struct Contents: Sendable, Equatable {
        /// The last hub sequence processed, if any.
        public var cursor: StreamCursor?
        /// The referrals the agent takes part in.
        public var referrals: [TrackedReferral]
        /// The referral ids processed as a receiver.
        public var processed: Set<UUID>
        /// How many times an agent opened the store with ``load(agency:agent:)``, this time included.
        public var starts: Int
        /// Messages published and not yet confirmed by the hub, in the order they were queued.
        public var outbox: [ConfirmedPublisher.Pending] = []
        /// Per exact topic, the last message applied.
        public var topicCursors: [String: TopicCursor] = [:]
        /// Every message on the agent's subscriptions up to this sequence was applied (checked
        /// against the journal); a catch-up after a restart starts here, not at the cursor.
        public var verifiedSequence: UInt64?
        /// The service statuses the desk's workers set last, one per category.
        public var serviceStatuses: [ServiceStatus] = []
    }

    /// Changes saved in one transaction.
    public struct Changes: Sendable {
        /// Referrals to insert or replace.
        public var referrals: [TrackedReferral]
        /// Referral ids newly processed as a receiver, with when.
        public var processed: [UUID: Date]
        /// The new cursor, if it moved.
        public var cursor: StreamCursor?
        /// Messages newly queued for the hub.
        public var outboxAdded: [ConfirmedPublisher.Pending] = []
        /// Messages the hub confirmed or refused for good.
        public var outboxRemoved: [UUID] = []
        /// Topic cursors that moved.
        public var topicCursors: [String: TopicCursor] = [:]
        /// Whether every topic cursor is to be forgotten first (the hub's stream started again).
        public var resetTopicCursors = false
        /// The new verified sequence, if it moved.
        public var verifiedSequence: UInt64?
        /// Lines to append to the audit trail.
        public var audit: [AuditEntry] = []
        /// Service statuses a worker set.
        public var serviceStatuses: [ServiceStatus] = []

        /// Creates a set of changes.
        public init(referrals: [TrackedReferral] = [], processed: [UUID: Date] = [:], cursor: StreamCursor? = nil) {
            self.referrals = referrals
            self.processed = processed
            self.cursor = cursor
        }
    }

    /// How far a commit reaches the disk before it returns.
    public enum Durability: Sendable, Equatable {
        /// WAL with `synchronous=NORMAL`: a killed process loses nothing committed, a power cut
        /// may lose the last commits (the agent replays them from the hub).
        case normal
        /// `synchronous=OFF`, never an fsync: a killed process still loses nothing committed,
        /// an OS crash may lose or damage the file. For state that ends with its process (a
        /// simulation's agents).
        case process
    }

    /// The SQLite file, or nil for an in-memory store.
    public let path: String?
    let database: DatabaseQueue
    /// Seals referral content (AgentStore+Encryption.swift); `nil` stores it as JSON.
    let keys: DataKeyStore?
    /// Unwrapped data keys kept in memory: about the referrals an agency works on at once (the
    /// vault's default is sized for a hub's journal, which sees every referral in progress).
    static let cachedDataKeys = 256

    /// Opens the store at `path` (creating the file 0600 and its schema if needed), or an empty
    /// in-memory store when `path` is nil; with `masterKey`, referral content is sealed at rest.
    /// `cacheKiB` bounds SQLite's page cache (default 2 MiB).
    public init(
        path: String?, masterKey: MasterKey? = nil, cacheKiB: Int? = nil, durability: Durability = .normal
    ) throws(AgentStoreError) {
        self.path = path
        keys = masterKey.map { DataKeyStore(master: $0, cachedKeys: AgentStore.cachedDataKeys) }
        SQLiteSettings.applyBeforeFirstConnection()
        do {
            if let path {
                try PrivateFiles.prepareDatabaseFile(path)
                var configuration = Configuration()
                configuration.journalMode = .wal
                configuration.busyMode = .timeout(1)
                // Held from the first access until closed: a second agent on the same file fails
                // at once instead of interleaving its writes with ours.
                configuration.prepareDatabase { db in
                    try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE")
                    if let cacheKiB { try db.execute(sql: "PRAGMA cache_size = -\(max(1, cacheKiB))") }
                    // Before the switch to WAL, which a new file makes in a synced rollback journal.
                    if durability == .process { try db.execute(sql: "PRAGMA synchronous = OFF") }
                }
                database = try DatabaseQueue(path: path, configuration: configuration)
                // GRDB's WAL setup, after `prepareDatabase`, set NORMAL.
                if durability == .process { try database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = OFF") } }
            } else {
                database = try DatabaseQueue()
            }
            try AgentStore.migrator.migrate(database)
            if let keys { try database.write { db in try keys.bind(db, file: path ?? "the agent state") } }
        } catch let error as VaultError {
            throw AgentStoreError(.openFailed, error.message)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            throw AgentStoreError(.inUse, "the agent state \(path ?? "in memory") is in use by another running agent")
        } catch {
            throw AgentStoreError(.openFailed, "cannot open the agent state \(path ?? "in memory"): \(error)")
        }
    }

    /// The value of `PRAGMA name` on the store's connection (for checks of how it was opened).
    func setting(_ name: String) throws -> String? {
        try database.read { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }

    /// Claims the store for an agent (the first agent to load it owns it; another is refused),
    /// counts this start, and reads what it holds.
    public func load(agency: String, agent: String) throws(AgentStoreError) -> Contents {
        let owner = "\(agency)/\(agent)"
        do {
            try database.write { db in
                if let stored = try String.fetchOne(db, sql: "SELECT value FROM agent WHERE key = 'owner'") {
                    guard stored == owner else {
                        throw AgentStoreError(.wrongOwner, "the state \(path ?? "in memory") belongs to \(stored), not \(owner)")
                    }
                } else {
                    try db.execute(sql: "INSERT INTO agent (key, value) VALUES ('owner', ?)", arguments: [owner])
                }
                try db.execute(sql: """
                    INSERT INTO agent (key, value) VALUES ('starts', '1')
                    ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
                    """)
            }
        } catch let error as AgentStoreError {
            throw error
        } catch {
            throw AgentStoreError(.storageFailed, "cannot claim the agent state: \(error)")
        }
        return try contents()
    }

    /// Reads what the store holds, without claiming it.
    public func contents() throws(AgentStoreError) -> Contents {
        do {
            return try database.read { db in
                let starts = try String.fetchOne(db, sql: "SELECT value FROM agent WHERE key = 'starts'").flatMap { Int($0) } ?? 0
                var cursor: StreamCursor?
                if let row = try Row.fetchOne(db, sql: "SELECT hub, sequence FROM cursor WHERE id = 1") {
                    cursor = StreamCursor(hub: row[0], sequence: UInt64(row[1] as Int64))
                }
                let referrals = try self.savedReferrals(in: db)
                let processed = try String.fetchAll(db, sql: "SELECT id FROM processed_referral").compactMap(UUID.init(uuidString:))
                var contents = Contents(cursor: cursor, referrals: referrals, processed: Set(processed), starts: starts)
                let outbox = try Row.fetchCursor(db, sql: "SELECT message_id, topic, header, body, correlation_id, key_id FROM outbox ORDER BY rowid")
                while let row = try outbox.next() {
                    guard let id = UUID(uuidString: row[0]) else { continue }
                    let referral = (row[4] as String?).flatMap(UUID.init(uuidString:))
                    // A message of an erased referral is not sent any more.
                    guard let body = try self.opened(outboxBody: [UInt8](row[3] as Data), message: id, referral: referral, keyID: row[5], in: db)
                    else { continue }
                    let frames = [[UInt8](row[1] as Data), [UInt8](row[2] as Data), body]
                    contents.outbox.append(ConfirmedPublisher.Pending(id: id, frames: frames, correlationID: referral))
                }
                let topics = try Row.fetchCursor(db, sql: "SELECT topic, topic_sequence, sequence FROM topic_cursor")
                while let row = try topics.next() {
                    contents.topicCursors[row[0]] = TopicCursor(topicSeq: UInt64(row[1] as Int64), seq: UInt64(row[2] as Int64))
                }
                contents.verifiedSequence = try String.fetchOne(db, sql: "SELECT value FROM agent WHERE key = 'verified-sequence'").flatMap { UInt64($0) }
                contents.serviceStatuses = try self.deskServiceStatuses(in: db)
                return contents
            }
        } catch let error as AgentStoreError {
            throw error
        } catch {
            throw AgentStoreError(.storageFailed, "cannot read the agent state: \(error)")
        }
    }

    /// Saves `changes` in one transaction: all of them, or (on any failure) none.
    public func commit(_ changes: Changes) throws(AgentStoreError) {
        do {
            try database.write { db in
                for tracked in changes.referrals {
                    try self.save(tracked, in: db)
                }
                for (id, time) in changes.processed {
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO processed_referral (id, processed_at) VALUES (?, ?)",
                        arguments: [id.uuidString.lowercased(), time.timeIntervalSinceReferenceDate])
                }
                for message in changes.outboxAdded {
                    let (body, keyID) = try self.sealed(outboxBody: message.frames[2], message: message.id, referral: message.correlationID, in: db)
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO outbox (message_id, topic, header, body, correlation_id, key_id) VALUES (?, ?, ?, ?, ?, ?)",
                        arguments: [
                            message.id.uuidString.lowercased(), Data(message.frames[0]), Data(message.frames[1]), Data(body),
                            message.correlationID?.uuidString.lowercased(), keyID,
                        ])
                }
                for id in changes.outboxRemoved {
                    try db.execute(sql: "DELETE FROM outbox WHERE message_id = ?", arguments: [id.uuidString.lowercased()])
                }
                if changes.resetTopicCursors { try db.execute(sql: "DELETE FROM topic_cursor") }
                for (topic, cursor) in changes.topicCursors {
                    try db.execute(
                        sql: """
                            INSERT INTO topic_cursor (topic, topic_sequence, sequence) VALUES (?, ?, ?)
                            ON CONFLICT (topic) DO UPDATE SET topic_sequence = excluded.topic_sequence, sequence = excluded.sequence
                            """,
                        arguments: [topic, Int64(clamping: cursor.topicSeq), Int64(clamping: cursor.seq)])
                }
                if let verified = changes.verifiedSequence {
                    try db.execute(
                        sql: "INSERT INTO agent (key, value) VALUES ('verified-sequence', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        arguments: [String(verified)])
                }
                try self.commitDesk(changes, in: db)
                if let cursor = changes.cursor {
                    try db.execute(
                        sql: """
                            INSERT INTO cursor (id, hub, sequence) VALUES (1, ?, ?)
                            ON CONFLICT (id) DO UPDATE SET hub = excluded.hub, sequence = excluded.sequence
                            """,
                        arguments: [cursor.hub, Int64(clamping: cursor.sequence)])
                }
            }
        } catch let error as AgentStoreError {
            throw error
        } catch {
            throw AgentStoreError(.storageFailed, "cannot save the agent state: \(error)")
        }
    }

    /// The schema, one migration per version; never edit a shipped migration.
    ///
    /// - `agent`: who owns the store, how many times it was started.
    /// - `cursor`: one row, the last hub sequence processed.
    /// - `referral`: one row per referral; `referral` is the referral's wire JSON, `details`
    ///   the rest of what the agent tracks (JSON), times in seconds since 2001-01-01.
    /// - `processed_referral`: referral ids processed as a receiver.
    /// - `outbox` (v2): messages published and not yet confirmed by the hub, in rowid order.
    /// - `topic_cursor` (v2): per exact topic, the topic sequence and sequence last applied.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE agent (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE cursor (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    hub TEXT NOT NULL,
                    sequence INTEGER NOT NULL CHECK (sequence >= 0)
                );
                CREATE TABLE referral (
                    id TEXT PRIMARY KEY NOT NULL,
                    part TEXT NOT NULL,
                    state TEXT NOT NULL,
                    updated_at REAL NOT NULL,
                    referral BLOB NOT NULL,
                    details BLOB NOT NULL
                );
                CREATE TABLE processed_referral (id TEXT PRIMARY KEY NOT NULL, processed_at REAL NOT NULL) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                CREATE TABLE outbox (
                    message_id TEXT NOT NULL UNIQUE,
                    topic BLOB NOT NULL,
                    header BLOB NOT NULL,
                    body BLOB NOT NULL,
                    correlation_id TEXT
                );
                CREATE TABLE topic_cursor (
                    topic TEXT PRIMARY KEY NOT NULL,
                    topic_sequence INTEGER NOT NULL,
                    sequence INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        registerEncryptionMigrations(in: &migrator)
        registerDeskMigrations(in: &migrator)
        return migrator
    }
}
