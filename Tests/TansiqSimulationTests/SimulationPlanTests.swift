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

    /// A simulated referrer decides automatically and has no desk: it keeps no service directory,
    /// which a desk's referrer (the policy's default) does; the coordinator still takes every status.
    @Test func simulatedReferrersKeepNoServiceDirectory() throws {
        let plan = ScenarioPlan(topology: try load("agadir-pilot.yaml"))
        let referrers = plan.agents.compactMap(\.referrer)
        #expect(!referrers.isEmpty)
        for policy in referrers {
            #expect(!ReferrerBehaviour(policy: policy).subscriptions.contains { $0.hasPrefix("service/") })
        }
        #expect(ReferrerBehaviour(policy: ReferrerPolicy()).subscriptions == ["service/"])
        #expect(CoordinatorBehaviour().subscriptions.contains("service/"))
    }

    /// Taking a category's open referrals means following every hub view of it: a provider does
    /// so only for the categories the plan refers without a receiver.
    @Test func providersFollowOnlyTheOpenCategoriesOfThePlan() throws {
        let plan = ScenarioPlan(topology: try load("agadir-pilot.yaml"))
        var open: Set<ServiceCategory> = []
        for planned in plan.cases { open.formUnion(planned.needs.filter { planned.receivers[$0] == nil }) }
        #expect(open.contains(.shelter))
        let providers = plan.agents.compactMap(\.provider)
        #expect(!providers.isEmpty)
        for policy in providers {
            let served = ProviderBehaviour(policy: policy).servedCategories
            #expect(served == Set(policy.offers.keys).intersection(open))
            #expect(Set(ProviderBehaviour(policy: policy).subscriptions) == Set(served.flatMap { ["referral/open/\($0.rawValue)/", "hub/view/\($0.rawValue)/"] }))
        }
        #expect(providers.contains { !ProviderBehaviour(policy: $0).servedCategories.isEmpty })
        // A generated network links every need: no open referral, so no provider follows views.
        let generated = ScenarioPlan(topology: try TopologyGenerator(options: .init(agencies: 21, referrals: 120, days: 2, seed: 7, drainDays: 2)).topology)
        #expect(generated.cases.allSatisfy { planned in planned.needs.allSatisfy { planned.receivers[$0] != nil } })
        #expect(generated.agents.compactMap(\.provider).allSatisfy { ProviderBehaviour(policy: $0).subscriptions.isEmpty })
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
