import Foundation
import Logging
import TansiqAgent
import TansiqMessages
import Testing
@testable import TansiqSimulation

/// `--processes`: the same topology played by the agent executables, as real processes.
@Suite("Simulation with agent processes", .serialized)
struct SimulationProcessTests {
    /// The package's built executables: the directory of the test bundle.
    static let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()

    static var logger: Logger {
        var logger = Logger(label: "test.sim")
        logger.logLevel = .critical
        return logger
    }

    static func minimal() throws -> Topology {
        try Topology.load(contentsOf: TopologyFixture.topologiesDirectory.appendingPathComponent("minimal.yaml"))
    }

    /// The agent processes still alive whose configuration lies in `directory`.
    static func processes(configuredIn directory: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { Int($0) != nil }.compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let line = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
            return line.contains(directory) ? "\(pid): \(line)" : nil
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func processesLoseNothingAndCountAsThreads() async throws {
        let minimal = try Self.minimal()
        // Half a simulated day per real second, so that a busy machine keeps the events' order.
        let threads = try await Simulation(topology: minimal, seed: 11, timeScale: 43_200).run(logger: Self.logger)
        let processes = try await Simulation(topology: minimal, seed: 11, timeScale: 43_200)
            .run(processes: AgentExecutables(directory: Self.binaries), logger: Self.logger)
        #expect(processes.mode == "processes")
        #expect(threads.mode == "threads")
        #expect(processes.referrals.lost == 0)
        #expect(processes.referrals.created == 8)
        #expect(processes.referrals == threads.referrals)
        #expect(processes.categories.map(\.counts) == threads.categories.map(\.counts))
    }

    @Test(.timeLimit(.minutes(1)))
    func aMissingExecutableIsNamed() async throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("no-agents-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let error = await #expect(throws: SimulationError.self) {
            try await Simulation(topology: Self.minimal()).run(processes: AgentExecutables(directory: empty), logger: Self.logger)
        }
        #expect(error?.code == .executableMissing)
        #expect(error?.message.contains("civil-society-agent, commune-agent, iom-agent, services-agent") == true)
    }

    /// One agent executable replaced by a wrapper that kills the real one a second after it starts.
    @Test(.timeLimit(.minutes(1)))
    func aCrashingAgentEndsTheRunAndLeavesNoProcess() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crashing-agents-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["commune-agent", "iom-agent", "services-agent"] {
            try FileManager.default.createSymbolicLink(
                at: directory.appendingPathComponent(name), withDestinationURL: Self.binaries.appendingPathComponent(name))
        }
        let wrapper = directory.appendingPathComponent("civil-society-agent")
        let real = Self.binaries.appendingPathComponent("civil-society-agent").path
        try "#!/bin/sh\necho 'about to crash' >&2\nexec timeout -s KILL 1 '\(real)' \"$@\"\n".write(to: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)

        let error = await #expect(throws: SimulationError.self) {
            try await Simulation(topology: Self.minimal()).run(processes: AgentExecutables(directory: directory), logger: Self.logger)
        }
        #expect(error?.code == .agentFailed)
        let message = error?.message ?? ""
        #expect(message.contains("association-demo-1"), "\(message)")
        #expect(message.contains("about to crash"), "the end of its log: \(message)")
        let runDirectory = try #require(message.firstRange(of: #/[^ (]*tansiq-sim-[0-9a-f]+/#).map { String(message[$0]) })
        #expect(Self.processes(configuredIn: runDirectory).isEmpty)
        // A failed run keeps its agents' logs for whoever reads the message; this test has read it.
        try? FileManager.default.removeItem(atPath: runDirectory)
    }
}
