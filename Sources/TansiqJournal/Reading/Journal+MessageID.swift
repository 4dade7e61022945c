import GRDB

extension Journal {
    /// The sequence and topic sequence of the stored message with this id (lower-case UUID),
    /// the first one if the id was stored more than once; `nil` when none is stored. Looks in
    /// the confirmed messages' ids first, then reads the whole stream: for inspection and
    /// tests, not for a hot path (the hub asks ``confirmedStamp(ofMessage:)``).
    public func stamp(ofMessage messageID: String) throws(JournalError) -> (sequence: UInt64, topicSequence: UInt64)? {
        if let stamp = try confirmedStamp(ofMessage: messageID) { return stamp }
        return try read("find message \(messageID)") { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT sequence, topic_sequence FROM message NOT INDEXED WHERE message_id IN (?, ?) ORDER BY sequence LIMIT 1"),
                arguments: StatementArguments(StoredIdentifier.forms(messageID))
            ).map { (UInt64($0[0] as Int64), UInt64($0[1] as Int64)) }
        }
    }

    /// Where a message sent by confirmed publishing (or stored before indexes-v1) was stored:
    /// what a re-sent copy is acknowledged with. One index lookup; `nil` when not kept.
    public func confirmedStamp(ofMessage messageID: String) throws(JournalError) -> (sequence: UInt64, topicSequence: UInt64)? {
        try read("find message \(messageID)") { db in
            // A journal opened read-only and not migrated yet has the older message-id index instead.
            guard try self.hasConfirmedMessageTable(db) else {
                return try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT sequence, topic_sequence FROM message WHERE message_id IN (?, ?) ORDER BY sequence LIMIT 1"),
                    arguments: StatementArguments(StoredIdentifier.forms(messageID))
                ).map { (UInt64($0[0] as Int64), UInt64($0[1] as Int64)) }
            }
            return try Row.fetchOne(
                db.cachedStatement(sql: "SELECT sequence, topic_sequence FROM confirmed_message WHERE message_id IN (?, ?) ORDER BY sequence LIMIT 1"),
                arguments: StatementArguments(StoredIdentifier.forms(messageID))
            ).map { (UInt64($0[0] as Int64), UInt64($0[1] as Int64)) }
        }
    }

    /// How many stored messages have this id (tests count re-sends with it); reads the whole stream.
    public func count(ofMessage messageID: String) throws(JournalError) -> Int {
        try read("count message \(messageID)") { db in
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT count(*) FROM message NOT INDEXED WHERE message_id IN (?, ?)"),
                arguments: StatementArguments(StoredIdentifier.forms(messageID))) ?? 0
        }
    }

    private func hasConfirmedMessageTable(_ db: Database) throws -> Bool {
        if let known = confirmedMessageTable { return known }
        let exists = try db.tableExists("confirmed_message")
        confirmedMessageTable = exists
        return exists
    }
}
