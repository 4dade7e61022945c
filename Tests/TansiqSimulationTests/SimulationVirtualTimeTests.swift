import Foundation
import Logging
import TansiqAgent
import TansiqMessages
import Testing
@testable import TansiqSimulation

@Suite("Virtual time and what-if")
struct SimulationVirtualTimeTests {
    static var logger: Logger {
        var logger = Logger(label: "test.sim")
        logger.logLevel = .critical
        return logger
    }

    static func minimal() throws -> Topology {
        try Topology.load(contentsOf: TopologyFixture.topologiesDirectory.appendingPathComponent("minimal.yaml"))
    }

    static func virtualRun(_ topology: Topology, seed: UInt64? = nil) async throws -> SimulationReport {
        var simulation = Simulation(topology: topology, seed: seed, secure: false)
        simulation.time = .virtual
        return try await simulation.run(logger: logger)
    }

    /// Event for event: the same seed gives the same report but for the wall time and the
    /// notes (which count the real seconds). The limit only catches a hang: alone the two runs
    /// take 2 s, but a full run on two cores once starved them past 2 minutes.
    @Test(.timeLimit(.minutes(5)))
    func sameSeedSameReportInVirtualTime() async throws {
        var first = try await Self.virtualRun(try Self.minimal())
        var second = try await Self.virtualRun(try Self.minimal())
        #expect(first.referrals.created == 8)
        #expect(first.referrals.lost == 0)
        #expect(first.mode == "threads, virtual time")
        for report in [\SimulationReport.wallSeconds] {
            first[keyPath: report] = 0
            second[keyPath: report] = 0
        }
        first.notes = []
        second.notes = []
        first.hub = second.hub
        #expect(first == second)
    }

    /// A time step of an hour: every referral is still sent and received, and everything
    /// happens on the hour (each time from sending is a whole number of hours).
    @Test(.timeLimit(.minutes(3)))
    func aTimeStepMovesTheClockOnItsGridAndLosesNothing() async throws {
        var simulation = Simulation(topology: try Self.minimal(), secure: false)
        simulation.time = .virtual
        simulation.timeStep = SimulatedDuration(seconds: 3_600)
        let report = try await simulation.run(logger: Self.logger)
        #expect(report.referrals.created == 8)
        #expect(report.referrals.received == 8)
        #expect(report.referrals.lost == 0)
        let times = report.categories.flatMap { [$0.acknowledge, $0.decide, $0.complete].compactMap(\.self) }
        #expect(!times.isEmpty)
        for percentiles in times {
            for hours in [percentiles.p50, percentiles.p90, percentiles.p99] {
                #expect(abs(hours - hours.rounded()) < 1e-9, "\(hours) h is not on the hour")
            }
        }
    }

    /// Ctrl-C in the middle of a run: what the agents published at the instant it stopped is
    /// delivered before they stop, so the partial report counts nothing lost (it once counted
    /// the last instant's status changes as lost: nobody had waited for them).
    @Test(.timeLimit(.minutes(3)))
    func anInterruptedRunDeliversItsLastInstantAndLosesNothing() async throws {
        let pilot = try Topology.load(contentsOf: TopologyFixture.topologiesDirectory.appendingPathComponent("agadir-pilot.yaml"))
        var simulation = Simulation(topology: pilot, secure: false)
        simulation.time = .virtual
        let interruption = simulation.interruption
        // Before the pilot's first fault (day 5), whose offline partner would hold referrals
        // that an interrupted run cannot tell from lost ones.
        let report = try await simulation.run(logger: Self.logger) { progress in
            if progress.simulated.seconds >= 3 * 86_400 { interruption.request() }
        }
        #expect(report.notes.contains { $0.hasPrefix("INTERRUPTED at") })
        #expect(report.referrals.completed > 0 && report.referrals.created < simulation.plan.referralCount)
        #expect(report.referrals.lost == 0, "\(report.lostReferrals) \(report.notes)")
        #expect(report.referrals.lostStatusUpdates == 0, "\(report.lostStatusUpdates)")
    }

