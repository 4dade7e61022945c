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
    // A hang guard: the run took 90 s in a debug build beside another pilot run, load average 37 on 2 cores.
    @Test(.timeLimit(.minutes(5)))
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
        // Virtual time: the counts do not depend on how busy the machine is.
        simulation.time = .virtual
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

        // The arrivals-and-backlog series: the desk's (from the registry's records) and the
        // report's (from the run) are the same code on the same referrals.
        let records = Desk.registryRecords(overview)
        let asOf = try #require(records.map(\.updatedAt).max()).addingTimeInterval(3600)
        let timeline = Desk.timeline(records, since: nil, asOf: asOf)
        let reported = try #require(report.timeline)
        #expect(timeline.inDays && reported.inDays)
        for group in reported.groups {
            #expect(timeline.groups.first { $0.name == group.name }?.total == group.total, "\(group.name)")
            #expect(facts.categories.first { $0.name == group.name }?.counts.sent == group.total, "\(group.name)")
        }
        for group in timeline.groups {
            #expect(group.backlog.last == facts.categories.first { $0.name == group.name }?.counts.pending, "\(group.name) at the end")
        }

        // The page in every language: the charts, their text alternatives, nothing from elsewhere.
        let artifacts = ProcessInfo.processInfo.environment["TANSIQ_FACTS_PAGES"]
        for language in Language.allCases {
            let format = DeskFormat(language: language, timeZone: .gmt, now: asOf)
            let body = FactsPage(language: language, format: format)
                .render(facts, flows: Desk.flows(records) { language.label("category", $0) }, timeline: timeline, since: "", until: "", query: "")
            #expect(body.contains("id=\"chart-timeline\"") && body.contains("id=\"facts-flows\"") && !body.contains("src="))
            #expect(body.components(separatedBy: "<figure").count - 1 == timeline.groups.count)
            if let artifacts {
                // For looking at in a browser (scripts/facts-pages.sh): the desk's frame, its stylesheet inline.
                let configuration = DeskConfiguration(agency: "commune-agadir", listen: "127.0.0.1:0", coordinates: true)
                let page = Page(title: language("facts.title"), language: language, configuration: configuration).render(body)
                    .replacingOccurrences(of: "<link rel=\"stylesheet\" href=\"/desk.css\">", with: "<style>\(DeskAssets.css)</style>")
                try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
                try page.write(toFile: "\(artifacts)/facts-\(language.rawValue).html", atomically: true, encoding: .utf8)
                try report.html(topology: pilot).write(toFile: "\(artifacts)/simulation-report.html", atomically: true, encoding: .utf8)
            }
        }
    }
}
