import Foundation
import TansiqAgent
import TansiqMessages
import Testing
@testable import TansiqSimulation

@Suite("Scenario plan")
struct SimulationPlanTests {
    private func load(_ name: String) throws -> Topology {
        try Topology.load(contentsOf: TopologyFixture.topologiesDirectory.appendingPathComponent(name))
    }

    @Test func sameSeedGivesSamePlan() throws {
        let pilot = try load("agadir-pilot.yaml")
        let first = ScenarioPlan(topology: pilot)
        let second = ScenarioPlan(topology: pilot)
        #expect(first == second)
        #expect(first.cases.count > 100)
    }

    @Test func differentSeedGivesDifferentPlan() throws {
        let pilot = try load("agadir-pilot.yaml")
        let first = ScenarioPlan(topology: pilot, seed: 1)
        let second = ScenarioPlan(topology: pilot, seed: 2)
        #expect(first.cases != second.cases)
        #expect(first.agents.map(\.seed) != second.agents.map(\.seed))
    }

    @Test func needsFollowLinksOrGoOpen() throws {
        let pilot = try load("agadir-pilot.yaml")
        let plan = ScenarioPlan(topology: pilot)
        for planned in plan.cases {
            #expect(Set(planned.needs).count == planned.needs.count)
            #expect(pilot.scenario.needsPerCase.contains(planned.needs.count))
            for need in planned.needs {
                let allowed = Set(pilot.routes(from: planned.referrer, for: need).map(\.to))
                if allowed.isEmpty {
                    #expect(planned.receivers[need] == nil, "no link: open referral")
                } else {
                    #expect(planned.receivers[need].map(allowed.contains) == true)
                }
            }
        }
        #expect(plan.cases.contains { $0.needs.contains(.shelter) && $0.receivers[.shelter] == nil })
    }

    @Test func casesStayWithinStopTimeAndCap() throws {
        var minimal = try load("minimal.yaml")
        #expect(ScenarioPlan(topology: minimal).cases.map(\.at.seconds) == (1...8).map { Double($0) * 6 * 3600 })
        minimal.scenario.cases = 3
        #expect(ScenarioPlan(topology: minimal).cases.count == 3)
    }

    @Test func agenciesWithSeveralAgentsShareCasesAndAnswerOnce() throws {
        let pilot = try load("agadir-pilot.yaml")
        let plan = ScenarioPlan(topology: pilot)
        let iom = plan.agents.filter { $0.agency == "iom-morocco" }
        #expect(iom.map(\.agent) == ["iom-morocco-1", "iom-morocco-2"])
        let counts = iom.map { $0.referrer?.cases.count ?? 0 }
        #expect(counts.allSatisfy { $0 > 0 })
        #expect(abs(counts[0] - counts[1]) <= 1)
        let health = plan.agents.filter { $0.agency == "health-delegation-agadir" }
        #expect(health.map { $0.provider != nil } == [true, false])
        #expect(health[0].provider?.offers[.health]?.capacity == 25)
        #expect(plan.agents.filter(\.coordinates).map(\.agent) == ["commune-agadir-1"])
    }

    @Test func distributionsScaleAndRoundTripThroughLaunchSettings() throws {
        let distributions: [Distribution] = [
            .fixed(.hours(2)), .uniform(min: .days(5), max: .days(12)),
            .exponential(mean: .days(3)), .lognormal(median: .hours(3), p90: .hours(12)),
        ]
        for distribution in distributions {
            let data = try JSONEncoder().encode(distribution)
            #expect(try JSONDecoder().decode(Distribution.self, from: data) == distribution)
            #expect(abs(distribution.scaled(by: 2).mean.seconds - 2 * distribution.mean.seconds) < 1e-6)
        }
        #expect(Distribution.fixed(.hours(1)).scaled(by: 2) == .fixed(.seconds(7200)))
    }
}
