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

    /// The `--config` file of an agent executable for a planned agent: its long option names
    /// as keys. Fails when the executable of its role cannot play its part.
    static func configuration(of agent: ScenarioPlan.Agent, shared: Shared) throws -> String {
        let executable = AgentExecutables.executableName(for: Topology.Role(agent.role))
        var lines: [String] = []
        func add(_ key: String, _ value: String) { lines.append("\(key): \(quoted(value))") }
        func add(_ key: String, list values: [String]) {
            guard !values.isEmpty else { return }
            lines.append("\(key):")
            lines += values.map { "  - \(quoted($0))" }
        }
        add("agency", agent.agency)
        add("agent", agent.agent)
        add("coordinator", shared.coordinator)
        add("ingress", shared.ingress)
        add("egress", shared.egress)
        add("seed", "\(agent.seed)")
        add("subscribe", list: agent.subscriptions)
        add("time-scale", "\(shared.timeScale)")
        add("clock-origin", "\(shared.clockOrigin.timeIntervalSince1970)")
        add("clock-start", "\(shared.clockStart.timeIntervalSince1970)")
        add("log-level", shared.logLevel)
        if let keys = shared.keys, let secret = keys.agencies[agent.agency] {
            add("secret-key", secret)
            add("hub-key", keys.hub)
        } else {
            // Not the keys of the operator's environment or selected context.
            lines.append("insecure: true")
        }
        if let atRest = shared.atRest {
            add("state", atRest.statePath(agent: agent.agent))
            if let file = atRest.masterKeyFile { add("master-key-file", file) }
        }
        // A simulation's agents decide by their behaviours, never wait for people.
        lines += ["print-events: true", "stdin-control: true", "decisions: automatic"]
        if let replay = shared.replay { add("replay", replay) } else { lines.append("no-replay: true") }
        if let publish = shared.publish { add("publish", publish) } else { lines.append("no-confirm: true") }

        switch agent.role {
        case .iom:
            guard agent.provider == nil else {
                throw unsupported("\(agent.agency) is an iom node with services, and iom-agent runs no desk")
            }
        case .service, .civilSociety:
            guard agent.referrer == nil else {
                throw unsupported("\(agent.agency) opens cases, and \(executable) does not refer")
            }
        case .commune:
            if !agent.coordinates { lines.append("not-coordinator: true") }
        }
        if let provider = agent.provider {
            add("service", list: provider.offers.sorted { $0.key.rawValue < $1.key.rawValue }.map {
                "\($0.key.rawValue):\($0.value.capacity):\($0.value.unit)"
            })
            add("ack-delay", argument(provider.acknowledgeDelay))
            add("decide-delay", argument(provider.decideDelay))
            add("service-time", argument(provider.serviceTime))
            add("accept", "\(provider.acceptProbability)")
            add("fail", "\(provider.failureProbability)")
            add("status-interval", "\(provider.serviceStatusInterval)")
            if !provider.takesOpenReferrals { lines.append("no-open-referrals: true") }
            if provider.isUnresponsive { lines.append("unresponsive: true") }
        } else if agent.role != .iom {
            lines.append("no-desk: true")
        }
        if let referrer = agent.referrer {
            add("planned-case", list: referrer.cases.map { planned in
                let needs = planned.needs.map { need in planned.receivers[need].map { "\(need.rawValue)@\($0)" } ?? need.rawValue }
                return "\(planned.at):\(planned.priority.rawValue):\(needs.joined(separator: ","))"
            })
            add("route", list: referrer.routes.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue)=\($0.value)" })
            if let from = referrer.casesFrom { add("cases-from", "\(from.timeIntervalSince1970)") }
            add("first-case-number", "\(referrer.firstCaseNumber)")
            if let within = referrer.acknowledgeWithin { add("acknowledge-within", "\(within)") }
            if let within = referrer.decideWithin { add("decide-within", "\(within)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A delay as the agent executables' `--ack-delay` reads it.
    static func argument(_ delay: Delay) -> String {
        switch delay {
        case .fixed(let value): return "\(value)"
        case .exponential(let mean): return "exponential:\(mean)"
        case let .uniform(min, max): return "uniform:\(min):\(max)"
        case let .logNormal(median, p90): return "lognormal:\(median):\(p90)"
        }
    }

    private static func quoted(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private static func unsupported(_ what: String) -> SimulationError {
        SimulationError(code: .unsupported, message: "cannot run as processes: \(what); run it as threads (without --processes)")
    }
}

extension Topology.Role {
    /// The topology role of an agent role.
    init(_ role: AgentRole) {
        switch role {
        case .commune: self = .commune
        case .iom: self = .iom
        case .service: self = .service
        case .civilSociety: self = .civilSociety
        }
    }
}
