import GRDB

extension Journal {
    /// The sequence and topic sequence of the stored message with this id (lower-case UUID),
    /// the first one if the id was stored more than once; `nil` when none is stored.
    public func stamp(ofMessage messageID: String) throws(JournalError) -> (sequence: UInt64, topicSequence: UInt64)? {
        try read("find message \(messageID)") { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT sequence, topic_sequence FROM message WHERE message_id IN (?, ?) ORDER BY sequence LIMIT 1"),
                arguments: StatementArguments(StoredIdentifier.forms(messageID))
            ).map { (UInt64($0[0] as Int64), UInt64($0[1] as Int64)) }
        }
    }

    /// How many stored messages have this id (tests count re-sends with it).
    public func count(ofMessage messageID: String) throws(JournalError) -> Int {
        try read("count message \(messageID)") { db in
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT count(*) FROM message WHERE message_id IN (?, ?)"),
                arguments: StatementArguments(StoredIdentifier.forms(messageID))) ?? 0
        }
    }
}
