import Foundation
import Testing

/// `tansiq referrals` on the registry of a real hub process.
@Suite("tansiq referrals, real processes", .serialized)
struct ReferralsCommandTests {
    @Test func listAndShowReadTheRegistryBesideTheHub() async throws {
        let journal = try EndToEndTests.temporaryJournal()
        defer { try? FileManager.default.removeItem(atPath: (journal as NSString).deletingLastPathComponent) }
        let (hub, endpoints) = try await EndToEndTests.startHub(["--journal", journal, "--durability", "normal"])
        let pub = try ChildProcess("tansiq", [
            "pub", "referral", "--from", "iom-morocco", "--to", "health-delegation-agadir",
            "--category", "health", "--case", "AGA-2026-0042", "--publish", endpoints.publish!,
        ])
        #expect(pub.waitForExit() == 0)

        struct Listed: Decodable {
            var referralId: String
            var referrer: String
            var receiver: String?
            var state: String
            var category: String
            var createdSequence: UInt64
        }
        // `pub` exited 0: the hub acknowledged the referral after the commit that also wrote its
        // registry record, so the read-only file holds it now.
        let list = try ChildProcess("tansiq", ["referrals", "list", journal, "--open", "--agency", "health-delegation-agadir", "--json"])
        #expect(list.waitForExit() == 0, "\(list.standardError)")
        let listed = try list.output.map { try JSONDecoder().decode(Listed.self, from: Data($0.utf8)) }
        let referral = try #require(listed.first)
        #expect(listed.count == 1)
        #expect(referral.referrer == "iom-morocco")
        #expect(referral.receiver == "health-delegation-agadir")
        #expect(referral.state == "requested")

        let other = try ChildProcess("tansiq", ["referrals", "list", journal, "--state", "completed"])
        #expect(other.waitForExit() == 0)
        #expect(other.output.isEmpty)

        let show = try ChildProcess("tansiq", ["referrals", "show", journal, referral.referralId])
        #expect(show.waitForExit() == 0, "\(show.standardError)")
        #expect(show.output.first?.hasPrefix("\(referral.referralId) requested iom-morocco → health-delegation-agadir") == true, "\(show.output)")
        #expect(show.output.dropFirst().contains { $0.hasPrefix("  #\(referral.createdSequence) ") })
        #expect(hub.terminate() == 0)

        let unknown = try ChildProcess("tansiq", ["referrals", "show", journal, UUID().uuidString])
        #expect(unknown.waitForExit() == 1)
        #expect(unknown.standardError.contains("no referral"))
    }
}
