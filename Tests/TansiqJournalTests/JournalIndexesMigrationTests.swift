import Foundation
import GRDB
import Testing
import TansiqTestSupport
@testable import TansiqJournal

/// indexes-v1: the message-id index (every message's random id) gives way to the ids of
/// confirmed publishing's messages alone; the kind and registry-state indexes go. A journal the
/// previous version wrote opens, keeps answering re-sent ids with their first sequence, reads,
/// replays and expires as before.
@Suite("Journal indexes-v1")
struct JournalIndexesMigrationTests {
    /// A journal as registry-v3 left it, holding `records` (written as that version did).
    private func previousVersionJournal(at path: String, _ records: [JournalRecord]) throws {
        let database = try DatabaseQueue(path: path)
        try Journal.migrator.migrate(database, upTo: "registry-v3")
        try database.write { db in
            for record in records {
                try db.execute(sql: """
                    INSERT INTO message (sequence, topic_sequence, topic, header, body, kind, source,
                        correlation_id, message_id, received_at, size, key_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
                    """, arguments: [
                        Int64(record.sequence), Int64(record.topicSequence), record.topic, Data(record.header), Data(record.body),
                        record.kind, record.source, record.correlationID.map(StoredIdentifier.value), StoredIdentifier.value(record.messageID),
                        record.receivedAt.timeIntervalSinceReferenceDate, record.storedBytes,
                    ])
                try db.execute(sql: """
                    INSERT INTO topic (name, last_sequence) VALUES (?, ?)
                    ON CONFLICT (name) DO UPDATE SET last_sequence = excluded.last_sequence
                    """, arguments: [record.topic, Int64(record.topicSequence)])
            }
            try db.execute(
                sql: "UPDATE stream SET last_sequence = ?, message_count = ?, stored_bytes = ? WHERE id = 1",
                arguments: [Int64(records.last?.sequence ?? 0), records.count, records.reduce(0) { $0 + $1.storedBytes }])
            #expect(try db.indexes(on: "message").contains { $0.name == "message_on_message_id" })
        }
        try database.close()
    }

    private func withMessageID(_ record: JournalRecord, _ id: String) -> JournalRecord {
        var record = record
        record.messageID = id
        return record
    }

    @Test("a journal of the previous version opens with its ids kept for de-duplication, and reads and expires as before")
    func previousVersionJournalMigrates() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let resent = "0b6f6c43-52a1-4c52-9d55-2f4b3cfb7a10"
        // Sequence 2 was re-sent before confirmed publishing de-duplicated it: 4 holds the same id.
        let older = (1...4).map { makeRecord($0) }.enumerated().map { index, record in
            index == 1 || index == 3 ? withMessageID(record, resent) : record
        }
        try previousVersionJournal(at: directory.journalPath, older)

        let journal = try Journal(path: directory.journalPath, retention: .init(maxMessages: 4))
        defer { journal.close() }
        let indexes = try journal.database.read { db in
            try db.indexes(on: "message").map(\.name) + db.indexes(on: "referral").map(\.name)
        }
        #expect(!indexes.contains("message_on_message_id"))
        #expect(!indexes.contains("message_on_kind"))
        #expect(!indexes.contains("referral_on_state"))
        #expect(indexes.contains("message_on_correlation_id"))
        #expect(journal.lastSequence == 4)
        // Every id stored before is still found in one lookup, a re-sent one at its first sequence.
        #expect(try journal.confirmedStamp(ofMessage: resent)?.sequence == 2)
        #expect(try journal.confirmedStamp(ofMessage: "m-3")?.sequence == 3)
        #expect(try allRecords(journal) == older)

        // From now on only confirmed publishing's ids are kept; the others are still found by a scan.
        let newer = [makeRecord(5), withMessageID(makeRecord(6), "c0ffee00-0000-4000-8000-000000000006"), makeRecord(7)]
        try journal.append(newer, confirmed: [1])
        #expect(try journal.confirmedStamp(ofMessage: "c0ffee00-0000-4000-8000-000000000006")?.sequence == 6)
        #expect(try journal.confirmedStamp(ofMessage: "m-5") == nil)
        #expect(try journal.stamp(ofMessage: "m-5")?.sequence == 5)
        #expect(try journal.count(ofMessage: resent) == 2)
        #expect(try allRecords(journal) == older + newer)
        #expect(try journal.summary().countsByKind == ["referral": 7])

        // Retention takes the kept ids with their messages.
        #expect(try journal.applyRetention() == 3)
        #expect(try journal.confirmedStamp(ofMessage: "m-3") == nil)
        #expect(try journal.confirmedStamp(ofMessage: "c0ffee00-0000-4000-8000-000000000006")?.sequence == 6)
    }

    @Test("a journal of the previous version opened read-only, not migrated, still finds a message by id")
    func previousVersionJournalReadOnly() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        try previousVersionJournal(at: directory.journalPath, (1...3).map { makeRecord($0) })
        let reader = try Journal(path: directory.journalPath, readOnly: true)
        defer { reader.close() }
        #expect(try reader.confirmedStamp(ofMessage: "m-2")?.sequence == 2)
        #expect(try reader.stamp(ofMessage: "m-3")?.sequence == 3)
        #expect(try reader.stamp(ofMessage: "m-9") == nil)
    }

    @Test("the journal's queries use the indexes that remain, or scan in stream order")
    func queriesNeedNoDroppedIndex() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath)
        defer { journal.close() }
        try journal.append((1...3).map { makeRecord($0) }, confirmed: [0])
        let plans = try journal.database.read { db -> [String: String] in
            func plan(_ sql: String) throws -> String {
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }.joined(separator: "; ")
            }
            return [
                "confirmed": try plan("SELECT sequence, topic_sequence FROM confirmed_message WHERE message_id IN (x'00', 'a') ORDER BY sequence LIMIT 1"),
                "retention": try plan("DELETE FROM confirmed_message WHERE sequence <= 3"),
                "housekeeping": try plan("SELECT count(*) FROM message WHERE kind IN ('hub.stats', 'presence') AND received_at < 0"),
                "case": try plan("SELECT sequence FROM message WHERE kind = 'referral' AND source = 'x' AND sequence > 0 ORDER BY sequence LIMIT 1000"),
            ]
        }
        #expect(plans["confirmed"]?.contains("PRIMARY KEY") == true, "\(plans)")
        #expect(plans["retention"]?.contains("confirmed_message_on_sequence") == true, "\(plans)")
        #expect(plans["housekeeping"]?.contains("message_on_received_at") == true, "\(plans)")
        #expect(plans["case"]?.contains("INTEGER PRIMARY KEY") == true, "\(plans)")
    }
}
