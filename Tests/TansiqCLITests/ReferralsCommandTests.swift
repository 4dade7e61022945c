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

    /// The coordinator acknowledges the escalation the hub raised (protocol 1.2); the registry
    /// shows it, the queue empties, and the facts count it.
    @Test func theCoordinatorAcknowledgesAnEscalationFromTheCommandLine() async throws {
        let journal = try EndToEndTests.temporaryJournal()
        defer { try? FileManager.default.removeItem(atPath: (journal as NSString).deletingLastPathComponent) }
        let (hub, endpoints) = try await EndToEndTests.startHub(["--journal", journal, "--durability", "normal", "--coordinator", "commune-agadir"])
        let pub = try ChildProcess("tansiq", [
            "pub", "referral", "--from", "iom-morocco", "--to", "health-delegation-agadir", "--category", "health",
            "--case", "AGA-2026-0042", "--acknowledge-within", "1", "--publish", endpoints.publish!,
        ])
        #expect(pub.waitForExit() == 0, "\(pub.standardError)")
        let id = try #require(pub.output.first?.split(separator: " ").first { $0.hasPrefix("referral=") }?.dropFirst("referral=".count))
        // The hub logs the escalation it raised once the deadline passed.
        #expect(await hub.waitForError(containing: "referral escalated by the hub", timeout: 30))

        let open = try ChildProcess("tansiq", ["referrals", "escalations", journal])
        #expect(open.waitForExit() == 0, "\(open.standardError)")
        #expect(open.output.count == 1)
        #expect(open.output.first?.hasPrefix("\(id) acknowledge due ") == true, "\(open.output)")
        #expect(open.output.first?.hasSuffix(" OPEN") == true)

        func acknowledge(by agency: String) throws -> ChildProcess {
            let ack = try ChildProcess("tansiq", [
                "pub", "escalation-ack", "--referral", String(id), "--by", agency, "--referrer", "iom-morocco", "--category", "health",
                "--deadline", "acknowledge", "--action", "contacted-receiver", "--note", "Called the health desk: seen today.",
                "--publish", endpoints.publish!,
            ])
            _ = ack.waitForExit()
            return ack
        }
        let stranger = try acknowledge(by: "health-delegation-agadir")
        #expect(stranger.waitForExit() == 65)
        #expect(stranger.standardError.contains("not-a-party"), "\(stranger.standardError)")
        let coordinator = try acknowledge(by: "commune-agadir")
        #expect(coordinator.waitForExit() == 0, "\(coordinator.standardError)")

        let show = try ChildProcess("tansiq", ["referrals", "show", journal, String(id)])
        #expect(show.waitForExit() == 0)
        #expect(show.output.first?.contains("; acknowledge escalation acknowledged by commune-agadir at ") == true, "\(show.output)")
        #expect(show.output.first?.contains(": contacted-receiver") == true)
        let queue = try ChildProcess("tansiq", ["referrals", "escalations", journal])
        #expect(queue.waitForExit() == 0)
        #expect(queue.output.isEmpty)

        struct Facts: Decodable {
            struct Group: Decodable {
                struct Counts: Decodable { var sent: Int; var escalated: Int; var escalationsAcknowledged: Int; var pending: Int }
                var counts: Counts
            }
            var total: Group
        }
        let facts = try ChildProcess("tansiq", ["referrals", "facts", journal, "--json"])
        #expect(facts.waitForExit() == 0, "\(facts.standardError)")
        let counts = try JSONDecoder().decode(Facts.self, from: Data(facts.output.joined().utf8)).total.counts
        #expect(counts.sent == 1 && counts.escalated == 1 && counts.escalationsAcknowledged == 1 && counts.pending == 1)
        let csv = try ChildProcess("tansiq", ["referrals", "facts", journal, "--csv", "--since", "2020-01-01"])
        #expect(csv.waitForExit() == 0)
        #expect(csv.output.first?.hasPrefix("group,name,sent,") == true)
        #expect(csv.output.dropFirst().first?.hasPrefix("all,all,1,1,") == true, "\(csv.output)")
        #expect(hub.terminate() == 0)
    }
}
