import Foundation
import TansiqAgent
import TansiqMessages
import TansiqVault
import Testing

/// Encryption at rest, erasure and access requests with real processes: a hub journaling with a
/// master key, `tansiq pub` refusing the auditor's probes, `tansiq journal` exporting and erasing
/// a case beside the running hub.
@Suite("tansiq journal privacy, real processes", .serialized)
struct JournalPrivacyTests {
    static let refusedValues = ["FATIMA-ZAHRA-AMRANI", "Fatima", "Amrani", "0612345678", "JB123456", "fatima-amrani", "HIV"]

    @Test func pubRefusesEveryProbeWithoutRepeatingIt() async throws {
        let probes: [[String]] = [
            ["--case", "FATIMA-ZAHRA-AMRANI"],
            ["--case", "AGA-2026-0042", "--note", "Fatima Zahra Amrani, tel 0612345678, Hay Mohammadi, CIN JB123456, HIV+"],
            ["--case", "AGA-2026-0042", "--worker", "fatima-amrani"],
        ]
        for probe in probes {
            let pub = try ChildProcess("tansiq", [
                "pub", "referral", "--from", "iom-morocco", "--to", "health-delegation-agadir", "--category", "health",
                "--publish", "tcp://127.0.0.1:1", "--connect-timeout", "1",
            ] + probe)
            #expect(pub.waitForExit() == 65, "\(probe): \(pub.standardError)")
            #expect(pub.standardError.contains("personal-data"), "\(pub.standardError)")
            for value in Self.refusedValues {
                #expect(!pub.standardError.contains(value), "tansiq pub repeats \(value): \(pub.standardError)")
            }
        }
    }

