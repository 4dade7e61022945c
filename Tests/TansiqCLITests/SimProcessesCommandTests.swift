import Foundation
import Testing

/// `tansiq sim run --processes` and what the agent executables gained for it.
@Suite("tansiq sim run --processes", .serialized)
struct SimProcessesCommandTests {
    struct Report: Decodable {
        struct Counts: Decodable {
            var created: Int
            var lost: Int
        }
        var mode: String
        var referrals: Counts
    }

    @Test(.timeLimit(.minutes(2)))
    func theMinimalTopologyRunsAsProcessesAndLosesNothing() async throws {
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("minimal-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: json) }
        let topology = ChildProcess.packageRoot.appendingPathComponent("Topologies/minimal.yaml").path
        let run = try ChildProcess("tansiq", ["sim", "run", topology, "--processes", "--quiet", "--json-report", json.path])
        #expect(await run.exitStatus() == 0, "\(run.standardError)")
        let report = try JSONDecoder().decode(Report.self, from: Data(contentsOf: json))
        #expect(report.mode == "processes")
        #expect(report.referrals.created == 8)
        #expect(report.referrals.lost == 0)
    }

    @Test(.timeLimit(.minutes(2)))
    func ctrlCWritesAPartialReportAndLeavesNoSecretBehind() async throws {
        // The run's temporary files (its agents' secret keys among them) go to a directory of this test's.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sim-interrupted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // reports/ does not exist yet: the run makes it.
        let json = scratch.appendingPathComponent("reports/minimal.json")
        let topology = ChildProcess.packageRoot.appendingPathComponent("Topologies/minimal.yaml").path
        // A tenth of the file's pace (40 s for its 4 days): the interrupt must come before the end,
        // even when a loaded machine hands the test the first progress line late.
        let run = try ChildProcess(
            "tansiq", ["sim", "run", topology, "--processes", "--time-scale", "8640", "--json-report", json.path],
            environment: ["TMPDIR": scratch.path])
        let started = await run.waitForLine(timeout: 60) { $0.hasPrefix("progress:") }
        try #require(started != nil, "the run never started: \(run.standardError)")
        run.send(signal: SIGINT)
        #expect(await run.exitStatus() == 130, "\(run.standardError)")
        #expect(run.standardError.contains("interrupted"))
        let report = try JSONDecoder().decode(Report.self, from: Data(contentsOf: json))
        #expect(report.mode == "processes")
        let text = try String(contentsOf: json, encoding: .utf8)
        #expect(text.contains("INTERRUPTED"))
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0 != "reports" }
        #expect(left.isEmpty, "the run left \(left) behind")
    }

    @Test(.timeLimit(.minutes(1)))
    func missingAgentExecutablesAreNamedAndTheRunFails() async throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("no-agents-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let topology = ChildProcess.packageRoot.appendingPathComponent("Topologies/minimal.yaml").path
        let run = try ChildProcess("tansiq", ["sim", "run", topology, "--processes", "--agents-directory", empty.path, "--quiet"])
        #expect(await run.exitStatus() == 1)
        #expect(run.standardError.contains("no civil-society-agent, commune-agent, iom-agent, services-agent in \(empty.path)"))
    }

    @Test(.timeLimit(.minutes(1)))
    func anAgentUnderStdinControlStopsWhenItsInputCloses() async throws {
        // ChildProcess closes standard input at once: the agent must stop by itself, cleanly.
        let agent = try ChildProcess("services-agent", [
            "--agency", "health-office", "--service", "health:5:appointments", "--ack-delay", "lognormal:60:240",
            "--ingress", "tcp://127.0.0.1:1", "--egress", "tcp://127.0.0.1:2", "--stdin-control", "--log-level", "error",
        ])
        #expect(await agent.exitStatus() == 0, "\(agent.standardError)")
    }

    @Test func badSimulationFlagsAreRefused() throws {
        let badDelay = try ChildProcess("services-agent", ["--agency", "health-office", "--service", "health", "--ack-delay", "weibull:3"])
        #expect(badDelay.waitForExit() == 64)
        #expect(badDelay.standardError.contains("--ack-delay"))
        let badCase = try ChildProcess("iom-agent", ["--agency", "iom-demo", "--planned-case", "3600:soon:health"])
        #expect(badCase.waitForExit() == 64)
        #expect(badCase.standardError.contains("unknown priority 'soon'"))
        let badScale = try ChildProcess("civil-society-agent", ["--agency", "association-demo", "--no-desk", "--time-scale", "0"])
        #expect(badScale.waitForExit() == 64)
        #expect(badScale.standardError.contains("--time-scale"))
        let minimal = ChildProcess.packageRoot.appendingPathComponent("Topologies/minimal.yaml").path
        for (options, message) in [
            (["--threads", "0"], "--threads must be between 1 and 1024, not 0"),
            (["--threads", "2", "--thread-per-agent"], "--threads and --thread-per-agent exclude each other"),
            (["--threads", "2", "--processes"], "are for agents in this process, not --processes"),
            (["--time-step", "0s"], "--time-step must be longer than zero, not 0s"),
            (["--time-step", "often"], "--time-step:"),
            (["--time-step", "5m", "--time", "wall"], "--time-step is for virtual time, not --time wall or --processes"),
        ] {
            let run = try ChildProcess("tansiq", ["sim", "run", minimal, "--quiet"] + options)
            #expect(run.waitForExit() == 64)
            #expect(run.standardError.contains(message), "\(run.standardError)")
        }
    }
}
