import Foundation
import TansiqJournal

/// A directory of its own for one test's SQLite files; the test removes it when done.
public struct JournalDirectory {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("tansiq-journal-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public var journalPath: String { url.appendingPathComponent("journal.sqlite").path }

    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// A record with plausible frames; `sequence` also seeds the bytes so that records differ.
public func makeRecord(
    _ sequence: UInt64,
    topic: String = "referral.health.agadir",
    topicSequence: UInt64? = nil,
    kind: String = "referral",
    correlationID: String? = "referral-1",
    receivedAt: Date? = nil,
    bodyBytes: Int = 64
) -> JournalRecord {
    JournalRecord(
        sequence: sequence,
        topicSequence: topicSequence ?? sequence,
        topic: topic,
        header: Array(#"{"v":1,"id":"m-\#(sequence)","kind":"\#(kind)"}"#.utf8),
        body: (0..<bodyBytes).map { UInt8(truncatingIfNeeded: Int(truncatingIfNeeded: sequence) &* 31 &+ $0) },
        kind: kind,
        source: "iom",
        correlationID: correlationID,
        messageID: "m-\(sequence)",
        receivedAt: receivedAt ?? Date(timeIntervalSinceReferenceDate: 800_000_000 + Double(sequence) * 0.125))
}

/// Every stored record, read page by page.
public func allRecords(_ journal: Journal) throws -> [JournalRecord] {
    var records: [JournalRecord] = []
    var after: UInt64 = 0
    for _ in 0..<1_000 {
        let page = try journal.records(after: after, prefixes: [""], limit: Journal.maxPageSize)
        guard let last = page.last else { break }
        records += page
        after = last.sequence
    }
    return records
}


/// How many times the journal's WAL started over from its beginning: the checkpoint sequence
/// of its header (bytes 12–15, big-endian), which each restart increments.
public func walRestartCount(ofJournalAt path: String) throws -> UInt32 {
    guard let file = FileHandle(forReadingAtPath: path + "-wal") else { return 0 }
    defer { try? file.close() }
    return file.readData(ofLength: 16).dropFirst(12).reduce(0) { $0 << 8 | UInt32($1) }
}
