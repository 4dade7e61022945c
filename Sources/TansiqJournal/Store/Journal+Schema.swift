import GRDB

extension Journal {
    /// The journal's schema, one migration per version; never edit a shipped migration.
    ///
    /// - `message`: one row per stored message; `sequence` is the rowid, so replay scans
    ///   the table in stream order. `received_at` is seconds since 2001-01-01 (Foundation's
    ///   reference date, stored exactly); `size` is what the message counts for in retention.
    /// - `stream`: one row with the high-water sequence and running totals, so that sequences
    ///   never repeat once retention deleted the newest rows, and counts need no table scan.
    /// - `topic`: the high-water topic sequence of every topic ever seen.
    /// - `setting` (v2): the durability the journal was last opened for writing with.
    /// - `data_key`, `erasure`, `vault` and `message.key_id` (privacy-v1, Journal+Encryption.swift).
    /// - `message_on_message_id` (v3): finds a message by id (confirmed publishing's de-duplication);
    ///   dropped by indexes-v1 for `confirmed_message`, with `message_on_kind` and `referral_on_state`.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE message (
                    sequence INTEGER PRIMARY KEY NOT NULL CHECK (sequence >= 1),
                    topic_sequence INTEGER NOT NULL CHECK (topic_sequence >= 1),
                    topic TEXT NOT NULL,
                    header BLOB NOT NULL,
                    body BLOB NOT NULL,
                    kind TEXT NOT NULL,
                    source TEXT NOT NULL,
                    correlation_id TEXT,
                    message_id TEXT NOT NULL,
                    received_at REAL NOT NULL,
                    size INTEGER NOT NULL
                );
                CREATE INDEX message_on_correlation_id ON message (correlation_id)
                    WHERE correlation_id IS NOT NULL;
                CREATE INDEX message_on_kind ON message (kind);
                CREATE TABLE stream (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    last_sequence INTEGER NOT NULL,
                    message_count INTEGER NOT NULL,
                    stored_bytes INTEGER NOT NULL
                );
                INSERT INTO stream (id, last_sequence, message_count, stored_bytes) VALUES (1, 0, 0, 0);
                CREATE TABLE topic (
                    name TEXT PRIMARY KEY NOT NULL,
                    last_sequence INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        // `setting`: what the writing hub was configured with, for inspection (`tansiq journal summary`).
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                CREATE TABLE setting (
                    name TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        // `referral` (registry-v1): the hub's referral registry, written with the messages.
        migrator.registerMigration("registry-v1") { db in try Journal.createRegistry(db) }
        registerEncryptionMigrations(in: &migrator)
        // A re-sent message (same id) is acknowledged with its original sequence, not stored twice.
        migrator.registerMigration("v3") { db in
            try db.execute(sql: "CREATE INDEX message_on_message_id ON message (message_id)")
        }
        // registry-v2 (1.2): the times of each referral's moves, its closing reason, and the
        // coordinator's acknowledgements of its escalations.
        migrator.registerMigration("registry-v2") { db in try Journal.addRegistryTimes(db) }
        // registry-v3: a rowid table, the id as 16 bytes in a unique index (Journal+Referrals.swift).
        // Message ids are stored as 16 bytes from this version on too, without a migration
        // (StoredIdentifier): the rows an older hub wrote keep their text.
        migrator.registerMigration("registry-v3") { db in try Journal.rekeyRegistry(db) }
        // indexes-v1: the indexes that took every message in random order, or that no query needs, go.
        migrator.registerMigration("indexes-v1") { db in try Journal.slimIndexes(db) }
        return migrator
    }

    /// indexes-v1. `message_on_message_id` took every message's random id: under load most of a group
    /// commit's WAL pages were its leaves (and the checkpointer copied them again). Only
    /// confirmed publishing looks ids up, so only its messages' ids are kept, in
    /// `confirmed_message`; the ids already stored are all copied, since which of them came
    /// confirmed is not known (the first sequence of an id stored twice wins, as the index
    /// answered). `message_on_kind` and `referral_on_state` served no query that a scan in
    /// stream or creation order does not (summaries, `tansiq referrals list`).
    static func slimIndexes(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE confirmed_message (
                message_id NOT NULL PRIMARY KEY,
                sequence INTEGER NOT NULL,
                topic_sequence INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX confirmed_message_on_sequence ON confirmed_message (sequence);
            INSERT OR IGNORE INTO confirmed_message (message_id, sequence, topic_sequence)
                SELECT message_id, sequence, topic_sequence FROM message ORDER BY sequence;
            DROP INDEX message_on_message_id;
            DROP INDEX message_on_kind;
            DROP INDEX referral_on_state;
            """)
    }
}
