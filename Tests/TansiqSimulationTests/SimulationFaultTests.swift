import Foundation
import Logging
import TansiqAgent
import TansiqMessages
import Testing
@testable import TansiqSimulation

/// The `offline` and `slow` faults, on a network whose delays are fixed so that each referral's
/// fate is known in advance: a case every simulated day from day 1 to day 5, each needing
/// health (health-x) and legal aid (legal-x), every step taking one hour, service two.
@Suite("Simulation faults", .serialized)
struct SimulationFaultTests {
    static let drill = """
        name: fault-drill
        general:
          seed: 3
          stop_time: 5d
          drain: 1d
          time_scale: 86400
        topology:
          nodes:
            commune-x:
              role: commune
              services: { social-assistance: 50 }
            iom-x:
              role: iom
            health-x:
              role: service
              services: { health: 50 }
              acknowledge: 1h
              decide: 1h
              complete: 2h
              acceptance: { accept: 1, fail: 0 }
            legal-x:
              role: civil-society
              services: { legal: 50 }
              acknowledge: 1h
              decide: 1h
              complete: 2h
              acceptance: { accept: 1, fail: 0 }
          links:
            - { from: iom-x, to: health-x }
            - { from: iom-x, to: legal-x }
        scenario:
          arrivals: { process: fixed, interval: 1d }
          needs: { health: 1, legal: 1 }
          needs_per_case: 2
        faults:
          # Down around the case of day 3: its legal referral waits in the journal until legal-x is back.
          - { kind: offline, node: legal-x, from: 2d12h, until: 3d12h }
          # Five times slower for the cases of days 3 and 4 (their last delay is drawn at 4d10h).
          - { kind: slow, node: health-x, factor: 5, from: 2d12h, until: 4d12h }
          - { kind: hub-restart, hub: main, at: 1d }
          - { kind: hub-restart, hub: main, at: 1d18h, down: 3h }
        """

    static func run(processes: Bool, signal: String = "kill") async throws -> SimulationReport {
        let yaml = drill.replacingOccurrences(of: "until: 3d12h }", with: "until: 3d12h, signal: \(signal) }")
        let topology = try Topology.parse(yaml: yaml, file: "fault-drill.yaml")
        var logger = Logger(label: "test.sim")
        logger.logLevel = .critical
        // A quarter of a simulated day per real second: twelve hours of margin are two real
        // seconds, room enough for a loaded machine (and tests beside this one) to start an
        // agent or fire late.
        var simulation = Simulation(topology: topology, timeScale: 21_600)
        if processes {
            return try await simulation.run(processes: AgentExecutables(directory: SimulationProcessTests.binaries), logger: logger)
        }
        // Threads follow virtual time: every fault takes effect at its instant, whatever the load.
        simulation.time = .virtual
        return try await simulation.run(logger: logger)
    }

    /// Within two simulated hours (a third of a real second): agents on a busy machine fire late.
    static func near(_ value: Double?, _ expected: Double, within tolerance: Double = 2) -> Bool {
        value.map { abs($0 - expected) <= tolerance } ?? false
    }

    /// Taken effect at `planned` hours or up to twelve hours (two real seconds) later: no delay is
    /// drawn, and no referral sent, in the twelve hours after a window edge.
    static func soon(after planned: Double, _ value: Double?) -> Bool {
        value.map { $0 >= planned - 0.01 && $0 < planned + 12 } ?? false
    }

    static func check(_ report: SimulationReport, stopAction: String) throws {
        // The legal referral of day 3, sent while legal-x was down, waits in the journal; the
        // restarted agent catches up on its state file. Two hub restarts lose nothing either.
        #expect(report.referrals.created == 10)
        let lost = report.referrals.lost
        #expect(lost == 0, "\(report.lostReferrals)")
        #expect(report.referrals.lostStatusUpdates == 0)
        // The referral received late may still be in service when the run ends.
        #expect(report.referrals.completed >= 9)
        #expect(report.faultsNotExecuted.isEmpty)

        #expect(report.faults.map(\.kind) == ["offline", "slow", "hub-restart", "hub-restart"])
        #expect(report.faults[2].actions.count == 2 && report.faults[2].actions.first == "hub stopped", "\(report.faults[2])")
        #expect(report.faults[3].actions.first == "hub stopped" && report.faults[3].actions.last?.hasPrefix("hub started again") == true)
        let offline = report.faults[0]
        #expect(offline.node == "legal-x")
        #expect(Self.soon(after: 60, offline.startedHours), "\(offline)")
        #expect(offline.endedHours.map { $0 >= 84 && $0 < 96 } == true, "\(offline)")
        #expect(offline.referralsDuring == 1 && offline.lostDuring == lost)
        #expect(offline.actions.count == 2)
        #expect(offline.actions.first?.contains(stopAction) == true, "\(offline.actions)")
        #expect(offline.actions.last == "started again: legal-x-1")

        let slow = report.faults[1]
        #expect(Self.soon(after: 60, slow.startedHours) && Self.soon(after: 108, slow.endedHours), "\(slow)")
        #expect(slow.actions == ["delays ×5.0", "delays ×1.0"])
        #expect(slow.referralsDuring == 2 && slow.lostDuring == 0)

        // Health: days 1, 2 and 5 take 1 h to acknowledge, 2 h to decide, 4 h to complete;
        // days 3 and 4, drawn inside the window, 5 h, 10 h and 20 h.
        let health = try #require(report.agencies.first { $0.name == "health-x" })
        #expect(Self.near(health.acknowledge?.p50, 1) && Self.near(health.acknowledge?.p90, 5), "\(String(describing: health.acknowledge))")
        #expect(Self.near(health.decide?.p50, 2) && Self.near(health.decide?.p90, 10), "\(String(describing: health.decide))")
        #expect(Self.near(health.complete?.p50, 4) && Self.near(health.complete?.p90, 20, within: 3), "\(String(describing: health.complete))")
    }

    @Test(.timeLimit(.minutes(2)))
    func threadsStopAndRestartTheOfflineAgentAndSlowTheDesk() async throws {
        let report = try await Self.run(processes: false)
        try Self.check(report, stopAction: "legal-x-1: runtime stopped")
        // In virtual time the windows open and close at their instants exactly.
        #expect(report.faults[0].startedHours == 60 && report.faults[0].endedHours == 84, "\(report.faults[0])")
        #expect(report.faults[1].startedHours == 60 && report.faults[1].endedHours == 108, "\(report.faults[1])")
    }

    @Test(.timeLimit(.minutes(2)), arguments: ["kill", "term"])
    func processesAreStoppedRestartedAndPaced(signal: String) async throws {
        let report = try await Self.run(processes: true, signal: signal)
        try Self.check(report, stopAction: "legal-x-1: SIG\(signal.uppercased()) to pid")
    }

    @Test func anOfflineFaultTakesASignal() throws {
        let yaml = Self.drill.replacingOccurrences(of: "until: 3d12h }", with: "until: 3d12h, signal: term }")
        let topology = try Topology.parse(yaml: yaml, file: "fault-drill.yaml")
        #expect(topology.faults.first == .offline(node: "legal-x", from: .hours(60), until: .hours(84), signal: .term))
        let wrong = Self.drill.replacingOccurrences(of: "until: 3d12h }", with: "until: 3d12h, signal: hup }")
        let failure = #expect(throws: TopologyValidationFailure.self) { try Topology.parse(yaml: wrong, file: "fault-drill.yaml") }
        #expect(failure?.errors.map(\.keyPath) == ["faults[0].signal"])
    }
}