    @Test func anAgencyForgetsACaseInItsStoppedAgentsStateFile() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-forget-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let keyFile = root.appendingPathComponent("master.key").path
        let key = MasterKey.generate()
        try key.write(to: keyFile)
        let path = root.appendingPathComponent("state.sqlite").path
        let now = Date()
        func referral(_ caseReference: String) -> Referral {
            Referral(
                referralId: UUID(), caseReference: caseReference, referringAgency: "iom-morocco", referringWorker: "caseworker-1",
                receivingAgency: "health-delegation-agadir", category: .health, priority: .routine, reasonCodes: [.medicalConsultation],
                consent: .init(status: .given, scope: [.shareWithReceiver], recordedBy: "caseworker-1", recordedAt: now),
                acknowledgeBy: now.addingTimeInterval(60), decideBy: now.addingTimeInterval(120), followUpOn: now.addingTimeInterval(180))
        }
        let closed = [referral("AGA-2026-0042"), referral("AGA-2026-0042")]
        let kept = referral("AGA-2026-0099")
        do {
            let store = try AgentStore(path: path, masterKey: key)
            let book = ReferralBook()
            for referral in closed + [kept] { book.record(referral, part: .referrer, at: now) }
            try store.commit(.init(referrals: (closed + [kept]).map { book[$0.referralId]! }))
        }
        let forget = try ChildProcess("tansiq", ["state", "forget", path, "--case-reference", "AGA-2026-0042", "--master-key-file", keyFile])
        #expect(forget.waitForExit() == 0, "\(forget.standardError)")
        #expect(forget.output.last == "forgot 2 referrals in \(path)")
        #expect(try AgentStore(path: path, masterKey: key).contents().referrals.map(\.referral.referralId) == [kept.referralId])
    }

    @Test func aCaseIsExportedThenErasedBesideTheRunningHubAndTheRestStaysReadable() async throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-privacy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let keyFile = root.appendingPathComponent("master.key").path
        let keygen = try ChildProcess("tansiq", ["journal", "keygen", keyFile])
        #expect(keygen.waitForExit() == 0, "\(keygen.standardError)")
        #expect(PrivateFiles.mode(of: keyFile) == 0o600)
        // A directory the hub makes itself.
        let directory = root.appendingPathComponent("state/hub").path
        let journal = directory + "/journal.sqlite"
        let (hub, endpoints) = try await EndToEndTests.startHub(["--journal", journal, "--master-key-file", keyFile])

        func refer(_ caseReference: String) throws {
            let pub = try ChildProcess("tansiq", [
                "pub", "referral", "--from", "iom-morocco", "--to", "health-delegation-agadir", "--category", "health",
                "--case", caseReference, "--note", "Appointment at the Anza health centre.", "--publish", endpoints.publish!,
            ])
            #expect(pub.waitForExit() == 0, "\(pub.standardError)")
        }
        try refer("AGA-2026-0042")
        try refer("AGA-2026-0099")

        // The journal, its WAL, shared memory and lock: the owner's only, in a 0700 directory.
        #expect(PrivateFiles.mode(of: directory) == 0o700)
        #expect(PrivateFiles.mode(of: root.appendingPathComponent("state").path) == 0o700)
        for suffix in ["", "-wal", "-shm", "-lock"] {
            #expect(PrivateFiles.mode(of: journal + suffix) == 0o600, "journal\(suffix) is \(String(PrivateFiles.mode(of: journal + suffix) ?? 0, radix: 8))")
        }
        // Sealed at rest.
        for suffix in ["", "-wal"] {
            let bytes = Array(FileManager.default.contents(atPath: journal + suffix) ?? Data())
            for value in ["AGA-2026-0042", "AGA-2026-0099", "Anza", "medical-consultation", "caseworker-1"] {
                #expect(!bytes.contains(subsequence: value), "journal\(suffix) holds \(value)")
            }
        }
        // Without the key, nothing opens.
        let blind = try ChildProcess("tansiq", ["journal", "list", journal, "--prefix", "referral/"])
        #expect(blind.waitForExit() != 0)
        #expect(blind.standardError.contains("master key"))

        // Access request.
        let export = try ChildProcess("tansiq", [
            "journal", "export", journal, "--case-reference", "AGA-2026-0042", "--agency", "iom-morocco", "--master-key-file", keyFile,
        ])
        #expect(export.waitForExit() == 0, "\(export.standardError)")
        struct Exported: Decodable {
            struct Message: Decodable {
                struct Body: Decodable { var caseReference: String?; var note: String? }
                var topic: String
                var body: Body
            }
            var referrals: [String]
            var messages: [Message]
        }
        let exported = try JSONDecoder().decode(Exported.self, from: Data(export.output.joined(separator: "\n").utf8))
        #expect(exported.referrals.count == 1)
        // The referral, and the hub's de-identified view of it (1.1), which names no case.
        #expect(exported.messages.map { $0.topic.split(separator: "/").first.map(String.init) } == ["referral", "hub"])
        #expect(exported.messages.map(\.body.caseReference) == ["AGA-2026-0042", nil])
        #expect(exported.messages.first?.body.note == "Appointment at the Anza health centre.")

        // Erasure, while the hub runs.
        let erase = try ChildProcess("tansiq", [
            "journal", "erase", journal, "--case-reference", "AGA-2026-0042", "--agency", "iom-morocco", "--master-key-file", keyFile,
        ])
        #expect(erase.waitForExit() == 0, "\(erase.standardError)")
        #expect(erase.output.last?.contains("1 referrals erased") == true, "\(erase.output)")
        let erasedID = try #require(exported.referrals.first)

        // The hub goes on journaling; the erased referral is gone from every command, the rest stays.
        try refer("AGA-2026-0100")
        let list = try ChildProcess("tansiq", ["journal", "list", journal, "--prefix", "referral/", "--json", "--master-key-file", keyFile])
        #expect(list.waitForExit() == 0, "\(list.standardError)")
        #expect(list.output.count == 2)
        #expect(list.output.allSatisfy { !$0.contains("AGA-2026-0042") && !$0.contains(erasedID) })
        #expect(list.output.contains { $0.contains("AGA-2026-0099") } && list.output.contains { $0.contains("AGA-2026-0100") })
        #expect(list.standardError.contains("1 messages of erased referrals skipped"))
        let byReferral = try ChildProcess("tansiq", ["journal", "referral", journal, erasedID, "--master-key-file", keyFile])
        #expect(byReferral.waitForExit() == 1)
        #expect(byReferral.standardError.contains("was erased"))
        let again = try ChildProcess("tansiq", [
            "journal", "export", journal, "--case-reference", "AGA-2026-0042", "--agency", "iom-morocco", "--master-key-file", keyFile,
        ])
        #expect(again.waitForExit() == 1)
        #expect(hub.terminate() == 0)

        // Offline, by referral id, without the key.
        let others = list.output.compactMap { line -> String? in
            guard let range = line.range(of: #""correlationid":""#) else { return nil }
            return String(line[range.upperBound...].prefix(36))
        }
        let offline = try ChildProcess("tansiq", ["journal", "erase", journal, "--referral", try #require(others.first)])
        #expect(offline.waitForExit() == 0, "\(offline.standardError)")
        let remaining = try ChildProcess("tansiq", ["journal", "list", journal, "--prefix", "referral/", "--json", "--master-key-file", keyFile])
        #expect(remaining.waitForExit() == 0)
        #expect(remaining.output.count == 1)
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence text: String) -> Bool {
        let needle = Array(text.utf8)
        guard !needle.isEmpty, count >= needle.count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
