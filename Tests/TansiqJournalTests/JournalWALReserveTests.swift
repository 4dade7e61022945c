import Foundation
import GRDB
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

@Suite("Journal WAL restarts")
struct JournalWALRestartTests {
    private func walSize(_ directory: JournalDirectory) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: directory.journalPath + "-wal")[.size] as? Int)
    }

    /// Under commits that never pause, a passive checkpoint never copies the last frames and the
    /// WAL never starts over by itself: it grew past the zeros written at open, and the commits
    /// that reached their end zero-filled and synced megabytes (the hub's latency tail).
    @Test("under commits that never pause, the writer restarts the WAL before it outgrows the zeros written at open")
    func walStartsOverInsideItsReserve() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath)
        defer { journal.close() }
        let opened = try walSize(directory)
        #expect(opened >= Int(JournalWALReserve.openingBytes))
        let restartsBefore = try walRestartCount(ofJournalAt: directory.journalPath)
        var records: [JournalRecord] = []
        var mostFrames = 0
        // About 20 MB of bodies: some 6,000 WAL frames without a restart.
        for batch in 0..<200 {
            let next = (0..<50).map { makeRecord(UInt64(1 + batch * 50 + $0), bodyBytes: 2_000) }
            try journal.append(next)
            records += next
            mostFrames = max(mostFrames, try #require(journal.walFrames))
            #expect(try walSize(directory) == opened, "the WAL file kept its size: no commit extended it")
        }
        #expect(mostFrames < JournalCheckpointer.mustRestartFrames + 100)
        // The writer restarted it, or a pass of the checkpointer caught up between two commits.
        #expect(try walRestartCount(ofJournalAt: directory.journalPath) > restartsBefore)
        #expect(try allRecords(journal) == records)
    }

    /// A reader of another connection still reading old frames keeps the WAL from starting over,
    /// and the writer neither waits for it nor fails: it tries again after its next commit.
    @Test("a reader on an old snapshot delays the WAL's restart without holding up a commit")
    func readerDelaysTheRestartWithoutBlockingCommits() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath)
        defer { journal.close() }
        try journal.append([makeRecord(1)])
        let reader = try DatabaseQueue(path: directory.journalPath)
        var sequence: UInt64 = 1
        try reader.read { db in
            // The read transaction's snapshot is taken at its first read.
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM message") == 1)
            for _ in 0..<200 {
                try journal.append((0..<50).map { _ in
                    sequence += 1
                    return makeRecord(sequence, bodyBytes: 2_000)
                })
            }
        }
        let held = try #require(journal.walRestarts)
        #expect(held.done == 0)
        #expect(held.refused >= 1)
        #expect(try #require(journal.walFrames) >= JournalCheckpointer.mustRestartFrames)
        try reader.close()
        sequence += 1
        try journal.append([makeRecord(sequence)])
        #expect(try #require(journal.walRestarts).done == 1)
        #expect(try #require(journal.walFrames) == 0)
        #expect(journal.lastSequence == sequence)
    }
}
