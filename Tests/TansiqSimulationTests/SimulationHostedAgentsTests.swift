import Foundation
import Logging
import Synchronization
import TansiqAgent
import Testing
@testable import TansiqSimulation

/// Many agents on a few threads (``AgentHost``): the same network, the same report, and the
/// number of agents no longer sets the number of threads.
@Suite("Agents hosted on a few threads", .serialized)
struct SimulationHostedAgentsTests {
    static var logger: Logger {
        var logger = Logger(label: "test.sim")
        logger.logLevel = .critical
        return logger
    }

    /// A generated network of 21 agencies (a region and one more) with some hundred referrals
    /// over two days: small enough for a debug build on a loaded machine, run twice.
    static func generated() throws -> Topology {
        try TopologyGenerator(options: .init(agencies: 21, referrals: 120, days: 2, seed: 7, drainDays: 2)).topology
    }

    static func run(
        _ topology: Topology, threads: Int?, progress: (@Sendable (SimulationProgress) -> Void)? = nil
    ) async throws -> SimulationReport {
        var simulation = Simulation(topology: topology, secure: false)
        simulation.time = .virtual
        simulation.threads = threads
        var report = try await simulation.run(logger: logger, progress: progress)
        // Not part of the comparison: real seconds, and the notes and hub counters that count
        // probes and real time.
        report.wallSeconds = 0
        report.notes = []
        report.mode = ""
        return report
    }

    /// The names of this process's threads (as `top -H` shows them, 15 bytes at most).
    static func threadNames() -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    // A hang guard: the two runs of 41 agencies took 254 s in a debug build at a heavy load.
    @Test(.timeLimit(.minutes(5)))
    func hostedAgentsGiveTheSameReportAsAThreadEach() async throws {
        let topology = try Self.generated()
        #expect(topology.agentCount == 21)
        // Thread names are the process's: other suites' agent threads may run beside this test,
        // but only this serialized suite makes host threads.
        let seen = Mutex<Set<String>>([])
        let hosted = try await Self.run(topology, threads: 2) { _ in
            let hosts = Self.threadNames().filter { $0.hasPrefix("tansiq-agents-") }
            seen.withLock { $0.formUnion(hosts) }
        }
        var perAgent = try await Self.run(topology, threads: nil)
        #expect(hosted.referrals.created > 60)
        #expect(hosted.referrals.lost == 0)
        #expect(hosted.referrals.lostStatusUpdates == 0)
        // Two host threads ran the 21 agents.
        #expect(seen.withLock { $0 } == ["tansiq-agents-0", "tansiq-agents-1"])
        perAgent.hub = hosted.hub
        #expect(hosted == perAgent)
    }

    @Test(.timeLimit(.minutes(2)))
    func sameSeedSameReportOnOneHostThread() async throws {
        let topology = try Topology.load(contentsOf: TopologyFixture.topologiesDirectory.appendingPathComponent("minimal.yaml"))
        let first = try await Self.run(topology, threads: 1)
        var second = try await Self.run(topology, threads: 1)
        #expect(first.referrals.created == 8)
        #expect(first.referrals.completed == 8)
        second.hub = first.hub
        #expect(first == second)
    }
}
