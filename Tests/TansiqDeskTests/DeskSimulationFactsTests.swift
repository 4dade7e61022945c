import Foundation
import Logging
import TansiqAgent
@testable import TansiqDesk
import TansiqHub
import TansiqMessages
import TansiqSimulation
import Testing

/// The coordinator's facts for a finished pilot simulation: what the Commune's desk computes
/// from the messages a coordinator receives (its subscriptions, replayed from the run's journal)
/// counts what the simulation's own report counted from the agents' events.
@Suite("Desk facts of a pilot simulation", .serialized)
struct DeskSimulationFactsTests {
    @Test(.timeLimit(.minutes(3)))
    func theCoordinatorsFactsOfAFinishedPilotRunEqualItsReportsCounts() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-desk-sim-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let topologies = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Topologies")
        let pilot = try Topology.load(contentsOf: topologies.appendingPathComponent("agadir-pilot.yaml"))
        var simulation = Simulation(topology: pilot)
        // Virtual time: the run takes as long as its work and no load can make an agent late.
        simulation.time = .virtual
        simulation.atRest = Simulation.AtRest(directory: root.path)
        var logger = Logger(label: "test.sim")
        logger.logLevel = .critical
        let report = try await simulation.run(logger: logger)
        try #require(report.referrals.statusUpdatesInFlight == 0, "every status reached the hub before the end")

        // What the coordinator's agent receives on its subscriptions, in the hub's order.
        let journal = try Journal(path: root.appendingPathComponent("journal.sqlite").path, readOnly: true)
        defer { journal.close() }
        var overview = NetworkOverview()
        var after: UInt64 = 0
        while true {
            let page = try journal.page(after: after, prefixes: CoordinatorBehaviour().subscriptions, limit: 1000)
            for record in page.records {
                let envelope = try MessageCodec.decode([Array(record.topic.utf8), record.header, record.body]).envelope
                overview.apply(envelope.payload)
            }
            guard page.lastScanned > after else { break }
            after = page.lastScanned
        }
        let facts = ReferralFacts(records: Desk.registryRecords(overview), now: Date.distantFuture)
        let counts = facts.total.counts
        let r = report.referrals
        #expect(counts.sent == r.created)
        #expect(counts.open == r.open)
        #expect(counts.accepted == r.accepted)
        #expect(counts.rejected == r.rejected)
        #expect(counts.rejectedByReason == r.rejectedByReason)
        #expect(counts.completed == r.completed)
        #expect(counts.failed == r.failed)
        #expect(counts.escalated == r.escalated)
        for group in report.categories {
            let category = try #require(facts.categories.first { $0.name == group.name }, "\(group.name)")
            #expect(category.counts.sent == group.counts.created, "\(group.name)")
            #expect(category.counts.accepted == group.counts.accepted, "\(group.name)")
            #expect(category.counts.completed == group.counts.completed, "\(group.name)")
        }
        // And the hub's registry agrees, count for count.
        let registry = try journal.referralFacts(now: Date.distantFuture)
        #expect(registry.total.counts == counts)
    }
}
