import Foundation
import GRDB
import TansiqVault

/// The hub's durable journal: every accepted message, stored with its sequence numbers
/// before the hub forwards it, so that subscribers can replay what they missed and a hub
/// that is killed and restarted loses no accepted message.
///
/// The journal is one SQLite file in WAL mode, reached through a single GRDB
/// `DatabaseQueue` connection. Appends are group commits: one transaction per batch.
/// GRDB's synchronous API fits a loop that owns its thread (sqlite-nio would hand every
/// call to an event loop and back), and one connection is all a single-threaded owner
/// needs: a `DatabasePool`'s extra reader connections would serve concurrent readers
/// this process does not have, while WAL already lets other processes read meanwhile.
///
/// A `Journal` is deliberately not `Sendable`. It belongs to the thread that runs the hub's
/// forwarding loop, and every call (appends, replays, retention) must come from that thread.
/// Other processes, such as `tansiq journal`, may open the same file to read it: WAL lets
/// them read while the hub writes.
public final class Journal {
    /// The most prefixes one replay query accepts.
    public static let maxPrefixCount = 64
    /// The longest prefix, in UTF-8 bytes, a replay query accepts.
    public static let maxPrefixBytes = 255
    /// The most records one query returns; callers page with `after:`.
    public static let maxPageSize = 10_000
    /// WAL pages written before SQLite checkpoints them into the database (32 MiB of 4 KiB pages),
    /// when no checkpointer thread does it (one could not be started).
    static let walCheckpointPages = 8192
    /// The writer's page cache, in KiB.
    static let pageCacheKiB = 65_536

    /// The path of the SQLite file.
    public let path: String
    /// The durability this journal was opened with.
    public let durability: JournalDurability
    /// The retention policy that `applyRetention(now:)` enforces.
    public let retention: JournalRetention

    /// The highest sequence ever assigned: persisted, so it survives a restart and
    /// retention deleting every stored message. 0 for a new journal.
    public private(set) var lastSequence: UInt64

    /// The highest topic sequence ever assigned, by exact topic: what the hub restores its
    /// per-topic counters from when it starts. Persisted like `lastSequence`.
    public private(set) var topicSequences: [String: UInt64]

    let database: DatabaseQueue
    /// The data keys bodies are sealed with; `nil` stores bodies as they came (no master key).
    let keys: DataKeyStore?
    private var isClosed = false
    /// Checkpoints the WAL on its own thread (writable journals).
    private var checkpointer: JournalCheckpointer?
    /// Zeros synced ahead of the WAL's end, for commits that do not grow the file (with the checkpointer).
    private var walReserve: JournalWALReserve?
    /// When true, commits leave restarting the WAL to ``restartWALIfDue()``, which the caller runs
    /// where a restart delays no commit (the hub's writer thread, between batches). A restart
    /// copies the WAL's last frames into the database and syncs it: a millisecond or more.
    public var defersWALRestart = false

    /// Whether the WAL is due to start over from its beginning (see ``defersWALRestart``).
    public var isWALRestartDue: Bool {
        guard let checkpointer, let walReserve else { return false }
        return checkpointer.isRestartDue(walFrames: walReserve.walFrames)
    }

    /// Restarts the WAL if it is due; any thread, outside the caller's own transactions. The
    /// WAL then stays inside the synced zeros written at open, and commits never extend them.
    public func restartWALIfDue() {
        guard let checkpointer, let walReserve, !isClosed else { return }
        try? database.writeWithoutTransaction { db in checkpointer.restartIfDue(db, reserve: walReserve) }
    }

    /// The writer's restarts of the WAL (with the checkpointer thread), for tests.
    var walRestarts: JournalCheckpointer.Restarts? { checkpointer?.restartCounts }
    /// The frames the WAL held after the last commit (with the checkpointer thread), for tests.
    var walFrames: Int? { walReserve?.walFrames }
    /// Whether the file has indexes-v1's `confirmed_message` (a journal opened read-only may not); known after the first lookup.
    var confirmedMessageTable: Bool?

