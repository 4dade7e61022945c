import Foundation
import Testing

/// `tansiq topology generate`: synthetic networks for scale runs.
@Suite("tansiq topology generate", .serialized)
struct TopologyGenerateCommandTests {
    @Test(.timeLimit(.minutes(3)))
    func aGeneratedNetworkValidatesAndTheSameSeedGivesTheSameFile() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("generate-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        let file = scratch.appendingPathComponent("topologies/generated-200.yaml").path
        let generate = try ChildProcess("tansiq", [
            "topology", "generate", "--agencies", "200", "--referrals", "10000", "--days", "30", "--seed", "1", "--output", file,
        ])
        #expect(generate.waitForExit() == 0, "\(generate.standardError)")
        // About the referrals asked for: the plan's own count, on standard error.
        let counts = try #require(generate.standardError.firstMatch(of: /plan: (\d+) cases, (\d+) referrals/))
        let referrals = try #require(Int(counts.2))
        #expect(abs(referrals - 10_000) < 600, "\(generate.standardError)")
        #expect(generate.standardError.contains("200 nodes, 200 agents"))

        let validate = try ChildProcess("tansiq", ["topology", "validate", file])
        #expect(validate.waitForExit() == 0, "\(validate.standardError)")
        #expect(validate.text.contains("ok — 200 nodes, 200 agents"))

        // The same options and seed: the same file, on standard output too; another seed: another.
        let again = try ChildProcess("tansiq", ["topology", "generate", "--agencies", "200", "--referrals", "10000", "--days", "30", "--seed", "1"])
        #expect(again.waitForExit() == 0)
        let written = try String(contentsOfFile: file, encoding: .utf8)
        #expect(again.text == written)
        let other = try ChildProcess("tansiq", ["topology", "generate", "--agencies", "200", "--referrals", "10000", "--days", "30", "--seed", "2"])
        #expect(other.waitForExit() == 0)
        #expect(other.text != written)
        #expect(other.text.contains("  seed: 2\n"))
    }

    @Test(arguments: [3, 7, 20, 41])
    func smallNetworksValidateToo(agencies: Int) throws {
        let generate = try ChildProcess("tansiq", ["topology", "generate", "--agencies", "\(agencies)", "--referrals", "300", "--days", "5"])
        #expect(generate.waitForExit() == 0, "\(generate.standardError)")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("generated-\(agencies)-\(UUID().uuidString.prefix(8)).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try generate.text.write(to: file, atomically: true, encoding: .utf8)
        let validate = try ChildProcess("tansiq", ["topology", "validate", file.path])
        #expect(validate.waitForExit() == 0, "\(validate.standardError)")
        #expect(validate.text.contains("ok — \(agencies) nodes, \(agencies) agents"))
    }

    @Test
    func badOptionsAreNamedAndExit64() throws {
        for (arguments, message) in [
            (["--agencies", "2", "--referrals", "10"], "--agencies must be between 3"),
            (["--agencies", "50", "--referrals", "0"], "--referrals must be between 1"),
            (["--agencies", "50", "--referrals", "10", "--days", "0"], "--days must be between 1"),
            (["--agencies", "50", "--referrals", "10", "--name", "Bad Name"], "--name must be an identifier"),
        ] {
            let process = try ChildProcess("tansiq", ["topology", "generate"] + arguments)
            #expect(process.waitForExit() == 64, "\(arguments)")
            #expect(process.standardError.contains(message), "\(process.standardError)")
        }
    }
}

extension ChildProcess {
    /// Everything the process printed on standard output, line by line as it was written.
    fileprivate var text: String { output.map { $0 + "\n" }.joined() }
}
