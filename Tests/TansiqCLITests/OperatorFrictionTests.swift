import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The first hour of an operator: each mistake gets a message that says what to do, and an
/// exit status a script can act on.
@Suite("Operator friction, real processes", .serialized)
struct OperatorFrictionTests {
    /// A secure hub (with --http) and key files: `hub-test`, two admitted agencies and a stranger.
    struct SecureHub {
        let hub: ChildProcess
        let endpoints: EndToEndTests.Endpoints
        let directory: URL

        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func keys(_ agency: String, hubKey: String = "hub-test.key") -> [String] {
            ["--secret-key", path("\(agency).secret"), "--hub-key", path(hubKey)]
        }

        static func start() async throws -> SecureHub {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-friction-\(UUID().uuidString)")
            for name in ["hub-test", "iom-morocco", "health-delegation-agadir", "stranger"] {
                let generate = try ChildProcess("tansiq", ["keys", "generate", name, "--directory", directory.path])
                #expect(generate.waitForExit() == 0, "\(generate.standardError)")
            }
            let agencies = directory.appendingPathComponent("agencies")
            try FileManager.default.createDirectory(at: agencies, withIntermediateDirectories: true)
            for agency in ["iom-morocco", "health-delegation-agadir"] {
                try FileManager.default.copyItem(
                    at: directory.appendingPathComponent("\(agency).key"), to: agencies.appendingPathComponent("\(agency).key"))
            }
            let (hub, endpoints) = try await EndToEndTests.startHub(["--statistics-interval", "0.2", "--http", "127.0.0.1:0"], secure: [
                "--secret-key", directory.appendingPathComponent("hub-test.secret").path, "--agency-keys", agencies.path,
            ])
            return SecureHub(hub: hub, endpoints: endpoints, directory: directory)
        }

        func stop() {
            _ = hub.terminate()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test func aSecureHubIsReadyWithItsZAPHandlerAnswering() async throws {
        let secure = try await SecureHub.start()
        defer { secure.stop() }
        let http = try #require(secure.endpoints.http)
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://\(http)/readyz")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(String(decoding: data, as: UTF8.self))")
        #expect(String(decoding: data, as: UTF8.self).contains("the ZAP handler answers"))
    }

    @Test func subAndStatsWithoutKeysAreToldTheHubIsSecure() async throws {
        let secure = try await SecureHub.start()
        defer { secure.stop() }
        let sub = try ChildProcess("tansiq", ["sub", "hub/", "--egress", secure.endpoints.egress, "--timeout", "20"])
        #expect(sub.waitForExit() == 77)
        #expect(sub.standardError.contains("is secure (CURVE) and this client gave no keys"), "\(sub.standardError)")
        let stats = try ChildProcess("tansiq", ["stats", "--egress", secure.endpoints.egress, "--timeout", "20"])
        #expect(stats.waitForExit() == 77)
        #expect(stats.standardError.contains("gave no keys"), "\(stats.standardError)")
        #expect(!stats.standardError.contains("is a hub running"))
        // Which side reads the other's greeting first is a race: either way the hub says "plaintext client".
        #expect(await secure.hub.waitForError(containing: "plaintext client", timeout: 10), "\(secure.hub.standardError)")
    }

    @Test func anUnknownKeyIsNamedOnTheClientAndWithItsFingerprintInTheHubsLog() async throws {
        let secure = try await SecureHub.start()
        defer { secure.stop() }
        let sub = try ChildProcess("tansiq", ["sub", "hub/", "--egress", secure.endpoints.egress, "--timeout", "20"] + secure.keys("stranger"))
        #expect(sub.waitForExit() == 77)
        #expect(sub.standardError.contains("refused this agency's key (key fingerprint"), "\(sub.standardError)")
        #expect(sub.standardError.contains("--agency-keys"))
        let fingerprint = try #require(sub.standardError.split(separator: "fingerprint ").dropFirst().first?.prefix(while: { $0 != ")" }))
        #expect(await secure.hub.waitForError(containing: "connection refused: unknown key", timeout: 10))
        #expect(await secure.hub.waitForError(containing: String(fingerprint), timeout: 10), "the hub's log names the key \(fingerprint)")
    }

    @Test func aWrongHubKeyIsNamedOnTheClientAndInTheHubsLog() async throws {
        let secure = try await SecureHub.start()
        defer { secure.stop() }
        // IOM's own key pair, but another party's public key as the hub's.
        let stats = try ChildProcess(
            "tansiq", ["stats", "--egress", secure.endpoints.egress, "--timeout", "20"]
                + secure.keys("iom-morocco", hubKey: "health-delegation-agadir.key"))
        #expect(stats.waitForExit() == 77)
        #expect(stats.standardError.contains("--hub-key is not this hub's public key"), "\(stats.standardError)")
        #expect(await secure.hub.waitForError(containing: "wrong hub public key", timeout: 10), "\(secure.hub.standardError)")
    }

    @Test func subShowsRefusedSubscriptionsAndFailsWhenAllAreRefused() async throws {
        let secure = try await SecureHub.start()
        defer { secure.stop() }
        // IOM may not read the health delegation's referrals, nor hub/presence of others.
        let sub = try ChildProcess(
            "tansiq", ["sub", "referral/to/health-delegation-agadir/", "--egress", secure.endpoints.egress, "--timeout", "20"]
                + secure.keys("iom-morocco"))
        #expect(sub.waitForExit() == 77)
        #expect(sub.standardError.contains("refused: 'iom-morocco' may not subscribe to 'referral/to/health-delegation-agadir/'"), "\(sub.standardError)")
        #expect(sub.standardError.contains("the hub refused every subscription"))
        #expect(sub.output.isEmpty)
    }
}