    /// A partner offline from day 1 to past the end: the referrals sent for it meanwhile wait
    /// in the hub's journal, and the report counts them as waiting, not lost (a run cut during
    /// an outage reads the same way).
    @Test(.timeLimit(.minutes(3)))
    func referralsForAPartnerDownAtTheEndAreWaitingNotLost() async throws {
        var minimal = try Self.minimal()
        minimal.faults = [.offline(node: "health-office", from: SimulatedDuration(seconds: 86_400), until: SimulatedDuration(seconds: 30 * 86_400))]
        let report = try await Self.virtualRun(minimal)
        let outage = try #require(report.faults.first)
        #expect(outage.startedHours != nil && outage.endedHours == nil, "still down at the end")
        #expect(report.referrals.lost == 0, "\(report.lostReferrals)")
        #expect(outage.lostDuring == 0)
        #expect(report.referrals.waiting > 0 && report.referrals.waiting <= outage.referralsDuring)
        #expect(report.referrals.received + report.referrals.waiting == report.referrals.created)
        #expect(report.text.contains("\(report.referrals.waiting) waiting for a partner down at the end"))
    }

    /// On shared host threads and secure, where the clock (not heartbeat replays) proves what
    /// reached each agent: the same seed still gives the same report, and nothing is lost.
    @Test(.timeLimit(.minutes(3)))
    func sameSeedSameReportOnHostThreadsSecureWithDeliveryProvedByTheClock() async throws {
        func run() async throws -> SimulationReport {
            var simulation = Simulation(topology: try Self.minimal(), seed: 7, secure: true)
            simulation.time = .virtual
            simulation.threads = 2
            return try await simulation.run(logger: Self.logger)
        }
        var first = try await run()
        var second = try await run()
        #expect(first.referrals.lost == 0)
        #expect(first.referrals.created > 0)
        #expect(first.notes.contains { $0.contains("delivery checks replayed") })
        first.wallSeconds = 0
        second.wallSeconds = 0
        first.notes = []
        second.notes = []
        first.hub = second.hub
        #expect(first == second)
    }

    @Test(.timeLimit(.minutes(3)))
    func intervalsOverSeedsContainEachSingleSeedRun() async throws {
        let topology = try Self.minimal()
        let series = SeedSeries(topology: topology, seeds: 3, secure: false)
        let reports = try await series.run(logger: Self.logger)
        let categories = topology.offeredCategories.map(\.rawValue)
        let table = OutcomeTable(columns: ["minimal"], seeds: series.seeds, reports: [reports], categories: categories)
        for (index, seed) in series.seeds.enumerated() {
            let single = try await Self.virtualRun(topology, seed: seed)
            for metric in OutcomeMetric.all(categories: categories) {
                let row = try #require(table.row(metric.name))
                #expect(row.intervals[0].contains(metric.value(single)), "\(metric.name) of seed \(seed)")
                #expect(row.intervals[0].values[index] == metric.value(single), "\(metric.name) of seed \(seed) reproduced")
            }
        }
        let html = table.html(title: "t")
        #expect(html.contains("<svg") && !html.contains("src="))
    }

    @Test func sweepSettingsReadRangesAndChangeOneParameter() throws {
        let setting = try TopologySetting(parsing: "nodes.health-office.capacity=10..60/10")
        #expect(setting.values == [10, 20, 30, 40, 50, 60])
        let changed = try setting.apply(30, to: try Self.minimal())
        #expect(changed.node(id: "health-office")?.services.map(\.capacity) == [30])
        #expect(throws: SimulationError.self) { try TopologySetting(parsing: "nodes.nobody.capacity=1,2").apply(1, to: try Self.minimal()) }
        #expect(throws: SimulationError.self) { try TopologySetting(parsing: "nodes.health-office.capacity=9..1/1") }
    }
}
