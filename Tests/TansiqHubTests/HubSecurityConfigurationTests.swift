import Foundation
import TansiqHub
import Testing
import ZeroMQ

@Suite("Secure hub configuration")
struct HubSecurityConfigurationTests {
    private func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-conf-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aFileWithKeysMakesASecureHubWithPathsRelativeToTheFile() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let pair = try CurveKeyPair.generate()
        try CurveCertificate(keyPair: pair, metadata: ["agency": "hub-agadir"]).write(to: "\(root)/hub.secret")
        let configuration = try HubConfiguration.parse(yaml: """
            secret_key: hub.secret
            agency_keys: agencies
            policy: pilot.policy.yaml
            rate_limit: 50
            rate_burst: 100
            max_frames: 4
            """, file: "\(root)/hub.yaml")

        #expect(configuration.security == .curve(HubSecurity.Curve(
            hubKeys: pair, agencies: .directory("\(root)/agencies"), policy: .file("\(root)/pilot.policy.yaml"))))
        #expect(configuration.rateLimit == HubConfiguration.RateLimit(messagesPerSecond: 50, burst: 100))
        #expect(configuration.maxFrames == 4)
    }

    @Test func halfASecureConfigurationIsAnError() {
        for (yaml, expected) in [
            ("agency_keys: agencies", "need the hub's secret key"),
            ("policy: p.yaml", "need the hub's secret key"),
            ("secret_key: /nonexistent/hub.secret", "a secure hub needs the directory"),
            ("secret_key: /nonexistent/hub.secret\nagency_keys: a", "cannot read"),
        ] {
            let error = #expect(throws: HubError.self) { try HubConfiguration.parse(yaml: yaml, file: "hub.yaml") }
            #expect(error?.message.contains(expected) == true, "\(yaml): \(error?.message ?? "-")")
        }
    }

    @Test func theKeyDirectoryLeavesOutWhatItCannotTrust() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let iom = try CurveKeyPair.generate()
        try CurveCertificate(publicKey: iom.publicKey, metadata: ["agency": "iom-agadir"]).write(to: "\(root)/iom-agadir.key")
        try CurveCertificate(publicKey: try CurveKeyPair.generate().publicKey, metadata: ["agency": "commune-agadir"]).write(to: "\(root)/impostor.key")
        try CurveCertificate(keyPair: try CurveKeyPair.generate(), metadata: ["agency": "leaky"]).write(to: "\(root)/leaky.key")
        try CurveCertificate(publicKey: iom.publicKey, metadata: ["agency": "copycat"]).write(to: "\(root)/copycat.key")
        try "not a certificate".write(toFile: "\(root)/broken.key", atomically: true, encoding: .utf8)

        let health = try CurveKeyPair.generate()
        try CurveCertificate(publicKey: health.publicKey, metadata: ["agency": "health-delegation-agadir"]).write(to: "\(root)/health-delegation-agadir.key")
        let (keyring, problems) = AgencyKeyring.load(directory: root)
        #expect(keyring.entries.map(\.agency) == ["health-delegation-agadir"])
        #expect(keyring.agency(forPublicKey: iom.publicKey) == nil)
        #expect(problems.count == 5)
        #expect(problems.contains { $0.contains("impostor.key") && $0.contains("names agency 'commune-agadir'") })
        #expect(problems.contains { $0.contains("leaky.key") && $0.contains("secret key") })
        #expect(problems.contains { $0.contains("copycat.key") && $0.contains("same public key") })
        #expect(problems.contains { $0.contains("broken.key") })
    }

    @Test func aHubRefusesToStartWithAnUntrustworthyKeyDirectory() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "garbage".write(toFile: "\(root)/x.key", atomically: true, encoding: .utf8)
        let configuration = HubConfiguration(security: .curve(HubSecurity.Curve(hubKeys: try CurveKeyPair.generate(), agencies: .directory(root))))
        let error = #expect(throws: HubError.self) { _ = try Hub(configuration: configuration, logger: .init(label: "test")) }
        #expect(error?.code == .invalidConfiguration)
    }
}
