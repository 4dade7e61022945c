import Foundation
import Logging
import TansiqAgent
import TansiqMessages
import Testing
@testable import TansiqSimulation

@Suite("Simulation run")
struct SimulationRunTests {
    /// One wall-clock run of the minimal network for both tests: about three seconds alone, but
    /// over a minute while the parallel suite loads both cores (agent threads run at nice 10),
    /// and two runs side by side would double that load.
    private static let minimalRun = Task { try await runMinimal() }

    private static func runMinimal() async throws -> SimulationReport {
        let minimal = try Topology.load(contentsOf: TopologyFixture.topologiesDirectory.appendingPathComponent("minimal.yaml"))
        var logger = Logger(label: "test.sim")
        logger.logLevel = .critical
        // Four simulated days in about two seconds.
        return try await Simulation(topology: minimal, timeScale: 172_800).run(logger: logger)
    }

    @Test(.timeLimit(.minutes(3)))
    func minimalNetworkLosesNothingAndCompletes() async throws {
        let report = try await Self.minimalRun.value
        #expect(report.referrals.created == 8)
        #expect(report.referrals.lost == 0)
        #expect(report.lostReferrals.isEmpty)
        #expect(report.referrals.statusUpdates > 0)
        #expect(report.referrals.lostStatusUpdates == 0)
        #expect(report.referrals.received == report.referrals.created)
        #expect(report.referrals.completed > 0)
        #expect(report.hub.messagesIn > 0)
        let health = try #require(report.categories.first { $0.name == "health" })
        #expect(health.counts.created > 0)
        #expect(report.agencies.first { $0.name == "association-demo" }?.capacity == 5)
    }

    @Test(.timeLimit(.minutes(3)))
    func reportRoundTripsThroughJSON() async throws {
        let report = try await Self.minimalRun.value
        let data = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(SimulationReport.self, from: data) == report)
        let html = report.html(topology: try Topology.load(contentsOf: TopologyFixture.topologiesDirectory.appendingPathComponent("minimal.yaml")))
        #expect(html.contains("<svg"))
        #expect(!html.contains("src=") && !html.contains("href="), "self-contained: no external resource")
    }
}
