import Foundation
import GRDB
import Logging
import TansiqHub
import TansiqMessages
import TansiqTestSupport
import Testing
import ZeroMQ

@Suite("Hub journal")
struct HubJournalTests {
    @Test(arguments: JournalDurability.allCases)
    func aForwardedMessageIsAlreadyInTheJournal(durability: JournalDurability) async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        try await withHub(journaledConfiguration(directory, durability: durability)) { _, endpoints in
            let client = try StreamClient(endpoints, prefixes: ["referral/to/\(Sample.receiver)/"])
            // A second connection reads the file as each message arrives: it must be stored already.
            let reader = try Journal(path: directory.journalPath, durability: durability)
            defer { reader.close() }
            let sent = try (0..<20).map { _ in try Sample.referralFrames() }
            for frames in sent { try client.publisher.send(frames) }
            for frames in sent {
                let message = try #require(try client.next())
                let stamp = try MessageCodec.decodeStamp(message.frames[3])
                let stored = try reader.records(after: stamp.seq - 1, prefixes: [""], limit: 1)
                #expect(stored.first?.sequence == stamp.seq)
                #expect(stored.first?.topicSequence == stamp.topicSeq)
                #expect(stored.first?.header == frames[1])
                #expect(stored.first?.body == frames[2])
                #expect(stored.first?.source == Sample.referrer)
            }
        }
    }

    /// The registry's record goes to the writer thread with its batch, stamped with the
    /// sequence of the message that made it.
    @Test func aReferralsRegistryRecordIsStoredWithTheSequenceOfItsMessage() async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        try await withHub(journaledConfiguration(directory)) { _, endpoints in
            let client = try StreamClient(endpoints, prefixes: ["referral/to/\(Sample.receiver)/"])
            try client.publisher.send(try Sample.referralFrames())
            let stamp = try MessageCodec.decodeStamp(try #require(try client.next()).frames[3])
            let reader = try Journal(path: directory.journalPath, readOnly: true)
            defer { reader.close() }
            let records = try reader.loadReferrals()
            #expect(records.count == 1)
            #expect(records.first?.createdSequence == stamp.seq)
            #expect(records.first?.lastSequence == stamp.seq)
        }
    }

    @Test func sequenceNumbersContinueAfterARestartOnTheSameJournal() async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let configuration = journaledConfiguration(directory)
        func forwardFive() async throws -> [HubStamp] {
            try await withHub(configuration) { _, endpoints in
                let client = try StreamClient(endpoints, prefixes: ["referral/to/\(Sample.receiver)/"])
                var stamps: [HubStamp] = []
                for _ in 0..<5 {
                    try client.publisher.send(try Sample.referralFrames())
                    stamps.append(try MessageCodec.decodeStamp(try #require(try client.next()).frames[3]))
                }
                return stamps
            }
        }
        let before = try await forwardFive()
        let after = try await forwardFive()
        let beforeMax = try #require(before.map(\.seq).max())
        #expect(after.allSatisfy { $0.seq > beforeMax }, "sequences never repeat: \(before.map(\.seq)) then \(after.map(\.seq))")
        let topicBefore = before.map(\.topicSeq)
        let topicAfter = after.map(\.topicSeq)
        #expect(topicAfter.allSatisfy { $0 > topicBefore.max()! }, "topic sequences continue: \(topicBefore) then \(topicAfter)")
        #expect(Set(before.map(\.seq)).count == before.count)
    }

    @Test func aSecondHubCannotWriteTheSameJournal() async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        try await withHub(journaledConfiguration(directory)) { _, _ in
            let second = try Hub(configuration: journaledConfiguration(directory), logger: Logger(label: "test.second"))
            let task = Task { try await second.run() }
            let error = await #expect(throws: HubError.self) { try await second.endpoints() }
            #expect(error?.code == .journalUnavailable)
            #expect(error?.message.contains("another hub") == true)
            _ = try? await task.value
        }
    }

    @Test func aMessageTheJournalCannotStoreIsNotForwardedAndItsSenderIsTold() async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        try await withHub(journaledConfiguration(directory)) { hub, endpoints in
            let client = try StreamClient(endpoints, prefixes: ["referral/to/", "hub/rejected/\(Sample.referrer)"])
            // A real SQLite failure: a trigger refuses rows for one receiver.
            let saboteur = try DatabaseQueue(path: directory.journalPath)
            try await saboteur.write { db in
                try db.execute(sql: """
                    CREATE TRIGGER refuse_poison BEFORE INSERT ON message
                    WHEN NEW.topic LIKE 'referral/to/poison-agency/%'
                    BEGIN SELECT RAISE(ABORT, 'disk says no'); END
                    """)
            }
            try saboteur.close()
            let poison = try Sample.referralFrames(to: "poison-agency")
            try client.publisher.send(poison)
            let rejection = try #require(try client.next(), "the sender heard nothing")
            let (envelope, _) = try MessageCodec.decode(rejection.frames)
            guard case .hubRejection(let notice) = envelope.payload else {
                Issue.record("expected a rejection, got \(envelope.topic)")
                return
            }
            #expect(notice.reason.rawValue == "journal-unavailable")
            #expect(notice.rejectedMessageId == (try MessageCodec.decodeHeader(poison[1])).id)
            #expect(notice.message.contains("send it again"))
            // The hub keeps forwarding what it can store.
            let valid = try Sample.referralFrames()
            try client.publisher.send(valid)
            let next = try #require(try client.next())
            #expect(Array(next.frames.prefix(3)) == valid)
            let seen = try MessageCodec.decodeStamp(next.frames[3])
            let reader = try Journal(path: directory.journalPath)
            defer { reader.close() }
            let stored = try reader.records(after: 0, prefixes: ["referral/to/poison-agency/"], limit: 10)
            #expect(stored.isEmpty)
            #expect(try reader.records(after: seen.seq - 1, prefixes: [""], limit: 1).first?.body == valid[2])
            for _ in 0..<50 where hub.counters.journalFailures == 0 {
                try client.publisher.send(try Sample.referralFrames())
                _ = try client.next()
            }
            #expect(hub.counters.journalFailures >= 1)
            #expect(hub.counters.rejections["journal-unavailable"] == 1)
        }
    }

    @Test func statisticsCarryTheJournalBlock() async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        var configuration = journaledConfiguration(directory)
        configuration.statisticsInterval = .milliseconds(50)
        try await withHub(configuration) { _, endpoints in
            let client = try StreamClient(endpoints, prefixes: ["hub/stats/main"])
            for _ in 0..<100 {
                let message = try #require(try client.next())
                guard case .hubStatistics(let statistics) = try MessageCodec.decode(message.frames).envelope.payload else { continue }
                let journal = try #require(statistics.journal)
                #expect(journal.backend == "sqlite")
                // Each statistics message is journaled too: later ones count the earlier ones.
                if journal.entries >= 1 {
                    #expect(journal.lastSequence >= journal.entries)
                    return
                }
            }
            Issue.record("no statistics counted a journaled message")
        }
    }
}

