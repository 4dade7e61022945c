import Foundation
import Testing
import TansiqTestSupport
@testable import TansiqJournal

@Suite("Journal retention")
struct JournalRetentionTests {
    let base = Date(timeIntervalSinceReferenceDate: 800_000_000)

    /// Ten records, received one minute apart, each storing `topic + header + body` bytes.
    func tenRecords() -> [JournalRecord] {
        (UInt64(1)...10).map { sequence in
            var record = makeRecord(sequence, receivedAt: base.addingTimeInterval(Double(sequence - 1) * 60))
            record.header = Array(#"{"v":1}"#.utf8)
            return record
        }
    }

    @Test("by message count: keeps the newest maxMessages")
    func byMessageCount() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath, retention: .init(maxMessages: 4))
        defer { journal.close() }
        try journal.append(tenRecords())

        #expect(try journal.applyRetention() == 6)
        #expect(try allRecords(journal).map(\.sequence) == [7, 8, 9, 10])
        #expect(try journal.applyRetention() == 0)
        #expect(try journal.summary().count == 4)
    }

    @Test("by bytes: deletes the fewest oldest messages that bring the size under the limit")
    func byBytes() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let records = tenRecords()
        let size = Int64(records[0].storedBytes)
        #expect(records.allSatisfy { Int64($0.storedBytes) == size })

        let exact = try Journal(path: directory.journalPath, retention: .init(maxBytes: size * 3))
        try exact.append(records)
        #expect(try exact.applyRetention() == 7)
        #expect(try exact.summary().bytes == size * 3)
        #expect(try allRecords(exact).map(\.sequence) == [8, 9, 10])
        exact.close()

        let loose = try Journal(path: directory.journalPath, retention: .init(maxBytes: size * 2 + size / 2))
        defer { loose.close() }
        #expect(try loose.applyRetention() == 1)
        #expect(try allRecords(loose).map(\.sequence) == [9, 10])
        #expect(try loose.summary().bytes == size * 2)
    }

    @Test("by age: deletes the messages received before now - maxAge")
    func byAge() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath, retention: .init(maxAge: .seconds(300)))
        defer { journal.close() }
        try journal.append(tenRecords())

        // Cutoff is base + 300 s: records received at base + 0…240 s go, base + 300 s stays.
        #expect(try journal.applyRetention(now: base.addingTimeInterval(600)) == 5)
        #expect(try allRecords(journal).map(\.sequence) == [6, 7, 8, 9, 10])
        #expect(try journal.applyRetention(now: base.addingTimeInterval(600)) == 0)
        #expect(try journal.applyRetention(now: base.addingTimeInterval(10_000)) == 5)
        #expect(try journal.summary().count == 0)
    }

    @Test("by age: stops at the first young message, so the journal stays a contiguous tail")
    func byAgeKeepsContiguousTail() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath, retention: .init(maxAge: .seconds(60)))
        defer { journal.close() }
        try journal.append([
            makeRecord(1, receivedAt: base),
            makeRecord(2, receivedAt: base.addingTimeInterval(100)),
            makeRecord(3, receivedAt: base.addingTimeInterval(10)),
        ])

        #expect(try journal.applyRetention(now: base.addingTimeInterval(120)) == 1)
        #expect(try allRecords(journal).map(\.sequence) == [2, 3])
    }

    @Test("several limits: the one that deletes most wins; no policy deletes nothing")
    func combinedLimits() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        do {
            let keepAll = try Journal(path: directory.journalPath)
            try keepAll.append(tenRecords())
            #expect(try keepAll.applyRetention(now: base.addingTimeInterval(1_000_000)) == 0)
            keepAll.close()
        }
        let journal = try Journal(
            path: directory.journalPath,
            retention: .init(maxAge: .seconds(300), maxBytes: 1 << 40, maxMessages: 8))
        defer { journal.close() }
        #expect(try journal.applyRetention(now: base.addingTimeInterval(600)) == 5)
        #expect(try allRecords(journal).map(\.sequence) == [6, 7, 8, 9, 10])
        #expect(journal.lastSequence == 10)
    }
}

@Suite("Journal retention by purpose")
struct JournalPrivacyRetentionTests {
    let now = Date(timeIntervalSinceReferenceDate: 820_000_000)

    func record(_ sequence: UInt64, kind: String, referral: String?, body: String = "{}", daysAgo: Double) -> JournalRecord {
        var record = makeRecord(sequence, kind: kind, receivedAt: now.addingTimeInterval(-daysAgo * 86_400))
        record.correlationID = referral
        record.body = Array(body.utf8)
        return record
    }

    @Test("by default: housekeeping 7 days, closed referrals 180 days after closure, open referrals kept")
    func defaultsKeepPersonalDataOnlyForItsPurpose() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath, masterKey: .generate())
        defer { journal.close() }
        let closed = UUID().uuidString.lowercased(), open = UUID().uuidString.lowercased(), recent = UUID().uuidString.lowercased()
        try journal.append([
            record(1, kind: "presence", referral: nil, daysAgo: 300),
            record(2, kind: "referral", referral: closed, daysAgo: 300),
            record(3, kind: "referral", referral: open, daysAgo: 290),
            record(4, kind: "referral.status", referral: closed, body: #"{"state":"completed"}"#, daysAgo: 250),
            record(5, kind: "referral", referral: recent, daysAgo: 100),
            record(6, kind: "referral.status", referral: recent, body: #"{"state" : "cancelled"}"#, daysAgo: 90),
            record(7, kind: "hub.stats", referral: nil, daysAgo: 8),
            record(8, kind: "service.status", referral: nil, daysAgo: 6),
        ])
        #expect(try journal.applyRetention(now: now) == 4)
        #expect(try allRecords(journal).map(\.sequence) == [3, 5, 6, 8])
        #expect(try journal.summary().count == 4)
        #expect(try journal.wasErased(referral: closed))
        #expect(try !journal.wasErased(referral: open))
    }

    @Test("keep everything only when asked")
    func keepEverythingWhenAsked() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath, retention: .keepEverything)
        defer { journal.close() }
        try journal.append([record(1, kind: "presence", referral: nil, daysAgo: 300)])
        #expect(try journal.applyRetention(now: now) == 0)
    }
}
