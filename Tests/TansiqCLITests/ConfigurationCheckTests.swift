import Foundation
import Testing

/// Configuration checked before it runs: every mistake of a hub file, a policy and an agent
/// file, each with its file, line and key; identifiers refused at start (exit 64).
@Suite("Configuration checks, real processes", .serialized)
struct ConfigurationCheckTests {
    static func file(_ name: String, _ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString)-\(name)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static func errors(_ process: ChildProcess) -> [String] {
        process.standardError.split(separator: "\n").map(String.init).filter { $0.hasPrefix("error: ") }
    }

    @Test func theHubsNestedKeysAreReportedEachWithItsLine() throws {
        let file = try Self.file("hub.yaml", "hub_id: main\njournal:\n  durability: sometimes\n  max_bytes: -1\nprivacy:\n  notes: maybe\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let check = try ChildProcess("tansiq", ["hub", "--check-config", "--config", file.path, "--insecure"])
        #expect(check.waitForExit() == 1)
        #expect(Self.errors(check) == [
            "error: \(file.path):3: journal.durability: expected one of full, normal",
            "error: \(file.path):4: journal.max_bytes: expected a positive integer",
            "error: \(file.path):6: privacy.notes: expected one of screened, refused",
        ], "\(check.standardError)")
    }

    @Test func everyMistakeOfAPolicyIsReportedWithItsLineByTheHubAndByTopologyValidate() throws {
        let policy = try Self.file(
            "p.policy.yaml", "defaults:\n  publish:\n    allowed: [\"x/\"]\n  subscribe: {allow: [\"Referral/\"]}\nagencies:\n  iom: {roles: [ghost]}\n  IOM Morocco: {}\nrules: {}\n")
        defer { try? FileManager.default.removeItem(at: policy) }
        let expected = [
            "\(policy.path):3: defaults.publish: unknown key 'allowed'; expected allow, deny",
            "\(policy.path):4: defaults.subscribe.allow: 'Referral/' has a segment that is not an identifier, '*' or '%a'",
            "\(policy.path):6: agencies.iom.roles: unknown role 'ghost'; the file defines no roles",
            "\(policy.path):7: agencies.IOM Morocco: 'IOM Morocco' is not an agency id (a–z, 0–9 and '-', 1–63 characters)",
            "\(policy.path):8: unknown key 'rules'; expected defaults, roles, agencies",
        ]
        let validate = try ChildProcess("tansiq", ["topology", "validate", policy.path])
        #expect(validate.waitForExit() == 1)
        #expect(validate.standardError.split(separator: "\n").map(String.init) == expected, "\(validate.standardError)")

        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: keys) }
        #expect(try ChildProcess("tansiq", ["keys", "init", keys.path, "--agency", "iom-morocco"]).waitForExit() == 0)
        let hub = try ChildProcess("tansiq", [
            "hub", "--check-config", "--no-journal", "--secret-key", keys.appendingPathComponent("hub.secret").path,
            "--agency-keys", keys.appendingPathComponent("agencies").path, "--policy", policy.path, "--log-level", "error",
        ])
        #expect(hub.waitForExit() == 1)
        #expect(Self.errors(hub) == expected.map { "error: \($0)" }, "\(hub.standardError)")
    }

    @Test func anAgentFileIsCheckedKeyByKeyWithLinesAndTheOptionsOwnErrors() throws {
        let file = try Self.file("iom.yaml", "agency: IOM\ningres: tcp://127.0.0.1:5560\nroute: [health=health-delegation-agadir]\nseed: {a: 1}\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let check = try ChildProcess("iom-agent", ["--config", file.path, "--check-config"])
        #expect(check.waitForExit() == 64)
        #expect(Self.errors(check) == [
            "error: \(file.path):2: unknown key 'ingres'; did you mean 'ingress'? (the keys are the long options of --help)",
            "error: \(file.path):4: seed: expected a scalar or a list",
            "error: \(file.path):1: key 'agency': --agency 'IOM' is not an identifier: use a–z, 0–9 and '-', 1–63 characters, starting with a letter or digit",
        ], "\(check.standardError)")

        try "agency: iom-morocco\ncoordinator: Commune\n".write(to: file, atomically: true, encoding: .utf8)
        let only = try ChildProcess("iom-agent", ["--config", file.path, "--check-config"])
        #expect(only.waitForExit() == 64)
        #expect(Self.errors(only).first?.hasPrefix("error: \(file.path):2: key 'coordinator': --coordinator 'Commune' is not an identifier") == true, "\(only.standardError)")
        // A flag on the command line is not the file's.
        let flag = try ChildProcess("iom-agent", ["--config", file.path, "--coordinator", "commune-agadir", "--agent", "Bad", "--check-config"])
        #expect(flag.waitForExit() == 64)
        #expect(flag.standardError.contains("--agent 'Bad' is not an identifier"))
        #expect(!flag.standardError.contains("key 'agent'"))
    }

    @Test(arguments: [
        (["pub", "referral", "--from", "IOM", "--category", "health", "--case", "AGA-1234"], "--from 'IOM' is not an identifier"),
        (["pub", "referral", "--from", "iom", "--to", "Health Delegation", "--category", "health", "--case", "AGA-1234"], "--to 'Health Delegation' is not an identifier"),
        (["pub", "status", "--referral", UUID().uuidString, "--by", "Health", "--to", "iom", "--category", "health", "--from-state", "requested", "--state", "received"], "--by 'Health' is not an identifier"),
        (["stats", "--hub-id", "Main"], "--hub-id 'Main' is not an identifier"),
        (["hub", "--insecure", "--no-journal", "--coordinator", "Commune"], "--coordinator must be an agency id"),
    ])
    func anIdentifierIsCheckedAtStart(arguments: [String], message: String) throws {
        let process = try ChildProcess("tansiq", arguments)
        #expect(process.waitForExit() == 64)
        #expect(process.standardError.contains(message), "\(process.standardError)")
    }
}
