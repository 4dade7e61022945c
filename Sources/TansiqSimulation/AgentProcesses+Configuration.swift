import Foundation
import TansiqAgent

extension AgentProcesses {
    /// What every agent process of a run shares: the hub, the coordinator and the clock.
    struct Shared {
        var ingress: String
        var egress: String
        var coordinator: String
        var timeScale: Double
        /// The simulated time at ``clockStart``.
        var clockOrigin: Date
        /// The real instant the shared clock reads ``clockOrigin``.
        var clockStart: Date
        var logLevel: String
        /// The key files of a secure run: each agency's secret certificate and the hub's public one.
        var keys: KeyFiles? = nil
        /// Where the agents keep their state files, sealed with its master key file if any.
        var atRest: Simulation.AtRest? = nil
        /// The hub's replay endpoint; nil runs the agents without catch-up.
        var replay: String? = nil
        /// The hub's confirmed publish endpoint; nil publishes unconfirmed.
        var publish: String? = nil
    }

    /// Where a secure run wrote its certificates for the agent processes.
    struct KeyFiles {
        var directory: URL
        var hub: String
        var agencies: [String: String]
    }

    /// The launch settings of the agent process of a planned agent. Fails when the executable
    /// of its role cannot play its part.
    static func settings(of agent: ScenarioPlan.Agent, shared: Shared) throws -> AgentLaunchSettings {
        var settings = AgentLaunchSettings(
            agency: agent.agency, agent: agent.agent, role: agent.role, coordinator: shared.coordinator,
            coordinates: agent.coordinates,
            hub: AgentLaunchSettings.Hub(ingress: shared.ingress, egress: shared.egress, replay: shared.replay, publish: shared.publish),
            seed: agent.seed, subscribe: agent.subscriptions,
            clock: AgentLaunchSettings.Clock(scale: shared.timeScale, origin: shared.clockOrigin, start: shared.clockStart),
            decisions: .automatic, provider: agent.provider, referrer: agent.referrer,
            printEvents: true, stdinControl: true, logLevel: shared.logLevel)
        if let keys = shared.keys, let secret = keys.agencies[agent.agency] {
            settings.keys = AgentLaunchSettings.Keys(secretKeyFile: secret, hubKeyFile: keys.hub)
        }
        if let atRest = shared.atRest {
            settings.state = atRest.statePath(agent: agent.agent)
            settings.masterKeyFile = atRest.masterKeyFile
        }
        if let problem = settings.problems.first { throw unsupported(problem) }
        return settings
    }

    private static func unsupported(_ what: String) -> SimulationError {
        SimulationError(code: .unsupported, message: "cannot run as processes: \(what); run it as threads (without --processes)")
    }
}

