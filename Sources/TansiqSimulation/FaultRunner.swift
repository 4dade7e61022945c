import TansiqMessages
import Foundation
import TansiqAgent

/// Injects a run's `offline`, `slow` and `hub-restart` faults at their simulated times and logs
/// what it did.
///
/// `offline` stops every agent of the node at `from` (a process with the fault's signal, a thread
/// by stopping its runtime) and starts new ones at `until` (none when the window lasts to the end
/// of the run). A new agent starts on the state file of the one it replaces (its referral book,
/// its outbox of unconfirmed messages, its cursors), with its own seed, and catches up from the
/// hub's journal; a referrer's new agent opens the cases of its plan not yet opened, those due
/// while it was down at once. `hub-restart` stops the hub at `at` and starts it again `down`
/// later on the same journal and endpoints. `slow` multiplies the delays of the node's desk by `factor` for the delays drawn
/// inside the window (overlapping windows multiply).
struct FaultRunner {
    /// What one fault did, for the report.
    struct Record {
        var fault: Topology.Fault
        var node: String
        /// Simulated seconds from the scenario's start.
        var from: Double
        var until: Double
        var startedAt: Date?
        var endedAt: Date?
        var actions: [String] = []
    }

    private struct Event {
        var time: Double
        var index: Int
        var starts: Bool
    }

    private let plan: ScenarioPlan
    private let clock: AgentClock
    private let end: Double
    /// The simulated time the scenario (and every referrer's cases) counts from.
    var scenarioStart: Date
    private(set) var log: [Record] = []
    private var events: [Event] = []
    private var offlineWindows: [String: Int] = [:]
    private var downSince: [String: Double] = [:]
    private var slowFactors: [String: [Int: Double]] = [:]
    private var incarnations: [String: Int] = [:]

    init(topology: Topology, plan: ScenarioPlan, clock: AgentClock) {
        self.plan = plan
        self.clock = clock
        end = topology.general.end.seconds
        scenarioStart = clock.now()
        for fault in topology.faults {
            switch fault {
            case let .offline(node, from, until, _), let .slow(node, _, from, until):
                let index = log.count
                log.append(Record(fault: fault, node: node, from: from.seconds, until: until.seconds))
                events.append(Event(time: from.seconds, index: index, starts: true))
                if until.seconds < end { events.append(Event(time: until.seconds, index: index, starts: false)) }
            case let .hubRestart(hub, at, down):
                let index = log.count
                log.append(Record(fault: fault, node: hub, from: at.seconds, until: at.seconds + down.seconds))
                events.append(Event(time: at.seconds, index: index, starts: true))
                // Down for no time: stopped and started by one event (an end sorts before a start).
                if down.seconds > 0, at.seconds + down.seconds < end {
                    events.append(Event(time: at.seconds + down.seconds, index: index, starts: false))
                }
            }
        }
        // In time order; at one instant a window ends before the next begins.
        events.sort { ($0.time, $0.starts ? 1 : 0, $0.index) < ($1.time, $1.starts ? 1 : 0, $1.index) }
    }

    /// The simulated time of the next fault event, if any.
    var nextTime: Double? { events.first?.time }

    /// Carries out every event due by `elapsed` simulated seconds.
    mutating func execute(dueBy elapsed: Double, on fleet: any AgentFleet, hub: SimulatedHub? = nil) async throws {
        while let event = events.first, event.time <= elapsed {
            events.removeFirst()
            let record = log[event.index]
            let agents = plan.agents.filter { $0.agency == record.node }
            var actions: [String] = []
            switch record.fault {
            case .offline(_, _, _, let signal):
                if event.starts {
                    offlineWindows[record.node, default: 0] += 1
                    if offlineWindows[record.node] == 1 {
                        downSince[record.node] = elapsed
                        for agent in agents { actions.append(try await fleet.stop(agent.agent, signal: signal)) }
                    }
                } else {
                    offlineWindows[record.node, default: 1] -= 1
                    if offlineWindows[record.node] == 0 {
                        let down = downSince[record.node] ?? event.time
                        try await fleet.start(agents.map { restarted($0, downAt: down) })
                        try applyPace(record.node, on: fleet)
                        actions.append("started again: \(agents.map(\.agent).joined(separator: ", "))")
                    }
                }
            case .slow(_, let factor, _, _):
                if event.starts {
                    slowFactors[record.node, default: [:]][event.index] = factor
                } else {
                    slowFactors[record.node]?[event.index] = nil
                }
                if offlineWindows[record.node, default: 0] == 0 { try applyPace(record.node, on: fleet) }
                actions.append("delays ×\(paceFactor(record.node))")
            case .hubRestart:
                guard let hub else {
                    actions.append("no hub to restart")
                    break
                }
                if event.starts {
                    await hub.stop()
                    actions.append("hub stopped")
                }
                if !event.starts || record.until == record.from {
                    let endpoints = try await hub.start()
                    actions.append("hub started again on its journal (\(endpoints.ingress))")
                }
            }
            if event.starts {
                log[event.index].startedAt = clock.now()
            } else {
                log[event.index].endedAt = clock.now()
            }
            log[event.index].actions += actions
        }
    }

    private func paceFactor(_ node: String) -> Double {
        slowFactors[node, default: [:]].values.reduce(1, *)
    }

    private func applyPace(_ node: String, on fleet: any AgentFleet) throws {
        for agent in plan.agents where agent.agency == node && agent.provider != nil {
            try fleet.setPace(agent.agent, factor: paceFactor(node))
        }
    }

    /// The agent that replaces `planned` after it was stopped at `downAt` simulated seconds.
    private mutating func restarted(_ planned: ScenarioPlan.Agent, downAt: Double) -> ScenarioPlan.Agent {
        let number = incarnations[planned.agent, default: 1] + 1
        incarnations[planned.agent] = number
        var agent = planned
        var seeds = SeededGenerator(seed: planned.seed, stream: "incarnation/\(number)")
        agent.seed = seeds.next()
        if var referrer = agent.referrer {
            let opened = referrer.cases.filter { $0.at < downAt }.count
            referrer.cases.removeAll { $0.at < downAt }
            referrer.firstCaseNumber = opened + 1
            referrer.casesFrom = scenarioStart
            agent.referrer = referrer
        }
        return agent
    }
}
