import TansiqHub
import Testing

@Suite("Hub configuration file: journal, replay, presence")
struct HubJournalConfigurationTests {
    @Test func readsTheJournalMappingReplayAndPresenceKeys() throws {
        let configuration = try HubConfiguration.parse(yaml: """
            replay: tcp://127.0.0.1:7000
            presence_missed_heartbeats: 5
            presence_timeout_seconds: 2.5
            journal:
              path: /var/lib/tansiq/journal.sqlite
              durability: normal
              max_age_seconds: 86400
              max_bytes: 1000000
              max_messages: 5000
              retention_check_seconds: 30
            """, file: "hub.yaml")
        #expect(configuration.replay == "tcp://127.0.0.1:7000")
        #expect(configuration.presenceMissedHeartbeats == 5)
        #expect(configuration.presenceTimeout == .milliseconds(2500))
        #expect(configuration.journal == JournalConfiguration(
            path: "/var/lib/tansiq/journal.sqlite", durability: .normal,
            retention: JournalRetention(maxAge: .seconds(86_400), maxBytes: 1_000_000, maxMessages: 5000),
            retentionCheckInterval: .seconds(30)))
    }

    @Test func journalOffTurnsOffTheJournalTheBaseHad() throws {
        let base = HubConfiguration(journal: JournalConfiguration())
        #expect(try HubConfiguration.parse(yaml: "journal: off", file: "hub.yaml", over: base).journal == nil)
        #expect(try HubConfiguration.parse(yaml: "hub_id: x", file: "hub.yaml", over: base).journal == JournalConfiguration())
        #expect(HubConfiguration().journal == nil, "the library journals only when told to")
    }

    @Test func refusesAnUnknownDurabilityAndAnUnknownJournalKey() throws {
        let durability = #expect(throws: HubError.self) {
            try HubConfiguration.parse(yaml: "journal: {durability: sometimes}", file: "hub.yaml")
        }
        #expect(durability?.message == "hub.yaml:1: journal.durability: expected one of full, normal")
        let key = #expect(throws: HubError.self) { try HubConfiguration.parse(yaml: "journal: {pth: x}", file: "hub.yaml") }
        #expect(key?.message.hasPrefix("hub.yaml:1: journal: unknown key 'pth'") == true)
    }
}
