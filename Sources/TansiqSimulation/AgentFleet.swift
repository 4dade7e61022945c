import Foundation
import TansiqAgent

/// The agents of a run: threads of this process (``ThreadAgents``) or processes of the agent
/// executables (``AgentProcesses``). Driven by one task, the simulation's.
protocol AgentFleet: AnyObject {
    /// How often the run looks at the agents' health.
    var checkInterval: Duration { get }

    /// Real time given to `count` referrers to become ready: their cases count from then.
    func startMargin(referrers count: Int) -> Duration

    /// Starts agents and returns once every one is ready.
    func start(_ agents: [ScenarioPlan.Agent]) async throws

    /// Stops one running agent (an offline fault); returns what was done, for the report.
    func stop(_ agent: String, signal: Topology.StopSignal) async throws -> String

    /// Sets the factor of the delays of an agent's desk.
    func setPace(_ agent: String, factor: Double) throws

    /// Throws when an agent has failed.
    func checkHealth() throws

    /// Stops every running agent, agents first and gracefully; returns notes for the report
    /// (an agent that had to be killed).
    func stopAll() async -> [String]
}

extension AgentFleet {
    /// Runs `body`, failing with `agentNotReady` if it takes longer than `limit`.
    func within<T: Sendable>(
        _ limit: Duration, _ what: @autoclosure () -> String, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let message = what()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw SimulationError(code: .agentNotReady, message: "\(message) not ready within \(limit)")
            }
            return value
        }
    }
}

extension ScenarioPlan.Agent {
    /// The behaviour a planned agent runs: coordinator, desk and cases as the plan says.
    func behaviour(pace: DelayFactor) -> any AgentBehaviour {
        AgentLaunchSettings(
            agency: agency, agent: agent, role: role, coordinator: "", coordinates: coordinates,
            hub: AgentLaunchSettings.Hub(ingress: "", egress: ""), provider: provider, referrer: referrer
        ).behaviour(pace: pace)
    }
}
