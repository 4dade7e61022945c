import Foundation
import Logging
import TansiqAgent
import TansiqHub
import TansiqMessages
import TansiqVault
import Testing
@testable import TansiqSimulation

/// Plans from reality: a topology fitted from a run's journal plays like the run it came from.
@Suite("Topology from a journal", .serialized)
struct TopologyFromJournalTests {
    /// A small network with something to fit: Poisson arrivals, two needs per case at times, a
    /// provider that fills up (rejections at capacity), one that rejects some as not eligible,
    /// regular (uniform) and memoryless (exponential) service times.
    static let network = """
        name: small-network
        general: { seed: 7, stop_time: 6d, drain: 6d, time_scale: 86400 }
        topology:
          nodes:
            commune-demo: { role: commune, services: { social-assistance: 4 } }
            iom-demo: { role: iom, agents: 2 }
            health-office:
              role: service
              services: { health: 3 }
              acknowledge: { distribution: lognormal, median: 2h, p90: 8h }
              decide: { distribution: lognormal, median: 6h, p90: 1d }
              complete: { distribution: exponential, mean: 2d }
              acceptance: { accept: 0.85, fail: 0.05 }
            association-demo:
              role: civil-society
              services: { legal: 6, social-assistance: 2 }
              complete: { distribution: uniform, min: 1d, max: 3d }
          links:
            - { from: iom-demo, to: health-office }
            - { from: iom-demo, to: association-demo }
            - { from: commune-demo, to: health-office }
        scenario:
          referrers: { iom-demo: 3, commune-demo: 1 }
          arrivals: { process: poisson, rate: 6/d }
          needs: { health: 3, legal: 2, social-assistance: 1 }
          needs_per_case: { min: 1, max: 2 }
          priorities: { routine: 0.7, urgent: 0.3 }
        """

    /// The network with the pilot's three kinds of fault: the fit must fold what they cost
    /// (late answers, capacity held longer) into its delays, since it writes no fault.
    static let faultedNetwork = network + """

        faults:
          - { kind: offline, node: association-demo, from: 2d, until: 3d }
          - { kind: slow, node: health-office, factor: 2, from: 3d, until: 5d }
          - { kind: hub-restart, hub: main, at: 4d, down: 6h }
        """

    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    @Test(.timeLimit(.minutes(5)))
    func fittedTopologyReproducesTheRunsCountsWithinItsSeedIntervals() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-from-journal-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let keyFile = root.appendingPathComponent("master.key").path
        let key = MasterKey.generate()
        try key.write(to: keyFile)
        let original = try Topology.parse(yaml: Self.faultedNetwork, file: "small-network.yaml")
        var run = Simulation(topology: original, secure: false)
        run.time = .virtual
        run.atRest = Simulation.AtRest(directory: root.appendingPathComponent("data").path, masterKeyFile: keyFile)
        let report = try await run.run(logger: Self.logger)
        #expect(report.faults.count == 3 && report.faultsNotExecuted.isEmpty)
        #expect(report.referrals.rejectedByReason["at-capacity", default: 0] > 0)
        #expect(report.referrals.rejectedByReason["not-eligible", default: 0] > 0)
        #expect(report.referrals.failed > 0)

        // With the key: presence and service status say roles, agents and capacities.
        let journal = try Journal(path: run.atRest!.journalPath, readOnly: true, masterKey: key)
        defer { journal.close() }
        let history = try NetworkHistory(journal: journal)
        #expect(!history.housekeepingSealed)
        let fit = try TopologyFit(history: history, source: "journal.sqlite", options: .init(name: "small-fitted"))
        let fitted = fit.topology
        #expect(fitted.coordinator.id == "commune-demo")
        #expect(fitted.node(id: "iom-demo")?.role == .iom)
        #expect(fitted.node(id: "iom-demo")?.agents == 2)
        #expect(fitted.node(id: "association-demo")?.role == .civilSociety)
        #expect(fitted.node(id: "health-office")?.offer(for: .health)?.capacity == 3)
        #expect(fitted.routes(from: "iom-demo", for: .legal).map(\.to) == ["association-demo"])
        #expect(fitted.scenario.needsPerCase == 1...2)
        #expect(fitted.faults.isEmpty)

