import Foundation
import GRDB

extension Journal {
    /// The records with a sequence above `after` whose topic starts with one of `prefixes`,
    /// in sequence order, at most `limit` of them.
    ///
    /// Prefixes match bytes exactly, like ZeroMQ subscriptions: `""` matches every topic,
    /// and `%` or `_` are ordinary characters. An empty `prefixes` array matches nothing,
    /// like a socket with no subscription. To read further, call again with `after` set to
    /// the last returned sequence.
    ///
    /// - Parameters:
    ///   - after: the last sequence the caller already has (0 for everything).
    ///   - prefixes: at most ``maxPrefixCount`` prefixes of at most ``maxPrefixBytes`` bytes.
    ///   - limit: 1 to ``maxPageSize``.
    ///
    /// Messages of an erased referral are skipped (``page(after:prefixes:limit:)`` counts them).
    public func records(after: UInt64, prefixes: [String], limit: Int) throws(JournalError) -> [JournalRecord] {
        try page(after: after, prefixes: prefixes, limit: limit).records
    }

    /// Like ``records(after:prefixes:limit:)``, with how many erased messages were skipped and
    /// the last sequence looked at (to page on past erased messages).
    ///
    /// `source`: only the messages that agency published (the replay of an agency's own messages).
    public func page(after: UInt64, prefixes: [String], limit: Int, source: String? = nil) throws(JournalError) -> JournalPage {
        try Journal.checkLimit(limit)
        guard prefixes.count <= Journal.maxPrefixCount else {
            throw JournalError(
                .invalidQuery,
                "a replay accepts at most \(Journal.maxPrefixCount) prefixes, not \(prefixes.count)")
        }
        for prefix in prefixes where prefix.utf8.count > Journal.maxPrefixBytes {
            throw JournalError(
                .invalidQuery,
                "a replay prefix is at most \(Journal.maxPrefixBytes) bytes, not \(prefix.utf8.count) (\"\(prefix.prefix(40))…\")")
        }
        guard !prefixes.isEmpty else { return JournalPage(records: [], erased: 0, lastScanned: after) }

        var conditions: [String] = []
        var arguments: StatementArguments = []
        if !prefixes.contains("") {
            for prefix in Set(prefixes).sorted() {
                // Text compares with memcmp (BINARY collation): [prefix, next) is exactly the
                // topics that start with prefix. `next` may not be valid UTF-8, hence a blob cast.
                if let upper = Journal.upperBound(ofPrefix: prefix) {
                    conditions.append("(topic >= ? AND topic < CAST(? AS TEXT))")
                    arguments += [prefix, upper]
                } else {
                    conditions.append("topic >= ?")
                    arguments += [prefix]
                }
            }
        }
        var filter = conditions.isEmpty ? "" : "AND (\(conditions.joined(separator: " OR ")))"
        if let source {
            filter += " AND source = ?"
            arguments += [source]
        }
        // NOT INDEXED keeps the scan on the rowid (stream order), which stops after `limit`
        // matches, instead of letting an index pull every match of all history and sort it.
        let sql = """
            SELECT \(Journal.recordColumns) FROM message NOT INDEXED
            WHERE sequence > ? \(filter)
            ORDER BY sequence LIMIT ?
            """
        return try read("replay after sequence \(after)") { db in
            // Erased messages are skipped: page on until the page is full or the stream ends.
            var page = JournalPage(records: [], erased: 0, lastScanned: UInt64(after))
            while true {
                let wanted = limit - page.records.count
                let next = try self.openedPage(
                    db, statement: db.cachedStatement(sql: sql),
                    arguments: [Int64(clamping: page.lastScanned)] + arguments + [wanted])
                page.records += next.records
                page.erased += next.erased
                page.lastScanned = max(page.lastScanned, next.lastScanned)
                if next.erased == 0 || next.scanned < wanted || page.records.count >= limit { return page }
            }
        }
    }

    /// The records of one referral, in sequence order, at most `limit` of them, after `after`.
    public func records(correlationID: String, after: UInt64 = 0, limit: Int) throws(JournalError) -> [JournalRecord] {
        try Journal.checkLimit(limit)
        let sql = """
            SELECT \(Journal.recordColumns) FROM message INDEXED BY message_on_correlation_id
            WHERE correlation_id IN (?, ?) AND correlation_id IS NOT NULL AND sequence > ?
            ORDER BY sequence LIMIT ?
            """
        return try read("look up referral \(correlationID)") { db in
            try self.openedPage(
                db, statement: db.cachedStatement(sql: sql),
                arguments: StatementArguments(StoredIdentifier.forms(correlationID)) + [Int64(clamping: after), limit]
            ).records
        }
    }

    /// Every record of one referral, in sequence order, read a page at a time.
    public func trail(correlationID: String) throws(JournalError) -> [JournalRecord] {
        var trail: [JournalRecord] = []
        var after: UInt64 = 0
        while true {
            let page = try records(correlationID: correlationID, after: after, limit: Journal.maxPageSize)
            trail += page
            guard let last = page.last, page.count == Journal.maxPageSize else { return trail }
            after = last.sequence
        }
    }

    /// The smallest byte string above every string that starts with `prefix`, or `nil` if
    /// there is none (the prefix is empty or all 0xFF bytes).
    static func upperBound(ofPrefix prefix: String) -> Data? {
        var bytes = Array(prefix.utf8)
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return Data(bytes)
            }
            bytes.removeLast()
        }
        return nil
    }

    private static func checkLimit(_ limit: Int) throws(JournalError) {
        guard (1...maxPageSize).contains(limit) else {
            throw JournalError(.invalidQuery, "a page holds 1 to \(maxPageSize) records, not \(limit)")
        }
    }

    static let recordColumns = """
        sequence, topic_sequence, topic, header, body, kind, source, correlation_id, message_id, received_at, key_id
        """

    /// Rows as stored: bodies still sealed, with the data key that sealed each.
    static func fetchRecords(_ statement: Statement, arguments: StatementArguments) throws -> [(record: JournalRecord, keyID: Int64?)] {
        var records: [(record: JournalRecord, keyID: Int64?)] = []
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        while let row = try rows.next() {
            records.append((JournalRecord(
                sequence: UInt64(row[0] as Int64),
                topicSequence: UInt64(row[1] as Int64),
                topic: row[2],
                header: [UInt8](row[3] as Data),
                body: [UInt8](row[4] as Data),
                kind: row[5],
                source: row[6],
                correlationID: StoredIdentifier.text(row[7]),
                messageID: StoredIdentifier.text(row[8]) ?? "",
                receivedAt: Date(timeIntervalSinceReferenceDate: row[9])), row[10]))
        }
        return records
    }
}
