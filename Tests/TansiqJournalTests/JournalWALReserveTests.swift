import Foundation
import Testing
import TansiqTestSupport
@testable import TansiqJournal

@Suite("Journal WAL reserve")
struct JournalWALReserveTests {
    @Test("commits leave synced zeros ahead of the WAL's last frame, and the journal reads back whole after a reopen")
    func walReserveKeepsSpaceAheadAndReadsBack() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let walPath = directory.journalPath + "-wal"
        var records: [JournalRecord] = []
        do {
            let journal = try Journal(path: directory.journalPath)
            try journal.append([makeRecord(1)])
            records.append(makeRecord(1))
            let size = try #require(try FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int)
            // A commit of one small record writes a few frames; the reserve is at least 1 MiB.
            #expect(size >= Int(JournalWALReserve.minimumBytes))
            for batch in 0..<20 {
                let next = (0..<50).map { makeRecord(UInt64(2 + batch * 50 + $0), bodyBytes: 2_000) }
                try journal.append(next)
                records += next
            }
            #expect(try allRecords(journal) == records)
            journal.close()
        }
        let reopened = try Journal(path: directory.journalPath)
        defer { reopened.close() }
        #expect(try allRecords(reopened) == records)
        #expect(reopened.lastSequence == 1_001)
    }
}