    /// Opens the journal at `path`, creating the file and its schema if needed.
    ///
    /// - Parameters:
    ///   - path: the SQLite file; its directory must exist.
    ///   - durability: when commits are synced to disk (see ``JournalDurability``).
    ///   - retention: what ``applyRetention(now:)`` deletes.
    ///   - readOnly: opens an existing journal for inspection only (`tansiq journal`, beside a
    ///     running hub): nothing is created, migrated or written, and appends fail.
    ///   - masterKey: seals every body with its referral's data key (Journal+Encryption.swift);
    ///     needed to read a journal written with one.
    public init(
        path: String,
        durability: JournalDurability = .full,
        retention: JournalRetention = .init(),
        readOnly: Bool = false,
        masterKey: MasterKey? = nil
    ) throws(JournalError) {
        self.path = path
        self.durability = durability
        self.retention = retention
        keys = masterKey.map { DataKeyStore(master: $0) }
        if !readOnly {
            // The file (and so SQLite's -wal and -shm beside it) is the owner's alone.
            do {
                try PrivateFiles.prepareDatabaseFile(path)
            } catch {
                throw JournalError(.openFailed, error.message)
            }
        }

        SQLiteSettings.applyBeforeFirstConnection()
        var configuration = Configuration()
        if readOnly {
            configuration.readonly = true
        } else {
            configuration.journalMode = .wal
        }
        // Readers in other processes may briefly hold the WAL; wait rather than fail a batch.
        configuration.busyMode = .timeout(10)
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            if readOnly {
                // A journal written before the registry existed is still readable (it has no referral table).
                guard try database.read({ db in try Set(Journal.migrator.appliedIdentifiers(db)).isSuperset(of: ["v1", "v2"]) }) else {
                    throw JournalError(.openFailed, "\(path) is not a Tansiq journal (or was written by a newer version)")
                }
                if let keys { try database.read { db in try keys.check(db, file: path) } }
            } else {
                // GRDB's WAL setup runs after `prepareDatabase` and sets synchronous=NORMAL, so
                // the durability level goes on afterwards, on the queue's only connection.
                try database.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA synchronous = \(durability.synchronousPragma)")
                    // A group commit of 2,048 messages fills ~700 WAL pages: with SQLite's default
                    // of 1,000 the hub would checkpoint (copy and fsync) every other commit.
                    try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Journal.walCheckpointPages)")
                    // The message-id index takes random inserts: with SQLite's 2 MiB page cache
                    // most of its pages were read again from the OS for every batch.
                    try db.execute(sql: "PRAGMA cache_size = -\(Journal.pageCacheKiB)")
                }
                try Journal.migrator.migrate(database)
                if let keys { try database.write { db in try keys.bind(db, file: path) } }
                try database.write { db in
                    try db.execute(
                        sql: "INSERT INTO setting (name, value) VALUES ('durability', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                        arguments: [durability.rawValue])
                }
            }
            (lastSequence, topicSequences) = try database.read { db in
                let last = try Int64.fetchOne(db, sql: "SELECT last_sequence FROM stream WHERE id = 1") ?? 0
                var topics: [String: UInt64] = [:]
                let rows = try Row.fetchCursor(db, sql: "SELECT name, last_sequence FROM topic")
                while let row = try rows.next() {
                    topics[row[0] as String] = UInt64(row[1] as Int64)
                }
                return (UInt64(last), topics)
            }
            if !readOnly, let checkpointer = try? JournalCheckpointer(path: path) {
                // The checkpointer thread copies the WAL back: commits on the hub's thread no longer do.
                do {
                    try database.writeWithoutTransaction { db in
                        try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
                        // The commit hook is free once automatic checkpoints are off.
                        self.walReserve = try JournalWALReserve.install(on: db, path: path)
                    }
                } catch {
                    checkpointer.stop()
                    throw error
                }
                self.checkpointer = checkpointer
                // The reserve's zeros are written now, before the first message waits on them.
                try database.writeWithoutTransaction { db in
                    try db.inTransaction(.immediate) {
                        self.walReserve?.prepareAtOpen()
                        return .commit
                    }
                }
            }
        } catch let error as JournalError {
            throw error
        } catch let error as VaultError {
            throw JournalError(.openFailed, error.message)
        } catch {
            throw JournalError(.openFailed, "cannot open the journal at \(path): \(error)")
        }
    }

    /// The highest sequence assigned on `topic` (exact match), 0 if none ever was.
    public func lastTopicSequence(for topic: String) -> UInt64 {
        topicSequences[topic] ?? 0
    }

    /// Appends a batch in one transaction: either every record is stored, or none is.
    ///
    /// Sequences must be strictly increasing across the batch and above ``lastSequence``;
    /// topic sequences must be strictly increasing per topic and above what the topic
    /// reached before. A batch that breaks either rule is refused whole.
    /// `referrals` are the registry's records the batch changed: they are written in the same
    /// transaction, so the registry never runs ahead of or behind the journal.
    /// `closed`: the correlation ids of the referrals the batch's status updates closed, when the
    /// caller knows them (the hub's registry does); `nil` reads the status bodies to find out.
    /// `confirmed`: the indices in `records` of the messages sent by confirmed publishing, whose
    /// ids are kept for its de-duplication (``confirmedStamp(ofMessage:)``).
    public func append(
        _ records: [JournalRecord], referrals: [ReferralRecord] = [], closed: [String]? = nil, confirmed: [Int] = []
    ) throws(JournalError) {
        guard !records.isEmpty else { return }
        let topicUpdates = try validate(records)
        let expectedLast = lastSequence
        let newLast = records[records.count - 1].sequence
        // By index: a `for record in records` copies each record, retaining its seven fields.
        var addedBytes: Int64 = 0
        for index in records.indices { addedBytes += Int64(records[index].storedBytes) }

        try write("append \(records.count) records") { db in
            // Under the write lock, before this transaction's frames: see JournalWALReserve.
            self.walReserve?.prepare()
            let stored = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT last_sequence FROM stream WHERE id = 1")) ?? 0
            guard UInt64(stored) == expectedLast else {
                throw JournalError(
                    .concurrentWriter,
                    "the journal's last sequence is \(stored) on disk but \(expectedLast) in this hub: another process is writing to \(self.path)")
            }
            let insert = try db.cachedStatement(sql: """
                INSERT INTO message
                    (sequence, topic_sequence, topic, header, body, kind, source,
                     correlation_id, message_id, received_at, size, key_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for index in records.indices {
                if let keys = self.keys {
                    let (body, keyID) = try self.sealedBody(of: records[index], keys: keys, in: db)
                    try JournalInsert.run(insert, records[index], body: body, keyID: keyID, in: db)
                } else {
                    try JournalInsert.run(insert, records[index], body: records[index].body, keyID: nil, in: db)
                }
            }
            if !confirmed.isEmpty {
                let keep = try db.cachedStatement(sql: """
                    INSERT OR IGNORE INTO confirmed_message (message_id, sequence, topic_sequence) VALUES (?, ?, ?)
                    """)
                for index in confirmed where records.indices.contains(index) {
                    keep.setUncheckedArguments([
                        StoredIdentifier.value(records[index].messageID), Int64(records[index].sequence), Int64(records[index].topicSequence),
                    ])
                    try keep.execute()
                }
            }
            if let closed, let at = records.last?.receivedAt {
                try Journal.recordClosures(closed, at: at, in: db)
            } else {
                try self.recordClosures(records, in: db)
            }
            let upsertTopic = try db.cachedStatement(sql: """
                INSERT INTO topic (name, last_sequence) VALUES (?, ?)
                ON CONFLICT (name) DO UPDATE SET last_sequence = excluded.last_sequence
                """)
            for (topic, sequence) in topicUpdates {
                upsertTopic.setUncheckedArguments([topic, Int64(sequence)])
                try upsertTopic.execute()
            }
            try db.cachedStatement(sql: """
                UPDATE stream SET last_sequence = ?, message_count = message_count + ?,
                    stored_bytes = stored_bytes + ?
                WHERE id = 1
                """).execute(arguments: [Int64(newLast), records.count, addedBytes])
            try Journal.upsert(referrals, in: db)
        }
        lastSequence = newLast
        topicSequences.merge(topicUpdates) { _, new in new }
    }

    /// Checks a batch against the stream and topic counters; returns each topic's new high-water mark.
    private func validate(_ records: [JournalRecord]) throws(JournalError) -> [String: UInt64] {
        var previous = lastSequence
        var topics: [String: UInt64] = [:]
        for index in records.indices {
            let (sequence, topicSequence) = (records[index].sequence, records[index].topicSequence)
            guard sequence > previous else {
                throw JournalError(
                    .sequenceNotIncreasing,
                    "sequence \(sequence) (message \(records[index].messageID)) is not above \(previous); the batch was not stored")
            }
            guard sequence <= UInt64(Int64.max), topicSequence <= UInt64(Int64.max) else {
                throw JournalError(
                    .sequenceNotIncreasing,
                    "sequence \(sequence) or topic sequence \(topicSequence) exceeds \(Int64.max); the batch was not stored")
            }
            let topicPrevious = topics[records[index].topic] ?? topicSequences[records[index].topic] ?? 0
            guard topicSequence > topicPrevious else {
                throw JournalError(
                    .sequenceNotIncreasing,
                    "topic sequence \(topicSequence) on \"\(records[index].topic)\" (sequence \(sequence)) is not above \(topicPrevious); the batch was not stored")
            }
            previous = sequence
            topics[records[index].topic] = topicSequence
        }
        return topics
    }

    /// The SQLite settings in force on the journal's connection.
    public func storageSettings() throws(JournalError) -> JournalStorageSettings {
        try read("read the storage settings") { db in
            JournalStorageSettings(
                journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                synchronous: try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1)
        }
    }

    /// A journal dropped without `close()` still stops its checkpoint thread.
    deinit {
        checkpointer?.stop()
        if !isClosed, walReserve != nil { try? database.writeWithoutTransaction { db in JournalWALReserve.uninstall(from: db) } }
    }

    /// Closes the database connection; later calls throw `JournalError.Code.closed`.
    /// Closing twice does nothing.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        checkpointer?.stop()
        if walReserve != nil { try? database.writeWithoutTransaction { db in JournalWALReserve.uninstall(from: db) } }
        // GRDB only fails to close when statements are still alive; nothing here holds one.
        try? database.close()
    }

    /// Runs `body` in an immediate transaction, wrapping GRDB's errors with `operation`.
    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws(JournalError) -> T {
        guard !isClosed else { throw JournalError(.closed, "cannot \(operation): the journal is closed") }
        do {
            return try database.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                if let checkpointer = self.checkpointer, let reserve = self.walReserve {
                    checkpointer.committed(walFrames: reserve.walFrames)
                    if !self.defersWALRestart { checkpointer.restartIfDue(db, reserve: reserve) }
                }
                return result!
            }
        } catch let error as JournalError {
            throw error
        } catch {
            throw JournalError(.storageFailed, "cannot \(operation) in \(path): \(error)")
        }
    }

    /// Runs `body` in a read-only transaction, wrapping GRDB's errors with `operation`.
    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(JournalError) -> T {
        guard !isClosed else { throw JournalError(.closed, "cannot \(operation): the journal is closed") }
        do {
            return try database.read(body)
        } catch let error as JournalError {
            throw error
        } catch {
            throw JournalError(.storageFailed, "cannot \(operation) in \(path): \(error)")
        }
    }
}

/// A journal belongs to the hub's loop thread; sharing it across threads is a mistake.
@available(*, unavailable)
extension Journal: Sendable {}
