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

    @Test func anAgentWithAWrongHubKeySaysSoOnceNotOnEveryRetry() async throws {
        let secure = try await SecureHub.start()
        defer { secure.stop() }
        let agent = try ChildProcess("iom-agent", [
            "--agency", "iom-morocco", "--ingress", secure.endpoints.ingress, "--egress", secure.endpoints.egress, "--no-confirm", "--no-replay",
            "--log-level", "warning",
        ] + secure.keys("iom-morocco", hubKey: "health-delegation-agadir.key"))
        #expect(await agent.waitForError(containing: "--hub-key is not this hub's public key", timeout: 20), "\(agent.standardError)")
        _ = agent.terminate()
        // Throttled: not one line per reconnection attempt (libzmq retries every 100 ms or so).
        let lines = agent.standardError.split(separator: "\n").filter { $0.contains("cannot talk to the hub") }
        #expect((1...3).contains(lines.count), "\(agent.standardError)")
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

    @Test func aMessageSignedWithAnotherAgencysKeyIsRefusedWithTheReason() async throws {
        let secure = try await SecureHub.start()
        defer { secure.stop() }
        // IOM's key, speaking for the health delegation.
        let pub = try ChildProcess("tansiq", [
            "pub", "referral", "--from", "health-delegation-agadir", "--to", "iom-morocco", "--category", "health", "--case", "AGA-2026-0042",
            "--publish", try #require(secure.endpoints.publish),
        ] + secure.keys("iom-morocco"))
        #expect(pub.waitForExit() == 65, "\(pub.standardError)")
        #expect(pub.standardError.hasPrefix("refused: "), "\(pub.standardError)")
        #expect(pub.output.isEmpty, "no id is printed for a refused message")
    }

    @Test(arguments: ["pub", "journal", "keys", "topology", "sim", "state", "referrals", "context"])
    func aGroupWithoutASubcommandIsWrongUsage(command: String) throws {
        let process = try ChildProcess("tansiq", [command])
        #expect(process.waitForExit() == 64)
        #expect(process.standardError.contains("`tansiq \(command)` needs a subcommand"), "\(process.standardError)")
    }

    @Test(arguments: ["tansiq", "tansiq-hub", "commune-agent", "iom-agent", "services-agent", "civil-society-agent"])
    func everyExecutableTellsItsVersion(executable: String) throws {
        let process = try ChildProcess(executable, ["--version"])
        #expect(process.waitForExit() == 0, "\(process.standardError)")
        #expect(process.output.first?.split(separator: ".").count == 3)
    }

    @Test func helpTextsHaveNoStrayBackslashes() throws {
        for arguments in [
            ["keys"], ["journal"], ["hub"], ["pub", "referral"], ["pub", "status"], ["keys", "init"], ["journal", "keygen"], ["journal", "erase"],
            ["journal", "export"], ["referrals"], ["referrals", "fhir"], ["state", "forget"], ["context"], ["context", "add"], ["sub"], ["stats"],
        ] {
            let help = try ChildProcess("tansiq", arguments + ["--help"])
            #expect(help.waitForExit() == 0)
            #expect(!help.output.joined().contains("\\"), "tansiq \(arguments.joined(separator: " ")) --help: \(help.output)")
        }
        let agent = try ChildProcess("iom-agent", ["--help"])
        #expect(agent.waitForExit() == 0)
        #expect(!agent.output.joined().contains("\\"))
    }

    @Test func keysInitMakesTheDocumentedLayoutAndTheHubNeverAdmitsItsOwnKey() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-layout-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let initialise = try ChildProcess("tansiq", ["keys", "init", directory.path, "--agency", "iom-morocco", "--agency", "commune-agadir"])
        #expect(initialise.waitForExit() == 0, "\(initialise.standardError)")
        let files = try FileManager.default.subpathsOfDirectory(atPath: directory.path).sorted()
        #expect(files == [
            "agencies", "agencies/commune-agadir.key", "agencies/iom-morocco.key", "commune-agadir.secret", "hub.key", "hub.secret",
            "iom-morocco.secret",
        ])
        // Again with one more agency: the hub's pair is kept.
        let hubKey = try String(contentsOf: directory.appendingPathComponent("hub.key"), encoding: .utf8)
        let again = try ChildProcess("tansiq", ["keys", "init", directory.path, "--agency", "health-delegation-agadir"])
        #expect(again.waitForExit() == 0)
        #expect(try String(contentsOf: directory.appendingPathComponent("hub.key"), encoding: .utf8) == hubKey)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("agencies/health-delegation-agadir.key").path))

        // The documented command starts; pointed at the whole keys/ directory (which holds
        // hub.key), the hub refuses to start and says why.
        let (hub, _) = try await EndToEndTests.startHub([], secure: [
            "--secret-key", directory.appendingPathComponent("hub.secret").path, "--agency-keys", directory.appendingPathComponent("agencies").path,
        ])
        _ = hub.terminate()
        let mixed = try ChildProcess("tansiq-hub", [
            "--secret-key", directory.appendingPathComponent("hub.secret").path, "--agency-keys", directory.path, "--no-journal",
            "--ingress", "tcp://127.0.0.1:*", "--egress", "tcp://127.0.0.1:*",
        ])
        #expect(mixed.waitForExit() != 0)
        #expect(mixed.standardError.contains("is the hub's own public key, not an agency's"), "\(mixed.standardError)")
    }

    @Test func topologyValidateOnTheDocumentedGlobChecksThePolicyToo() throws {
        let directory = ChildProcess.packageRoot.appendingPathComponent("Topologies")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.contains("agadir-pilot.policy.yaml"))
        let validate = try ChildProcess("tansiq", ["topology", "validate"] + files.map { directory.appendingPathComponent($0).path })
        #expect(validate.waitForExit() == 0, "\(validate.standardError)")
        #expect(validate.output.contains { $0.contains("agadir-pilot.policy.yaml: ok — access policy") })

        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).policy.yaml")
        defer { try? FileManager.default.removeItem(at: broken) }
        try "defaults:\n  publish:\n    allowed: [\"x/\"]\n".write(to: broken, atomically: true, encoding: .utf8)
        let refused = try ChildProcess("tansiq", ["topology", "validate", broken.path])
        #expect(refused.waitForExit() == 1)
        #expect(refused.standardError.contains(broken.path))
        #expect(refused.standardError.contains("allowed"))
    }

    @Test func anInvalidHubIDIsRefusedAtStart() throws {
        let flag = try ChildProcess("tansiq-hub", ["--insecure", "--no-journal", "--hub-id", "Main Hub"])
        #expect(flag.waitForExit() == 64)
        #expect(flag.standardError.contains("--hub-id 'Main Hub' is not an identifier"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hub-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try "hub_id: Main_Hub\n".write(to: file, atomically: true, encoding: .utf8)
        let configured = try ChildProcess("tansiq-hub", ["--insecure", "--no-journal", "--config", file.path])
        #expect(configured.waitForExit() == 64)
        #expect(configured.standardError.contains("hub_id: 'Main_Hub' is not an identifier"), "\(configured.standardError)")
    }

    @Test func jsonLogsCarryMillisecondTimestamps() async throws {
        let (hub, _) = try await EndToEndTests.startHub(["--no-journal", "--log-format", "json"])
        #expect(hub.terminate() == 0)
        let lines = hub.standardError.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String], "not JSON: \(line)")
            let time = try #require(object["time"])
            #expect(time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(time)")
            #expect(object["level"] != nil && object["message"] != nil)
        }
        #expect(lines.contains { $0.contains("hub runs WITHOUT a journal") })
    }

    @Test func checkConfigPrintsEveryProblemWithFileLineAndKey() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hub-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try "hub_id: main\ningres: tcp://127.0.0.1:5560\nmax_message_bytes: lots\njournal: {durability: sometimes}\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let check = try ChildProcess("tansiq", ["hub", "--check-config", "--config", file.path, "--insecure"])
        #expect(check.waitForExit() == 1)
        let problems = check.standardError.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        #expect(problems.count == 3, "\(check.standardError)")
        #expect(problems.first?.hasPrefix("error: \(file.path):2: unknown key 'ingres'") == true)

        try "hub_id: main\njournal: off\nhttp: 127.0.0.1:8222\n".write(to: file, atomically: true, encoding: .utf8)
        let good = try ChildProcess("tansiq", ["hub", "--check-config", "--config", file.path, "--insecure", "--log-level", "error"])
        #expect(good.waitForExit() == 0, "\(good.standardError)")
        #expect(good.output.first?.hasPrefix("\(file.path): ok — hub main, INSECURE, no journal, HTTP 127.0.0.1:8222") == true)
    }

    @Test func theHubAndTheKeysComeFromTheEnvironment() async throws {
        let secure = try await SecureHub.start()
        defer { secure.stop() }
        let stats = try ChildProcess("tansiq", ["stats", "--egress", secure.endpoints.egress, "--json", "--timeout", "20"], environment: [
            "TANSIQ_SECRET_KEY": secure.path("iom-morocco.secret"), "TANSIQ_HUB_KEY": secure.path("hub-test.key"),
        ])
        #expect(stats.waitForExit() == 0, "\(stats.standardError)")
        #expect(stats.output.first?.contains(#""secure":true"#) == true)
        // TANSIQ_HUB names the host; nothing listens on 127.0.0.2:5561, and stats says where it looked.
        let nowhere = try ChildProcess("tansiq", ["stats", "--timeout", "4"], environment: ["TANSIQ_HUB": "127.0.0.2"])
        #expect(nowhere.waitForExit() == 69)
        #expect(nowhere.standardError.contains("cannot reach the hub at tcp://127.0.0.2:5561"), "\(nowhere.standardError)")
    }

    @Test func anAgentsConfigurationIsCheckedWithoutStarting() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("iom-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try "agency: iom-morocco\nroute: [health=health-delegation-agadir]\n".write(to: file, atomically: true, encoding: .utf8)
        let good = try ChildProcess("iom-agent", ["--config", file.path, "--check-config"])
        #expect(good.waitForExit() == 0, "\(good.standardError)")
        #expect(good.output.first?.hasPrefix("ok — agent iom-morocco-1 of iom-morocco (iom)") == true)
        try "agency: IOM\n".write(to: file, atomically: true, encoding: .utf8)
        let bad = try ChildProcess("iom-agent", ["--config", file.path, "--check-config"])
        #expect(bad.waitForExit() == 64)
        #expect(bad.standardError.contains("--agency 'IOM' is not an identifier"))
    }
}
