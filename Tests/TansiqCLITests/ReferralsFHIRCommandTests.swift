import Foundation
import Testing

/// `tansiq referrals fhir` on the journal of a real hub process.
@Suite("tansiq referrals fhir, real processes", .serialized)
struct ReferralsFHIRCommandTests {
    @Test func aReferralsTrailIsExportedAsAnFHIRBundleBesideTheHub() async throws {
        let journal = try EndToEndTests.temporaryJournal()
        defer { try? FileManager.default.removeItem(atPath: (journal as NSString).deletingLastPathComponent) }
        let (hub, endpoints) = try await EndToEndTests.startHub(["--journal", journal, "--durability", "normal"])
        defer { _ = hub.terminate() }
        let pub = try ChildProcess("tansiq", [
            "pub", "referral", "--from", "iom-morocco", "--to", "health-delegation-agadir", "--category", "health",
            "--case", "AGA-2026-0042", "--note", "Prefers morning appointments", "--publish", endpoints.publish!,
        ])
        #expect(pub.waitForExit() == 0, "\(pub.standardError)")
        let referral = try #require(pub.output.first?.split(separator: " ").first { $0.hasPrefix("referral=") }?.dropFirst("referral=".count))
        for (from, to) in [("requested", "received"), ("received", "accepted")] {
            let status = try ChildProcess("tansiq", [
                "pub", "status", "--referral", String(referral), "--by", "health-delegation-agadir", "--to", "iom-morocco",
                "--category", "health", "--from-state", from, "--state", to, "--publish", endpoints.publish!,
            ])
            #expect(status.waitForExit() == 0, "\(status.standardError)")
        }

        let export = try ChildProcess("tansiq", ["referrals", "fhir", String(referral), "--journal", journal, "--profile", "sdoh"])
        #expect(export.waitForExit() == 0, "\(export.standardError)")
        let text = export.output.joined()
        #expect(!text.contains("morning"), "notes do not leave")
        let bundle = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(bundle["resourceType"] as? String == "Bundle")
        let resources = (bundle["entry"] as? [[String: Any]] ?? []).compactMap { $0["resource"] as? [String: Any] }
        #expect(resources.map { $0["resourceType"] as? String } == ["ServiceRequest", "Task", "Provenance", "Provenance", "Provenance"])
        #expect(resources[0]["id"] as? String == String(referral))
        #expect(resources[1]["status"] as? String == "accepted")
        #expect(resources[0]["status"] as? String == "active")

        let unknown = try ChildProcess("tansiq", ["referrals", "fhir", UUID().uuidString, "--journal", journal])
        #expect(unknown.waitForExit() == 1)
        #expect(unknown.standardError.contains("no referral"))
        let missing = try ChildProcess("tansiq", ["referrals", "fhir", UUID().uuidString, "--data-directory", "/nonexistent"])
        #expect(missing.waitForExit() == 66)
    }
}
