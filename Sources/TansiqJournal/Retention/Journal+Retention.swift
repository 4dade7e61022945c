import Foundation
import GRDB

extension Journal {
    /// What the journal holds, for inspection and statistics.
    public func summary() throws(JournalError) -> JournalSummary {
        let last = lastSequence
        return try read("summarize the journal") { db in
            let totals = try Row.fetchOne(db, sql: "SELECT message_count, stored_bytes FROM stream WHERE id = 1")
            let range = try Row.fetchOne(db, sql: """
                SELECT min(sequence), min(received_at), max(received_at) FROM message
                """)
            var kinds: [String: Int] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT kind, count(*) FROM message GROUP BY kind")
            while let row = try rows.next() {
                kinds[row[0] as String] = row[1] as Int
            }
            let first: Int64? = range?[0]
            let oldest: Double? = range?[1]
            let newest: Double? = range?[2]
            return JournalSummary(
                count: totals?[0] ?? 0,
                firstSequence: first.map { UInt64($0) },
                lastSequence: last,
                bytes: totals?[1] ?? 0,
                oldestReceivedAt: oldest.map { Date(timeIntervalSinceReferenceDate: $0) },
                newestReceivedAt: newest.map { Date(timeIntervalSinceReferenceDate: $0) },
                countsByKind: kinds)
        }
    }

    /// Deletes the oldest messages the retention policy no longer allows, in one transaction,
    /// and returns how many it deleted.
    ///
    /// Only a prefix of the stream is ever deleted, oldest sequence first, and only as far
    /// as some limit demands: by age, everything before the first message received at or
    /// after `now - maxAge`; by count or size, the fewest oldest messages that bring the
    /// journal back under the limit. The stream and topic high-water marks are kept.
    @discardableResult
    public func applyRetention(now: Date = Date()) throws(JournalError) -> Int {
        let retention = self.retention
        let private_ = try applyPrivacyRetention(now: now)
        guard retention.maxAge != nil || retention.maxBytes != nil || retention.maxMessages != nil else {
            return private_
        }
        return private_ + (try write("apply retention") { db in
            guard let totals = try Row.fetchOne(db, sql: "SELECT message_count, stored_bytes FROM stream WHERE id = 1")
            else { return 0 }
            let count: Int = totals[0]
            let bytes: Int64 = totals[1]
            guard count > 0 else { return 0 }

            // Every limit yields "delete sequences below this one"; the furthest one wins.
            var keepFrom: Int64 = 0
            if let maxAge = retention.maxAge {
                let cutoff = now.addingTimeInterval(-maxAge.timeInterval).timeIntervalSinceReferenceDate
                let firstYoung = try Int64.fetchOne(db, sql: """
                    SELECT sequence FROM message NOT INDEXED WHERE received_at >= ?
                    ORDER BY sequence LIMIT 1
                    """, arguments: [cutoff])
                keepFrom = max(keepFrom, firstYoung ?? Int64.max)
            }
            if let maxMessages = retention.maxMessages, count > max(maxMessages, 0) {
                let excess = count - max(maxMessages, 0)
                let boundary = try Int64.fetchOne(db, sql: """
                    SELECT sequence FROM message ORDER BY sequence LIMIT 1 OFFSET ?
                    """, arguments: [excess])
                keepFrom = max(keepFrom, boundary ?? Int64.max)
            }
            if let maxBytes = retention.maxBytes, bytes > max(maxBytes, 0) {
                let excess = bytes - max(maxBytes, 0)
                var freed: Int64 = 0
                var boundary = Int64.max
                let rows = try Row.fetchCursor(db, sql: "SELECT sequence, size FROM message ORDER BY sequence")
                while let row = try rows.next() {
                    if freed >= excess {
                        boundary = row[0]
                        break
                    }
                    freed += row[1] as Int64
                }
                keepFrom = max(keepFrom, boundary)
            }
            guard keepFrom > 0 else { return 0 }

            let deleteThrough = keepFrom == Int64.max ? Int64.max : keepFrom - 1
            guard let deleted = try Row.fetchOne(db, sql: """
                SELECT count(*), coalesce(sum(size), 0) FROM message WHERE sequence <= ?
                """, arguments: [deleteThrough])
            else { return 0 }
            let deletedCount: Int = deleted[0]
            guard deletedCount > 0 else { return 0 }
            try db.execute(sql: "DELETE FROM message WHERE sequence <= ?", arguments: [deleteThrough])
            try db.execute(sql: "DELETE FROM confirmed_message WHERE sequence <= ?", arguments: [deleteThrough])
            try db.execute(
                sql: "UPDATE stream SET message_count = message_count - ?, stored_bytes = stored_bytes - ? WHERE id = 1",
                arguments: [deletedCount, deleted[1] as Int64])
            return deletedCount
        })
    }
}

extension Duration {
    /// The duration in seconds, as Foundation counts time.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