@Suite("Hub journal retention")
struct HubJournalRetentionTests {
    @Test func theHubAppliesRetentionWhileItRuns() async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        var configuration = journaledConfiguration(directory, retention: JournalRetention(maxMessages: 5))
        configuration.journal?.retentionCheckInterval = .milliseconds(20)
        configuration.statisticsInterval = .milliseconds(30)
        try await withHub(configuration) { _, endpoints in
            let client = try StreamClient(endpoints, prefixes: ["referral/to/", "hub/stats/"])
            var last: UInt64 = 0
            for _ in 0..<25 {
                let frames = try Sample.referralFrames()
                last = try MessageCodec.decodeStamp(client.sendUntilForwarded { frames }.frames[3]).seq
            }
            // The hub's statistics report the journal as retention leaves it: wait for one that
            // counts every message sent and at most five stored.
            var trimmed: HubStatistics.Journal?
            for _ in 0..<500 {
                let message = try #require(try client.next(), "statistics stopped")
                guard case .hubStatistics(let statistics) = try MessageCodec.decode(message.frames).envelope.payload,
                      let journal = statistics.journal, journal.lastSequence >= last
                else { continue }
                if journal.entries <= 5 {
                    trimmed = journal
                    break
                }
            }
            #expect(trimmed != nil, "retention never brought the journal down to 5 messages")
            let reader = try Journal(path: directory.journalPath, readOnly: true)
            defer { reader.close() }
            let first = try #require(try reader.firstStoredSequence())
            #expect(first > 20, "the oldest messages were deleted")
        }
    }
}

@Suite("Hub journal WAL")
struct HubJournalWALTests {
    /// Under a load that never pauses the WAL never started over by itself: it outgrew the synced
    /// zeros written at open, and commits that reached their end zero-filled and synced megabytes
    /// while messages waited. The writer thread now restarts it between batches.
    @Test func aHubUnderSteadyLoadKeepsItsWALInsideTheZerosWrittenAtOpen() async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        var configuration = journaledConfiguration(directory, durability: .full)
        configuration.rateLimit = nil
        let walPath = directory.journalPath + "-wal"
        func walSize() throws -> Int { try #require(try FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int) }
        try await withHub(configuration) { _, endpoints in
            let client = try StreamClient(endpoints, prefixes: ["referral/to/\(Sample.receiver)/"])
            let opened = try walSize()
            let restartsBefore = try walRestartCount(ofJournalAt: directory.journalPath)
            // New referrals (each stored with its record and the hub's view): some 20 MB of WAL
            // frames without a restart, several restarts with one.
            let count = 12_000
            for _ in 0..<count { try client.publisher.send(try Sample.referralFrames()) }
            var last: UInt64 = 0
            for _ in 0..<count { last = try MessageCodec.decodeStamp(try #require(try client.next(), "a referral was not forwarded").frames[3]).seq }
            #expect(try walSize() == opened, "no commit extended the WAL's reserve")
            #expect(try walRestartCount(ofJournalAt: directory.journalPath) > restartsBefore, "the WAL started over from its beginning")
            let reader = try Journal(path: directory.journalPath, readOnly: true)
            defer { reader.close() }
            #expect(try reader.storedCount() >= UInt64(count))
            #expect(reader.lastSequence >= last)
        }
    }
}
