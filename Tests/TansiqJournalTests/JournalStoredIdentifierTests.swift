import Foundation
import GRDB
import Testing
import TansiqTestSupport
@testable import TansiqJournal

/// Referral ids at rest: a journal written by the previous version holds them as text; this
/// version stores a canonical UUID as its 16 bytes. Both must read alike, side by side.
@Suite("Journal stored identifiers")
struct JournalStoredIdentifierTests {
    @Test("referral ids written as text by the previous version and as 16 bytes now read, look up, erase and expire alike")
    func textAndByteReferralIDsReadAlike() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let referral = "3f2a9c1e-7b4d-4e8a-9c0b-1d2e3f405162"
        let other = "3f2a9c1e-0000-4000-8000-000000000001"
        let older = (1...4).map { makeRecord($0, correlationID: $0 % 2 == 0 ? other : referral) }
        do {
            let journal = try Journal(path: directory.journalPath)
            try journal.append(older)
            journal.close()
        }
        // What the previous version wrote: the ids as their text.
        do {
            let database = try DatabaseQueue(path: directory.journalPath)
            try database.write { db in
                for record in older {
                    try db.execute(
                        sql: "UPDATE message SET correlation_id = ? WHERE sequence = ?",
                        arguments: [record.correlationID, Int64(record.sequence)])
                }
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM message WHERE typeof(correlation_id) = 'text'") == 4)
            }
            try database.close()
        }

        let journal = try Journal(path: directory.journalPath, retention: .init(closedReferralMaxAge: .seconds(60)))
        defer { journal.close() }
        let newer = (5...8).map { makeRecord($0, correlationID: $0 % 2 == 0 ? other : referral) }
        try journal.append(newer)
        let stored = try journal.database.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM message WHERE typeof(correlation_id) = 'blob' AND length(correlation_id) = 16")
        }
        #expect(stored == 4)

        let all = older + newer
        #expect(try allRecords(journal) == all)
        #expect(try journal.trail(correlationID: referral) == all.filter { $0.correlationID == referral })
        #expect(try journal.records(correlationID: referral, after: 3, limit: 2).map(\.sequence) == [5, 7])
        #expect(try journal.correlationIDs(withPrefix: "3f2a9c1e") == [other, referral])
        #expect(try journal.correlationIDs(withPrefix: "3F2A9C1E-7B") == [referral])
        #expect(try journal.correlationIDs(withPrefix: "3f2a9c1e", limit: 1) == [other])
        #expect(try journal.correlationIDs(withPrefix: "3f2a9c1f").isEmpty)

        // The closed referral's messages expire in both forms; the other's stay.
        try journal.database.write { db in try Journal.recordClosures([referral], at: Date(timeIntervalSinceReferenceDate: 0), in: db) }
        #expect(try journal.applyRetention(now: Date()) == 4)
        #expect(try allRecords(journal) == all.filter { $0.correlationID == other })
        #expect(try journal.correlationIDs(withPrefix: "3f2a") == [other])
    }
}
