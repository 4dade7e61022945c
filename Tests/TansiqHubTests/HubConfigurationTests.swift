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
        #expect(error?.message.hasPrefix("hub.yaml: unknown key 'ingres'") == true)
    }

    @Test func refusesAWrongType() throws {
        let error = #expect(throws: HubError.self) { try HubConfiguration.parse(yaml: "max_message_bytes: lots", file: "hub.yaml") }
        #expect(error?.message == "hub.yaml: max_message_bytes: expected an integer")
    }
}
