import TansiqHub
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
}
