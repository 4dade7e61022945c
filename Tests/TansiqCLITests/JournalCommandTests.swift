import Foundation
import Testing

/// `tansiq journal` on the journal of a real hub process.
@Suite("tansiq journal, real processes", .serialized)
struct JournalCommandTests {
    @Test func summaryListAndReferralShowWhatTheHubStored() async throws {
        let journal = try EndToEndTests.temporaryJournal()
        defer { try? FileManager.default.removeItem(atPath: (journal as NSString).deletingLastPathComponent) }
        let (hub, endpoints) = try await EndToEndTests.startHub(["--journal", journal, "--durability", "normal"])
        let pub = try ChildProcess("tansiq", [
            "pub", "referral", "--from", "iom-morocco", "--to", "health-delegation-agadir",
            "--category", "health", "--case", "AGA-2026-0042", "--publish", endpoints.publish!,
        ])
        #expect(pub.waitForExit() == 0)
        // The hub's lock proves it is still writing: the commands read beside it.
        let list = try ChildProcess("tansiq", ["journal", "list", journal, "--prefix", "referral/", "--json"])
        #expect(list.waitForExit() == 0, "\(list.standardError)")
        struct Listed: Decodable {
            struct Header: Decodable { var correlationid: String?; var type: String }
            var seq: UInt64
            var topic: String
            var header: Header
        }
        let listed = try list.output.map { try JSONDecoder().decode(Listed.self, from: Data($0.utf8)) }
        let referral = try #require(listed.first)
        #expect(listed.count == 1)
        #expect(referral.topic == "referral/to/health-delegation-agadir/health")

        let summary = try ChildProcess("tansiq", ["journal", "summary", journal, "--json"])
        #expect(summary.waitForExit() == 0)
        struct Summary: Decodable {
            var count: Int
            var lastSequence: UInt64
            var journalMode: String
            var durability: String
            var countsByKind: [String: Int]
        }
        let totals = try JSONDecoder().decode(Summary.self, from: Data(try #require(summary.output.first).utf8))
        #expect(totals.countsByKind["referral"] == 1)
        #expect(totals.lastSequence >= referral.seq)
        #expect(totals.journalMode == "wal")
        #expect(totals.durability == "normal")

        let byReferral = try ChildProcess("tansiq", ["journal", "referral", journal, try #require(referral.header.correlationid)])
        #expect(byReferral.waitForExit() == 0)
        // The referral, then the hub's de-identified view of it (1.1), which carries its id too.
        #expect(byReferral.output.count == 2)
        #expect(byReferral.output.first?.hasPrefix("#\(referral.seq) ") == true)
        // The 8-character prefix the text output shows finds the same referral.
        let id = try #require(referral.header.correlationid)
        let byPrefix = try ChildProcess("tansiq", ["journal", "referral", journal, String(id.prefix(8))])
        #expect(byPrefix.waitForExit() == 0, "\(byPrefix.standardError)")
        #expect(byPrefix.output == byReferral.output)
        let unknown = try ChildProcess("tansiq", ["journal", "referral", journal, id.hasPrefix("0000") ? "ffff" : "0000"])
        #expect(unknown.waitForExit() == 1)
        #expect(unknown.standardError.contains("no referral whose id starts with"))
        #expect(hub.terminate() == 0)

        let missing = try ChildProcess("tansiq", ["journal", "summary", journal + "-missing"])
        #expect(missing.waitForExit() == 66)
        #expect(missing.standardError.contains("no journal at"))
    }
}
