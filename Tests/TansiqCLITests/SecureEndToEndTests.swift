import Foundation
import Testing

/// Keys made with `tansiq keys`, a secure `tansiq-hub`, and the CLI's clients with their key files.
@Suite("Secure hub, real processes", .serialized)
struct SecureEndToEndTests {
    private static func keys(_ names: [String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-e2e-keys-\(UUID().uuidString)")
        for name in names {
            let generate = try ChildProcess("tansiq", ["keys", "generate", name, "--directory", directory.path])
            #expect(generate.waitForExit() == 0, "\(generate.standardError)")
        }
        return directory
    }

    @Test func keysAreWrittenAsPublicAndPrivateCertificates() throws {
        let directory = try Self.keys(["iom-morocco"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let secret = directory.appendingPathComponent("iom-morocco.secret").path
        let attributes = try FileManager.default.attributesOfItem(atPath: secret)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let publicText = try String(contentsOfFile: directory.appendingPathComponent("iom-morocco.key").path, encoding: .utf8)
        #expect(publicText.contains(#"agency = "iom-morocco""#))
        #expect(!publicText.contains("secret-key"))

        let again = try ChildProcess("tansiq", ["keys", "generate", "iom-morocco", "--directory", directory.path])
        #expect(again.waitForExit() != 0)
        #expect(again.standardError.contains("--force"))
        let list = try ChildProcess("tansiq", ["keys", "list", directory.path])
        #expect(list.waitForExit() == 0)
        #expect(list.output.contains { $0.hasPrefix("iom-morocco\t") && $0.contains("\tpublic\t") })
        #expect(list.output.contains { $0.hasPrefix("iom-morocco\t") && $0.contains("\tSECRET\t") })
    }

    @Test func aHubWithoutKeysOrInsecureRefusesToStart() throws {
        let hub = try ChildProcess("tansiq-hub", ["--ingress", "tcp://127.0.0.1:*", "--egress", "tcp://127.0.0.1:*"])
        #expect(hub.waitForExit() == 64)
        #expect(hub.standardError.contains("--insecure"))
    }

    @Test func clientsWithKeysUseASecureHubAndARevokedOneIsRefusedAfterSIGHUP() async throws {
        let directory = try Self.keys(["hub-test", "iom-morocco", "health-delegation-agadir"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let agencies = directory.appendingPathComponent("agencies")
        try FileManager.default.createDirectory(at: agencies, withIntermediateDirectories: true)
        for agency in ["iom-morocco", "health-delegation-agadir"] {
            try FileManager.default.copyItem(at: directory.appendingPathComponent("\(agency).key"), to: agencies.appendingPathComponent("\(agency).key"))
        }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let (hub, endpoints) = try await EndToEndTests.startHub(["--statistics-interval", "0.2"], secure: [
            "--secret-key", path("hub-test.secret"), "--agency-keys", agencies.path,
        ])
        let health = ["--secret-key", path("health-delegation-agadir.secret"), "--hub-key", path("hub-test.key")]
        let iom = ["--secret-key", path("iom-morocco.secret"), "--hub-key", path("hub-test.key")]

        let sub = try ChildProcess("tansiq", ["sub", "referral/to/health-delegation-agadir/", "--egress", endpoints.egress, "--json", "--count", "1", "--timeout", "30"] + health)
        var delivered = false
        for _ in 0..<20 where !delivered {
            let pub = try ChildProcess("tansiq", [
                "pub", "referral", "--from", "iom-morocco", "--to", "health-delegation-agadir",
                "--category", "health", "--case", "AGA-2026-0042", "--publish", endpoints.publish!,
            ] + iom)
            #expect(pub.waitForExit() == 0, "\(pub.standardError)")
            delivered = await sub.waitForLine(timeout: 0.5) { $0.contains(#""topic":"referral/to/health-delegation-agadir/health""#) } != nil
        }
        #expect(delivered)
        #expect(sub.waitForExit() == 0)
        let stats = try ChildProcess("tansiq", ["stats", "--egress", endpoints.egress, "--json"] + iom)
        #expect(stats.waitForExit() == 0)
        #expect(stats.output.first?.contains(#""secure":true"#) == true)

        // Revoke IOM: remove its key and send SIGHUP; its next connection is refused.
        try FileManager.default.removeItem(at: agencies.appendingPathComponent("iom-morocco.key"))
        hub.send(signal: SIGHUP)
        var refused = false
        for _ in 0..<10 where !refused {
            let pub = try ChildProcess("tansiq", [
                "pub", "referral", "--from", "iom-morocco", "--to", "health-delegation-agadir",
                "--category", "health", "--case", "AGA-2026-0043", "--publish", endpoints.publish!, "--connect-timeout", "1",
            ] + iom)
            refused = pub.waitForExit() != 0
        }
        #expect(refused)
        #expect(hub.standardError.contains("SIGHUP: keys and policy reloaded"))
        #expect(hub.terminate() == 0)
    }

    @Test func aPyzmqClientTalksCurveWithTheSameKeyFiles() async throws {
        let directory = try Self.keys(["hub-test", "py-referrer"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let agencies = directory.appendingPathComponent("agencies")
        try FileManager.default.createDirectory(at: agencies, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: directory.appendingPathComponent("py-referrer.key"), to: agencies.appendingPathComponent("py-referrer.key"))
        // The script reads back the hub's view of the referral it sends (only its receiver may read
        // the referral itself).
        let policy = directory.appendingPathComponent("policy.yaml")
        try "agencies:\n  py-referrer:\n    subscribe: { allow: [\"hub/view/health/py-referrer\"] }\n".write(to: policy, atomically: true, encoding: .utf8)
        let (hub, endpoints) = try await EndToEndTests.startHub(secure: [
            "--secret-key", directory.appendingPathComponent("hub-test.secret").path, "--agency-keys", agencies.path, "--policy", policy.path,
        ])
        let script = ChildProcess.packageRoot.appendingPathComponent("Tests/Interop/pyzmq_client.py").path
        let python = try ChildProcess("/usr/bin/env", [
            "python3", script, endpoints.ingress, endpoints.egress, "--publish", try #require(endpoints.publish),
            directory.appendingPathComponent("py-referrer.secret").path, directory.appendingPathComponent("hub-test.key").path,
        ])
        #expect(python.waitForExit() == 0, "pyzmq client: \(python.output.joined(separator: "\n")) \(python.standardError)")
        #expect(python.output.last == "ok")
        #expect(hub.terminate() == 0)
    }
}
