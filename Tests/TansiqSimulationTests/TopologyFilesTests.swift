import Foundation
import TansiqAgent
import TansiqMessages
import Testing
@testable import TansiqSimulation

@Suite("Shipped topology files")
struct TopologyFilesTests {
    static let shipped = ["agadir-pilot.yaml", "minimal.yaml", "large.yaml"]

    private func load(_ name: String) throws -> Topology {
        try Topology.load(contentsOf: TopologyFixture.topologiesDirectory.appendingPathComponent(name))
    }

    @Test("every file in Topologies/ is shipped and loads", arguments: shipped)
    func loads(name: String) throws {
        let topology = try load(name)
        #expect(!topology.nodes.isEmpty)
        #expect(topology.coordinator.role == .commune)
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: TopologyFixture.topologiesDirectory.path)
            .filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".policy.yaml") }  // access policies live beside their topology
        #expect(Set(onDisk) == Set(Self.shipped))
    }

    @Test("every file points editors at the JSON Schema", arguments: shipped)
    func declaresSchema(name: String) throws {
        let text = try String(contentsOf: TopologyFixture.topologiesDirectory.appendingPathComponent(name), encoding: .utf8)
        #expect(text.hasPrefix("# yaml-language-server: $schema=../docs/topology.schema.json\n"))
    }

    @Test func agadirPilotModelsThePilot() throws {
        let pilot = try load("agadir-pilot.yaml")
        #expect(pilot.name == "agadir-pilot")
        #expect(pilot.coordinator.id == "commune-agadir")
        #expect(pilot.coordinator.offers(.socialAssistance))
        #expect(pilot.nodes.filter { $0.role == .commune }.count == 4)
        #expect(pilot.nodes.filter { $0.role == .civilSociety }.count >= 3)
        #expect(pilot.scenario.referrers.values.first == "iom-morocco")
        // Every category is offered and needed, so every one can see completed referrals.
        #expect(pilot.offeredCategories == ServiceCategory.allCases)
        #expect(Set(pilot.scenario.needs.values) == Set(ServiceCategory.allCases))
        // 20–40 s of real time at the file's own time scale.
        #expect((20...40).contains(pilot.general.realSeconds))
    }

    @Test func agadirPilotHasRoomForTheExpectedLoad() throws {
        let pilot = try load("agadir-pilot.yaml")
        guard case .poisson(let rate) = pilot.scenario.arrivals else {
            Issue.record("expected poisson arrivals")
            return
        }
        let cases = rate.perSecond * pilot.general.stopTime.seconds
        let needsPerCase = Double(pilot.scenario.needsPerCase.lowerBound + pilot.scenario.needsPerCase.upperBound) / 2
        #expect((200...800).contains(cases * needsPerCase), "a few hundred referrals")
        // Little's law: the referrals held at once (decision + service) must fit the capacity.
        for category in ServiceCategory.allCases {
            let perSecond = rate.perSecond * needsPerCase * pilot.scenario.needs.probability(of: category)
            let providers = pilot.providers(of: category)
            let capacity = providers.reduce(0) { $0 + ($1.offer(for: category)?.capacity ?? 0) }
            let holding = providers.map { $0.decide.mean.seconds + $0.complete.mean.seconds }.max() ?? 0
            #expect(Double(capacity) >= perSecond * holding, "\(category): capacity \(capacity) for \(perSecond * holding) held at once")
        }
    }

    @Test func minimalHasOneOfEachRole() throws {
        let minimal = try load("minimal.yaml")
        #expect(minimal.nodes.map(\.role) == [.commune, .iom, .service, .civilSociety])
        #expect(minimal.coordinator.id == "commune-demo")
        #expect(minimal.hubs == [Topology.Hub(id: "main")])
        #expect(minimal.scenario.referrers.values == ["iom-demo"])
        #expect(minimal.links.first?.services == [.health])
        #expect(minimal.general.realSeconds <= 10)
    }

    @Test func largeRunsMoreThanTwoHundredAgents() throws {
        let large = try load("large.yaml")
        #expect(large.agentCount >= 200)
        #expect(large.nodes.count >= 100)
        #expect(large.offeredCategories == ServiceCategory.allCases)
        #expect(large.faults.contains(.hubRestart(hub: "main", at: .days(15), down: .hours(2))))
    }
}

@Suite("Topology documentation")
struct TopologyDocumentationTests {
    @Test func exampleInTheGuideIsValid() throws {
        let guide = TopologyFixture.topologiesDirectory.deletingLastPathComponent()
            .appendingPathComponent("docs").appendingPathComponent("topologies.md")
        let text = try String(contentsOf: guide, encoding: .utf8)
        let start = try #require(text.range(of: "## Example\n\n```yaml\n"))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        let example = try Topology.parse(yaml: String(text[start.upperBound..<end.lowerBound]), file: "docs/topologies.md")
        #expect(example.coordinator.id == "commune-agadir")
        #expect(example.general.realSeconds == 21)
        #expect(example.node(id: "association-legal-aid")?.acknowledge == .lognormal(median: .hours(1), p90: .hours(6)))
    }
}
