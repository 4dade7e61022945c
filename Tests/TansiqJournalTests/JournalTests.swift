import Foundation
import TansiqVault
import Testing
import TansiqTestSupport
@testable import TansiqJournal

@Suite("Journal")
struct JournalTests {
    @Test("appended records read back identical, empty frames and fractional dates included")
    func appendedRecordsReadBackIdentical() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath)
        defer { journal.close() }

        var empty = makeRecord(2, topic: "status.سلام.é", topicSequence: 1, correlationID: nil, bodyBytes: 0)
        empty.header = []
        empty.receivedAt = Date(timeIntervalSinceReferenceDate: 812_345_678.123456789)
        let records = [makeRecord(1, topicSequence: 1), empty, makeRecord(7, topicSequence: 2, bodyBytes: 4_096)]
        try journal.append(records)

        #expect(try journal.records(after: 0, prefixes: [""], limit: 10) == records)
        #expect(journal.lastSequence == 7)
    }

    @Test("the last sequence and the records survive closing and reopening")
    func sequencesSurviveReopen() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let records = (1...5).map { makeRecord($0) }
        do {
            let journal = try Journal(path: directory.journalPath)
            try journal.append(records)
            journal.close()
        }

        let reopened = try Journal(path: directory.journalPath)
        defer { reopened.close() }
        #expect(reopened.lastSequence == 5)
        #expect(try allRecords(reopened) == records)
        #expect(throws: JournalError.self) { try reopened.append([makeRecord(5, topicSequence: 6)]) }
        try reopened.append([makeRecord(6)])
        #expect(reopened.lastSequence == 6)
    }

    @Test("sequences never repeat after retention deleted every message, even across a restart")
    func sequencesNeverRepeatAfterRetentionDeletedEverything() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        do {
            let journal = try Journal(path: directory.journalPath, retention: .init(maxMessages: 0))
            try journal.append((1...10).map { makeRecord($0) })
            #expect(try journal.applyRetention() == 10)
            #expect(try journal.summary().count == 0)
            #expect(journal.lastSequence == 10)
            journal.close()
        }

        let reopened = try Journal(path: directory.journalPath)
        defer { reopened.close() }
        #expect(reopened.lastSequence == 10)
        #expect(try reopened.summary().lastSequence == 10)
        let refused = #expect(throws: JournalError.self) {
            try reopened.append([makeRecord(1, topicSequence: 11)])
        }
        #expect(refused?.code == .sequenceNotIncreasing)
        try reopened.append([makeRecord(11)])
        #expect(try allRecords(reopened).map(\.sequence) == [11])
    }

    @Test("a batch with a non-increasing sequence is refused whole")
    func nonIncreasingSequenceRefused() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath)
        defer { journal.close() }
        try journal.append([makeRecord(1), makeRecord(2)])

        let refusedBatches: [[JournalRecord]] = [
            [makeRecord(2, topicSequence: 3)],                      // equal to the last
            [makeRecord(1, topicSequence: 3)],                      // below the last
            [makeRecord(3), makeRecord(5), makeRecord(4, topicSequence: 6)],  // decreasing inside
            [makeRecord(3), makeRecord(3, topicSequence: 4)],       // repeated inside
            [makeRecord(0, topicSequence: 3)],                      // zero
            [makeRecord(UInt64(Int64.max) + 1, topicSequence: 3)],  // beyond SQLite's integers
        ]
        for batch in refusedBatches {
            let error = #expect(throws: JournalError.self) { try journal.append(batch) }
            #expect(error?.code == .sequenceNotIncreasing)
            #expect(error?.message.contains("not stored") == true)
        }
        #expect(try allRecords(journal).map(\.sequence) == [1, 2])
        #expect(journal.lastSequence == 2)
    }

    @Test("a batch with a non-increasing topic sequence is refused whole")
    func nonIncreasingTopicSequenceRefused() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath)
        defer { journal.close() }
        try journal.append([makeRecord(1, topic: "a", topicSequence: 4)])

        let error = #expect(throws: JournalError.self) {
            try journal.append([makeRecord(2, topic: "b", topicSequence: 1), makeRecord(3, topic: "a", topicSequence: 4)])
        }
        #expect(error?.code == .sequenceNotIncreasing)
        #expect(try allRecords(journal).map(\.sequence) == [1])
        #expect(journal.lastTopicSequence(for: "b") == 0)
    }

    @Test("prefix replay returns exactly the matching records, in sequence order")
    func prefixReplayReturnsMatchingRecordsInOrder() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath)
        defer { journal.close() }
        let topics = [
            "referral.health.ihs", "status.health.ihs", "referral.education.aref", "referral.healthcare",
            "referral.health.ihs", "presence.iom", "referral.health", "status.health.ihs", "referral.heal",
        ]
        let records = topics.enumerated().map { index, topic in
            makeRecord(UInt64(index + 1), topic: topic, topicSequence: UInt64(index + 1))
        }
        try journal.append(records)

        let replayed = try journal.records(after: 0, prefixes: ["referral.health", "status."], limit: 100)
        #expect(replayed.map(\.sequence) == [1, 2, 4, 5, 7, 8])
        #expect(replayed == records.filter { $0.topic.hasPrefix("referral.health") || $0.topic.hasPrefix("status.") })

        let after = try journal.records(after: 4, prefixes: ["referral.health.ihs"], limit: 100)
        #expect(after.map(\.sequence) == [5])
    }

    @Test("replay pages with limit and after")
    func replayPages() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath)
        defer { journal.close() }
        let records = (1...50).map { sequence in
            makeRecord(sequence, topic: sequence % 2 == 0 ? "referral.even" : "referral.odd", topicSequence: sequence)
        }
        try journal.append(records)

        var pages: [[UInt64]] = []
        var after: UInt64 = 0
        for _ in 0..<10 {
            let page = try journal.records(after: after, prefixes: ["referral.even"], limit: 10)
            pages.append(page.map(\.sequence))
            guard let last = page.last else { break }
            after = last.sequence
        }
        #expect(pages.map(\.count) == [10, 10, 5, 0])
        #expect(pages.flatMap { $0 } == Array(stride(from: 2, through: 50, by: 2)))
    }

    @Test("the empty prefix matches every topic; no prefix matches none")
    func emptyPrefixMatchesEverything() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath)
        defer { journal.close() }
        let records = ["a", "", "zzz", "ÿ"].enumerated().map { index, topic in
            makeRecord(UInt64(index + 1), topic: topic, topicSequence: 1)
        }
        try journal.append(records)

        #expect(try journal.records(after: 0, prefixes: [""], limit: 100) == records)
        #expect(try journal.records(after: 0, prefixes: ["zzz", ""], limit: 100) == records)
        #expect(try journal.records(after: 2, prefixes: [""], limit: 1).map(\.sequence) == [3])
        #expect(try journal.records(after: 0, prefixes: [], limit: 100).isEmpty)
    }

    @Test("prefixes match bytes literally: % and _ are not wildcards, multi-byte characters split nowhere")
    func prefixesMatchBytesLiterally() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath)
        defer { journal.close() }
        let topics = ["a%c", "abc", "a_c", "aXc", "a%", "a", "A%c", "أكادير.x", "أكادير", "أكاد", "e", "é", "b"]
        let records = topics.enumerated().map { index, topic in
            makeRecord(UInt64(index + 1), topic: topic, topicSequence: 1)
        }
        try journal.append(records)

        func topicsMatching(_ prefixes: [String]) throws -> [String] {
            try journal.records(after: 0, prefixes: prefixes, limit: 100).map(\.topic)
        }
        #expect(try topicsMatching(["a%"]) == ["a%c", "a%"])
        #expect(try topicsMatching(["a_"]) == ["a_c"])
        #expect(try topicsMatching(["a"]) == ["a%c", "abc", "a_c", "aXc", "a%", "a"])
        #expect(try topicsMatching(["أكادير"]) == ["أكادير.x", "أكادير"])
        #expect(try topicsMatching(["é"]) == ["é"])
        #expect(try topicsMatching(["%"]) == [])
    }

    @Test("correlation lookup returns a referral's records in order, paged")
    func correlationLookup() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath)
        defer { journal.close() }
        let records = (1...12).map { sequence in
            makeRecord(sequence, correlationID: sequence % 3 == 0 ? "referral-42" : (sequence % 3 == 1 ? "referral-7" : nil))
        }
        try journal.append(records)

        #expect(try journal.records(correlationID: "referral-42", limit: 100) == records.filter { $0.correlationID == "referral-42" })
        #expect(try journal.records(correlationID: "referral-42", limit: 2).map(\.sequence) == [3, 6])
        #expect(try journal.records(correlationID: "referral-42", after: 6, limit: 100).map(\.sequence) == [9, 12])
        #expect(try journal.records(correlationID: "referral-unknown", limit: 100).isEmpty)
    }

    @Test("per-topic sequences are restored on reopen, even after retention deleted the messages")
    func topicSequencesRestored() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        do {
            let journal = try Journal(path: directory.journalPath, retention: .init(maxMessages: 0))
            try journal.append([
                makeRecord(1, topic: "referral.health", topicSequence: 1),
                makeRecord(2, topic: "status.health", topicSequence: 1),
                makeRecord(3, topic: "referral.health", topicSequence: 2),
            ])
            try journal.append([makeRecord(4, topic: "referral.health", topicSequence: 9)])
            try journal.applyRetention()
            journal.close()
        }

        let reopened = try Journal(path: directory.journalPath)
        defer { reopened.close() }
        #expect(reopened.topicSequences == ["referral.health": 9, "status.health": 1])
        #expect(reopened.lastTopicSequence(for: "referral.health") == 9)
        #expect(reopened.lastTopicSequence(for: "referral") == 0)
    }

    @Test("both durability modes open in WAL with their synchronous level", arguments: JournalDurability.allCases)
    func durabilityPragmas(durability: JournalDurability) throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let expected = JournalStorageSettings(journalMode: "wal", synchronous: durability == .full ? 2 : 1)
        do {
            let journal = try Journal(path: directory.journalPath, durability: durability)
            #expect(try journal.storageSettings() == expected)
            try journal.append([makeRecord(1)])
            journal.close()
        }
        let reopened = try Journal(path: directory.journalPath, durability: durability)
        defer { reopened.close() }
        #expect(try reopened.storageSettings() == expected)
    }

    @Test("queries outside the prefix and page bounds are refused with a clear error")
    func queryBounds() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath)
        defer { journal.close() }
        try journal.append([makeRecord(1, topic: String(repeating: "t", count: 300))])

        let widest = (0..<Journal.maxPrefixCount).map { String(repeating: "t", count: Journal.maxPrefixBytes - $0) }
        #expect(try journal.records(after: 0, prefixes: widest, limit: Journal.maxPageSize).count == 1)

        let refusals: [() throws -> Void] = [
            { _ = try journal.records(after: 0, prefixes: widest + ["x"], limit: 10) },
            { _ = try journal.records(after: 0, prefixes: [String(repeating: "t", count: 256)], limit: 10) },
            { _ = try journal.records(after: 0, prefixes: ["é" + String(repeating: "t", count: 254)], limit: 10) },
            { _ = try journal.records(after: 0, prefixes: [""], limit: 0) },
            { _ = try journal.records(after: 0, prefixes: [""], limit: Journal.maxPageSize + 1) },
            { _ = try journal.records(correlationID: "referral-1", limit: -1) },
        ]
        for refusal in refusals {
            let error = #expect(throws: JournalError.self) { try refusal() }
            #expect(error?.code == .invalidQuery)
        }
    }

    @Test("summary counts what is stored")
    func summaryCountsStoredMessages() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath)
        defer { journal.close() }
        #expect(try journal.summary() == JournalSummary(
            count: 0, firstSequence: nil, lastSequence: 0, bytes: 0,
            oldestReceivedAt: nil, newestReceivedAt: nil, countsByKind: [:]))

        let base = Date(timeIntervalSinceReferenceDate: 800_000_000)
        let records = [
            makeRecord(3, kind: "referral", receivedAt: base.addingTimeInterval(5)),
            makeRecord(4, kind: "status", receivedAt: base),
            makeRecord(8, kind: "status", receivedAt: base.addingTimeInterval(2)),
        ]
        try journal.append(records)

        #expect(try journal.summary() == JournalSummary(
            count: 3, firstSequence: 3, lastSequence: 8,
            bytes: Int64(records.map(\.storedBytes).reduce(0, +)),
            oldestReceivedAt: base, newestReceivedAt: base.addingTimeInterval(5),
            countsByKind: ["referral": 1, "status": 2]))
    }

    @Test("a second writer on the same file is detected instead of reusing sequences")
    func secondWriterDetected() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let first = try Journal(path: directory.journalPath)
        defer { first.close() }
        let second = try Journal(path: directory.journalPath)
        defer { second.close() }

        try first.append([makeRecord(1)])
        let error = #expect(throws: JournalError.self) { try second.append([makeRecord(1)]) }
        #expect(error?.code == .concurrentWriter)
        #expect(try allRecords(first).count == 1)
    }

    @Test("a closed journal refuses every call")
    func closedJournalRefuses() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath)
        journal.close()
        journal.close()

        let error = #expect(throws: JournalError.self) { try journal.append([makeRecord(1)]) }
        #expect(error?.code == .closed)
        #expect(throws: JournalError.self) { try journal.summary() }
    }

    @Test("a journal in a missing directory makes the directory, owner-only")
    func missingDirectoryIsMadePrivate() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let path = directory.url.appendingPathComponent("missing/journal.sqlite").path
        let journal = try Journal(path: path)
        journal.close()
        #expect(PrivateFiles.mode(of: directory.url.appendingPathComponent("missing").path) == 0o700)
    }

    @Test("a journal where no directory can be made fails to open with the path in the message")
    func unwritableDirectoryFailsToOpen() throws {
        let path = "/proc/tansiq-no-such-dir/journal.sqlite"
        let error = #expect(throws: JournalError.self) { _ = try Journal(path: path) }
        #expect(error?.code == .openFailed)
        #expect(error?.message.contains("/proc/tansiq-no-such-dir") == true)
    }
}