        // Nothing personal in the file: no case reference or reason code of any referral body.
        var secrets: Set<String> = []
        for record in try journal.records(after: 0, prefixes: ["referral/"], limit: 1000) {
            let body = try #require(try JSONSerialization.jsonObject(with: Data(record.body)) as? [String: Any])
            secrets.insert(try #require(body["caseReference"] as? String))
        }
        #expect(!secrets.isEmpty)
        for secret in secrets { #expect(!fit.yaml.contains(secret)) }

        // Its own runs, seed by seed: the original's counts, rejections by reason and failures
        // fall within their spread (lowest to highest). Four seeds: a narrower spread than six,
        // so no easier to fall in, at two thirds of the time.
        let reports = try await SeedSeries(topology: fitted, seeds: 4, secure: false).run(logger: Self.logger)
        let outcomes: [(String, (SimulationReport) -> Int)] = [
            ("created", { $0.referrals.created }), ("completed", { $0.referrals.completed }),
            ("failed", { $0.referrals.failed }), ("rejected", { $0.referrals.rejected }),
            ("rejected at capacity", { $0.referrals.rejectedByReason["at-capacity", default: 0] }),
            ("rejected not eligible", { $0.referrals.rejectedByReason["not-eligible", default: 0] }),
            ("escalated", { $0.referrals.escalated }),
        ]
        for (name, value) in outcomes {
            let interval = SeedInterval(reports.map { Double(value($0)) })
            print("from-journal fidelity: \(name): run \(value(report)), fitted \(interval.text) \(interval.values.map { Int($0) })")
            #expect(interval.contains(Double(value(report))), "\(name): the run's \(value(report)) outside the fitted \(interval.text)")
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func withoutTheKeyTheRegistryAloneFitsOnceTheCoordinatorIsNamed() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-from-journal-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let keyFile = root.appendingPathComponent("master.key").path
        try MasterKey.generate().write(to: keyFile)
        var original = try Topology.parse(yaml: Self.network, file: "small-network.yaml")
        original.general.stopTime = .days(3)
        var run = Simulation(topology: original, secure: false)
        run.time = .virtual
        run.atRest = Simulation.AtRest(directory: root.appendingPathComponent("data").path, masterKeyFile: keyFile)
        _ = try await run.run(logger: Self.logger)

        let journal = try Journal(path: run.atRest!.journalPath, readOnly: true)
        defer { journal.close() }
        let history = try NetworkHistory(journal: journal)
        #expect(history.housekeepingSealed)
        #expect(history.agencies.isEmpty)
        #expect(!history.referrals.isEmpty)
        let unnamed = #expect(throws: TopologyFitError.self) { try TopologyFit(history: history, source: "journal.sqlite") }
        #expect(unnamed?.code == .noCoordinator)
        let fit = try TopologyFit(
            history: history, source: "journal.sqlite",
            options: .init(coordinator: "commune-demo", roles: ["association-demo": .civilSociety]))
        #expect(fit.topology.coordinator.id == "commune-demo")
        #expect(fit.topology.node(id: "health-office")?.role == .service)
        #expect(fit.topology.node(id: "association-demo")?.role == .civilSociety)
        #expect(fit.notes.contains { $0.contains("sealed") })
        let badRole = #expect(throws: TopologyFitError.self) {
            try TopologyFit(history: history, source: "journal.sqlite", options: .init(coordinator: "nobody-here"))
        }
        #expect(badRole?.code == .badOption)
    }

    @Test func tooLittleHistoryIsNamedWithItsCounts() throws {
        let start = Date(timeIntervalSinceReferenceDate: 0)
        let few = (0..<3).map { index in
            NetworkHistory.Referral(
                referrer: "iom-demo", receiver: "health-office", open: false, category: .health, priority: .routine,
                createdAt: start.addingTimeInterval(Double(index) * 3600), state: .requested)
        }
        let error = #expect(throws: TopologyFitError.self) { try TopologyFit(history: NetworkHistory(referrals: few), source: "j") }
        #expect(error?.code == .tooLittleHistory)
        #expect(error?.message.contains("3 referrals") == true)

        let atOnce = (0..<12).map { index in
            NetworkHistory.Referral(
                referrer: "iom-\(index)", receiver: "health-office", open: false, category: .health, priority: .routine,
                createdAt: start, state: .requested)
        }
        let instant = #expect(throws: TopologyFitError.self) { try TopologyFit(history: NetworkHistory(referrals: atOnce), source: "j") }
        #expect(instant?.code == .tooLittleHistory)
    }

    /// The fitting rules on a history made by hand: regular arrivals are a fixed interval,
    /// competing receivers keep their shares, still-running services count in the mean.
    @Test func fittingRulesOnAHandMadeHistory() throws {
        let start = Date(timeIntervalSinceReferenceDate: 0)
        var referrals: [NetworkHistory.Referral] = []
        for index in 0..<12 {
            let created = start.addingTimeInterval(Double(index + 1) * 6 * 3600)
            // Two in three to health-office, one in three to clinic; legal open to the commune.
            let receiver = index % 3 == 2 ? "clinic" : "health-office"
            let running = index >= 9
            referrals.append(NetworkHistory.Referral(
                referrer: "iom-demo", receiver: receiver, open: false, category: .health, priority: index % 4 == 0 ? .urgent : .routine,
                createdAt: created, receivedAt: created.addingTimeInterval(3600), decidedAt: created.addingTimeInterval(3 * 3600),
                closedAt: running ? nil : created.addingTimeInterval(3 * 3600 + 86_400), state: running ? .inProgress : .completed))
            referrals.append(NetworkHistory.Referral(
                referrer: "iom-demo", receiver: "commune-demo", open: true, category: .legal, priority: index % 4 == 0 ? .urgent : .routine,
                createdAt: created, receivedAt: created.addingTimeInterval(1800), decidedAt: created.addingTimeInterval(7200),
                state: .rejected, closeReason: "not-eligible"))
        }
        let end = start.addingTimeInterval(4 * 86_400)
        var commune = NetworkHistory.Agency(id: "commune-demo")
        commune.role = .commune
        let history = NetworkHistory(referrals: referrals, agencies: ["commune-demo": commune], end: end)
        let fit = try TopologyFit(history: history, source: "hand-made")
        let topology = fit.topology
        #expect(topology.scenario.arrivals == .fixed(interval: .hours(6)))
        #expect(topology.scenario.needsPerCase == 2...2)
        #expect(topology.scenario.priorities.probability(of: .urgent) == 0.25)
        #expect(topology.routes(from: "iom-demo", for: .legal).isEmpty)
        let weights = Dictionary(uniqueKeysWithValues: topology.routes(from: "iom-demo", for: .health).map { ($0.to, $0.weight) })
        #expect(weights["health-office"] == 0.67 && weights["clinic"] == 0.33)
        #expect(topology.node(id: "commune-demo")?.acceptance.accept == 0)
        // health-office: 8 referrals, 6 done in a day, 2 running since their decision.
        let office = referrals.filter { $0.receiver == "health-office" }
        let exposure = office.reduce(0.0) { total, referral in
            total + ((referral.closedAt ?? end).timeIntervalSince(referral.decidedAt!))
        }
        let completions = Double(office.count { $0.state == .completed })
        #expect(topology.node(id: "health-office")?.complete == .exponential(mean: TopologyFit.duration(exposure / completions)))
        #expect(topology.node(id: "health-office")?.acknowledge == .fixed(.hours(1)))
        #expect(fit.yaml.contains("stop_time: 3d3h"))
    }

    /// Sizes of one or two needs drawn uniformly average 1.5: for a history whose cases average
    /// 1.33 needs, Poisson cases come less often, so that referrals per day (each provider's
    /// load) are the history's.
    @Test func theCaseRateKeepsTheObservedReferralsPerDay() throws {
        let start = Date(timeIntervalSinceReferenceDate: 0)
        var referrals: [NetworkHistory.Referral] = []
        // Twelve cases at irregular times, one in three with a second need: 16 referrals.
        let hours = [3.0, 5, 11, 20, 22, 31, 40, 41, 52, 60, 63, 70]
        for (index, hour) in hours.enumerated() {
            let created = start.addingTimeInterval(hour * 3600)
            let needs: [ServiceCategory] = index % 3 == 0 ? [.health, .legal] : [.health]
            for need in needs {
                referrals.append(NetworkHistory.Referral(
                    referrer: "iom-demo", receiver: need == .health ? "health-office" : "commune-demo", open: false,
                    category: need, priority: .routine, createdAt: created, state: .requested))
            }
        }
        var commune = NetworkHistory.Agency(id: "commune-demo")
        commune.role = .commune
        let fit = try TopologyFit(
            history: NetworkHistory(referrals: referrals, agencies: ["commune-demo": commune], end: start.addingTimeInterval(4 * 86_400)),
            source: "hand-made")
        let topology = fit.topology
        #expect(topology.scenario.needsPerCase == 1...2)
        guard case .poisson(let rate) = topology.scenario.arrivals else {
            Issue.record("arrivals are not Poisson: \(topology.scenario.arrivals)")
            return
        }
        let casesPerDay = 86_400 / rate.meanInterval.seconds
        let referralsPerDay = Double(referrals.count) / topology.general.stopTime.seconds * 86_400
        #expect(abs(casesPerDay * 1.5 - referralsPerDay) < 0.01 * referralsPerDay)
        #expect(fit.notes.contains { $0.contains("the same referrals per day") })
    }
}
