import Foundation
import Testing

/// `tansiq topology from-journal` on the journal a real `tansiq sim run` kept.
@Suite("tansiq topology from-journal", .serialized)
struct TopologyFromJournalCommandTests {
    @Test(.timeLimit(.minutes(3)))
    func aRunsJournalGivesAValidTopologyAndPoorInputIsNamed() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("from-journal-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        let missing = try ChildProcess("tansiq", ["topology", "from-journal", scratch.appendingPathComponent("none.sqlite").path])
        #expect(missing.waitForExit() == 66)
        #expect(missing.standardError.contains("no journal at"))
        let badRole = try ChildProcess("tansiq", ["topology", "from-journal", "x.sqlite", "--role", "health-office=doctor"])
        #expect(badRole.waitForExit() == 64)
        #expect(badRole.standardError.contains("--role takes AGENCY=ROLE"))

        // The minimal topology's 8 referrals are too few to fit.
        let minimal = ChildProcess.packageRoot.appendingPathComponent("Topologies/minimal.yaml").path
        let small = scratch.appendingPathComponent("minimal").path
        let run = try ChildProcess("tansiq", ["sim", "run", minimal, "--insecure", "--quiet", "--data-directory", small])
        #expect(await run.exitStatus() == 0, "\(run.standardError)")
        let few = try ChildProcess("tansiq", ["topology", "from-journal", small + "/journal.sqlite"])
        #expect(few.waitForExit() == 66)
        #expect(few.standardError.contains("too-little-history: the registry holds 8 referrals"))

        // Four times the cases: a topology that validates, with its coordinator and the run's routes.
        let longer = scratch.appendingPathComponent("longer.yaml")
        let text = try String(contentsOfFile: minimal, encoding: .utf8).replacingOccurrences(of: "stop_time: 2d", with: "stop_time: 8d")
        try text.write(to: longer, atomically: true, encoding: .utf8)
        let data = scratch.appendingPathComponent("longer").path
        let second = try ChildProcess("tansiq", ["sim", "run", longer.path, "--insecure", "--quiet", "--data-directory", data])
        #expect(await second.exitStatus() == 0, "\(second.standardError)")
        let output = scratch.appendingPathComponent("fitted/minimal-fitted.yaml").path
        let fit = try ChildProcess("tansiq", ["topology", "from-journal", data + "/journal.sqlite", "--name", "minimal-fitted", "--output", output])
        #expect(fit.waitForExit() == 0, "\(fit.standardError)")
        #expect(fit.standardError.contains("arrivals: one case every 6h"))
        let fitted = try String(contentsOfFile: output, encoding: .utf8)
        #expect(fitted.contains("name: minimal-fitted"))
        #expect(fitted.contains("coordinator: true"))
        #expect(fitted.contains("- { from: iom-demo, to: health-office, services: [health] }"))
        let validate = try ChildProcess("tansiq", ["topology", "validate", output])
        #expect(validate.waitForExit() == 0, "\(validate.standardError)")
    }
}
