import Foundation
import TansiqHub
import TansiqMessages
import TansiqVault
import Testing

@Suite("Hub configuration file")
struct HubConfigurationTests {
    @Test func readsEveryKeyOverTheDefaults() throws {
        let configuration = try HubConfiguration.parse(yaml: """
            hub_id: agadir
            ingress: tcp://127.0.0.1:6000
            egress: tcp://127.0.0.1:6001
            max_message_bytes: 1024
            statistics_interval_seconds: 2
            high_water_mark: 500
            body_validation: header-only
            """, file: "hub.yaml")
        #expect(configuration == HubConfiguration(
            hubID: "agadir", ingress: "tcp://127.0.0.1:6000", egress: "tcp://127.0.0.1:6001",
            maxMessageBytes: 1024, statisticsInterval: .seconds(2), highWaterMark: 500, bodyValidation: .headerOnly))
    }

    @Test func aRelativeMasterKeyFileIsReadFromBesideTheConfigurationFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-hub-yaml-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("journal"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = MasterKey.generate()
        try key.write(to: directory.appendingPathComponent("journal/master.key").path)
        let file = directory.appendingPathComponent("hub.yaml").path
        let configuration = try HubConfiguration.parse(yaml: "journal:\n  path: /tmp/j.sqlite\n  master_key_file: journal/master.key\n", file: file)
        #expect(configuration.journal?.masterKey == key)
        // Named as the file names it, and where it was looked for.
        let missing = #expect(throws: HubError.self) {
            try HubConfiguration.parse(yaml: "journal:\n  master_key_file: other.key\n", file: file)
        }
        #expect(missing?.message.contains(directory.appendingPathComponent("other.key").path) == true)
    }

    @Test func refusesAnUnknownKeyNamingTheFile() throws {
        let error = #expect(throws: HubError.self) { try HubConfiguration.parse(yaml: "ingres: tcp://x", file: "hub.yaml") }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.hasPrefix("hub.yaml:1: unknown key 'ingres'") == true)
    }

    @Test func refusesAWrongType() throws {
        let error = #expect(throws: HubError.self) { try HubConfiguration.parse(yaml: "max_message_bytes: lots", file: "hub.yaml") }
        #expect(error?.message == "hub.yaml:1: max_message_bytes: expected an integer")
    }
}

@Suite("Hub configuration, every mistake")
struct HubConfigurationProblemsTests {
    @Test func everyMistakeIsReportedWithItsLineAndKey() throws {
        let yaml = """
            hub_id: main
            ingres: tcp://127.0.0.1:5560
            max_message_bytes: lots
            journal: {durability: sometimes}
            """
        let error = #expect(throws: HubError.self) { try HubConfiguration.parse(yaml: yaml, file: "hub.yaml") }
        let lines = error?.message.split(separator: "\n").map(String.init) ?? []
        #expect(lines.count == 3, "\(lines)")
        #expect(lines.first?.hasPrefix("hub.yaml:2: unknown key 'ingres'") == true)
        #expect(lines.dropFirst().first == "hub.yaml:3: max_message_bytes: expected an integer")
        #expect(lines.last == "hub.yaml:4: journal.durability: expected one of full, normal")
    }

    @Test func readsThePrivacyRulesOfADeployment() throws {
        let configuration = try HubConfiguration.parse(yaml: """
            privacy:
              notes: refused
              case_reference_pattern: "AGA-[0-9]{4}-[0-9]{4}"
              vocabulary:
                reason_codes: [dental-care]
                worker_roles: [animatrice]
            journal:
              path: j.sqlite
              housekeeping_max_age_seconds: 3600
              closed_referral_max_age_seconds: 0
            """, file: "hub.yaml")
        #expect(configuration.privacy.notes == .refused)
        #expect(configuration.privacy.caseReferences.accepts("AGA-2026-0042"))
        #expect(!configuration.privacy.caseReferences.accepts("AGA-26-42"))
        #expect(configuration.privacy.vocabulary.contains("dental-care", in: .reasonCodes))
        #expect(configuration.privacy.vocabulary.contains("medical-consultation", in: .reasonCodes))
        #expect(configuration.privacy.vocabulary.contains("animatrice", in: .workerRoles))
        #expect(configuration.journal?.retention.housekeepingMaxAge == .seconds(3600))
        #expect(configuration.journal?.retention.closedReferralMaxAge == nil)
        #expect(HubConfiguration().journal == nil)
        #expect(JournalConfiguration().retention.closedReferralMaxAge == JournalRetention.defaultClosedReferralMaxAge)
    }

    @Test func namesTheMistakesOfThePrivacySection() throws {
        let list = #expect(throws: HubError.self) { try HubConfiguration.parse(yaml: "privacy: { vocabulary: { reasons: [x] } }", file: "hub.yaml") }
        #expect(list?.message.contains("unknown list 'reasons'; known lists: reason_codes, needs_flags") == true)
        let code = #expect(throws: HubError.self) { try HubConfiguration.parse(yaml: "privacy: { vocabulary: { reason_codes: [Not A Code] } }", file: "hub.yaml") }
        #expect(code?.message.contains("privacy.vocabulary.reason_codes[0]") == true)
        let notes = #expect(throws: HubError.self) { try HubConfiguration.parse(yaml: "privacy: { notes: maybe }", file: "hub.yaml") }
        #expect(notes?.message == "hub.yaml:1: privacy.notes: expected one of screened, refused")
    }
}
