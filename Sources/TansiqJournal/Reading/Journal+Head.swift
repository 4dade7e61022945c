import GRDB

extension Journal {
    /// The oldest stored sequence, `nil` when no message is stored (a new journal, or
    /// retention deleted everything). Cheap: `sequence` is the rowid.
    public func firstStoredSequence() throws(JournalError) -> UInt64? {
        try read("read the oldest sequence") { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT min(sequence) FROM message")).map { UInt64($0) }
        }
    }

    /// The number of stored messages, from the running total (no table scan).
    public func storedCount() throws(JournalError) -> UInt64 {
        try read("count the stored messages") { db in
            UInt64(try Int64.fetchOne(db.cachedStatement(sql: "SELECT message_count FROM stream WHERE id = 1")) ?? 0)
        }
    }

    /// The settings the journal was last opened for writing with, by name (`durability`).
    public func recordedSettings() throws(JournalError) -> [String: String] {
        try read("read the recorded settings") { db in
            var settings: [String: String] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT name, value FROM setting")
            while let row = try rows.next() { settings[row[0]] = row[1] as String }
            return settings
        }
    }
}
