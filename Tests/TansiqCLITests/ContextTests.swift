import Foundation
import Testing

/// `tansiq context` and `--hub`: one setting instead of endpoints and key flags on every
/// command, with flag > environment > context > default.
@Suite("Contexts and --hub, real processes", .serialized)
struct ContextTests {
    /// A configuration home of its own, so that the test's contexts are nobody else's.
    struct Home {
        let directory: URL
        var environment: [String: String] { ["XDG_CONFIG_HOME": directory.appendingPathComponent("config").path] }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-context-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }

        func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> ChildProcess {
            try run(executable: "tansiq", arguments, environment: extra)
        }

        func run(executable: String, _ arguments: [String], environment extra: [String: String] = [:]) throws -> ChildProcess {
            let process = try ChildProcess(executable, arguments, environment: environment.merging(extra) { $1 })
            _ = process.waitForExit()
            return process
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func aSelectedContextGivesEveryClientItsHubAndKeysAndFlagsAndTheEnvironmentWin() throws {
        let home = try Home()
        defer { home.remove() }
        #expect(try home.run(["keys", "init", home.path("keys"), "--agency", "iom-morocco"]).waitForExit() == 0)
        let add = try home.run([
            "context", "add", "agadir", "--hub", "127.0.0.2", "--secret-key", home.path("keys/iom-morocco.secret"),
            "--hub-key", home.path("keys/hub.key"), "--select",
        ])
        #expect(add.waitForExit() == 0, "\(add.standardError)")
        let stored = home.path("config/tansiq/contexts/agadir.json")
        #expect(try Self.mode(stored) == 0o600)
        #expect(try Self.mode(home.path("config/tansiq/contexts")) == 0o700)
        #expect(try Self.mode(home.path("config/tansiq")) == 0o700)
        #expect(try Self.mode(home.path("config/tansiq/context")) == 0o600)

        let list = try home.run(["context", "list"])
        #expect(list.output.first?.hasPrefix("* agadir\t127.0.0.2") == true, "\(list.output)")

        // Each setting says where it comes from.
        let show = try home.run(["context", "show"])
        #expect(show.output.contains("egress\ttcp://127.0.0.2:5561\t(context agadir (selected))"), "\(show.output)")
        #expect(show.output.contains { $0.hasPrefix("secret-key\t\(home.path("keys/iom-morocco.secret"))") })
        let flagged = try home.run(["context", "show", "--hub", "127.0.0.3"], environment: ["TANSIQ_HUB": "127.0.0.4"])
        #expect(flagged.output.contains("egress\ttcp://127.0.0.3:5561\t(--hub)"), "\(flagged.output)")
        let environment = try home.run(["context", "show"], environment: ["TANSIQ_HUB": "127.0.0.4", "TANSIQ_HUB_KEY": home.path("other.key")])
        #expect(environment.output.contains("egress\ttcp://127.0.0.4:5561\t($TANSIQ_HUB)"), "\(environment.output)")
        #expect(environment.output.contains("hub-key\t\(home.path("other.key"))\t($TANSIQ_HUB_KEY)"))

        // The clients use it: nothing listens on 127.0.0.2, and stats, sub and pub say where they looked.
        let stats = try home.run(["stats", "--timeout", "3"])
        #expect(stats.waitForExit() == 69)
        #expect(stats.standardError.contains("tcp://127.0.0.2:5561"), "\(stats.standardError)")
        let pub = try home.run(["pub", "referral", "--from", "iom-morocco", "--category", "health", "--case", "AGA-2026-0042", "--connect-timeout", "2"])
        #expect(pub.waitForExit() == 69)
        #expect(pub.standardError.contains("tcp://127.0.0.2:5563"), "\(pub.standardError)")
        let agent = try home.run(executable: "iom-agent", ["--agency", "iom-morocco", "--check-config"])
        #expect(agent.waitForExit() == 0, "\(agent.standardError)")
        #expect(agent.output.first?.contains("hub tcp://127.0.0.2:5560 / tcp://127.0.0.2:5561 (context agadir (selected)), CURVE keys loaded") == true, "\(agent.output)")

        // --hub NAME picks a context; with none selected the defaults are back.
        #expect(try home.run(["context", "select", "--none"]).waitForExit() == 0)
        let defaults = try home.run(["context", "show"])
        #expect(defaults.output.contains("egress\ttcp://127.0.0.1:5561\t(default)"), "\(defaults.output)")
        let named = try home.run(executable: "iom-agent", ["--agency", "iom-morocco", "--check-config", "--hub", "agadir"])
        #expect(named.output.first?.contains("(context agadir (--hub))") == true, "\(named.output)")
        let byVariable = try home.run(["context", "show"], environment: ["TANSIQ_CONTEXT": "agadir"])
        #expect(byVariable.output.contains("egress\ttcp://127.0.0.2:5561\t(context agadir ($TANSIQ_CONTEXT))"), "\(byVariable.output)")
    }

    @Test func aContextReachesARealSecureHub() async throws {
        let home = try Home()
        defer { home.remove() }
        let secure = try await OperatorFrictionTests.SecureHub.start()
        defer { secure.stop() }
        let add = try home.run([
            "context", "add", "test-hub", "--egress", secure.endpoints.egress, "--secret-key", secure.path("iom-morocco.secret"),
            "--hub-key", secure.path("hub-test.key"),
        ])
        #expect(add.waitForExit() == 0, "\(add.standardError)")
        let stats = try home.run(["stats", "--hub", "test-hub", "--json", "--timeout", "20"])
        #expect(stats.waitForExit() == 0, "\(stats.standardError)")
        #expect(stats.output.first?.contains(#""secure":true"#) == true)
    }

    @Test func aContextOrHubThatDoesNotExistIsWrongUsage() throws {
        let home = try Home()
        defer { home.remove() }
        let host = try home.run(["stats", "--hub", "not/a-host"])
        #expect(host.waitForExit() == 64)
        #expect(host.standardError.contains("--hub 'not/a-host' is neither a context"), "\(host.standardError)")
        let variable = try home.run(["sub"], environment: ["TANSIQ_CONTEXT": "ghost"])
        #expect(variable.waitForExit() == 64)
        #expect(variable.standardError.contains("$TANSIQ_CONTEXT names the context 'ghost', which does not exist"))
        let select = try home.run(["context", "select", "ghost"])
        #expect(select.waitForExit() == 64)
        let name = try home.run(["context", "add", "Bad Name", "--hub", "h"])
        #expect(name.waitForExit() == 64)
        let keys = try home.run(["context", "add", "half", "--hub", "h", "--secret-key", home.path("x.secret")])
        #expect(keys.waitForExit() == 64)
        #expect(keys.standardError.contains("give both --secret-key and --hub-key"))
        let missing = try home.run(["context", "add", "gone", "--hub", "h", "--secret-key", home.path("x.secret"), "--hub-key", home.path("hub.key")])
        #expect(missing.waitForExit() == 64, "\(missing.standardError)")
    }
}
