import Foundation
import Logging
import TansiqAgent
import TansiqHub
import ZeroMQ

/// Runs a topology in this process: one hub, every agent on its own thread, all on one clock
/// running `timeScale` times faster than real time; stops by itself after `stop_time + drain`
/// of simulated time and reports what happened.
///
/// Faults are not injected yet: the report lists them under ``SimulationReport/faultsNotExecuted``.
/// Every agency connects to the topology's first hub.
public struct Simulation: Sendable {
    /// The network to run.
    public let topology: Topology
    /// The cases and agents, drawn from the seed.
    public let plan: ScenarioPlan
    /// Simulated seconds per real second.
    public let timeScale: Double
    /// Whether the hub and the agents use CURVE, with keys made for the run and a least-privilege
    /// policy (the default); `false` runs an insecure hub.
    public let secure: Bool

    /// Prepares a run; `seed` and `timeScale` override the topology's `general` values.
    public init(topology: Topology, seed: UInt64? = nil, timeScale: Double? = nil, secure: Bool = true) {
        self.secure = secure
        self.topology = topology
        self.plan = ScenarioPlan(topology: topology, seed: seed)
        self.timeScale = timeScale ?? topology.general.timeScale
    }

    /// The real seconds the simulated part of a run lasts.
    public var realSeconds: Double { topology.general.end.seconds / timeScale }

    /// Runs the network to its end and returns the report. `progress` is called about twice
    /// a second while the simulated time runs.
    public func run(
        logger: Logger, progress: (@Sendable (SimulationProgress) -> Void)? = nil
    ) async throws -> SimulationReport {
        let started = ContinuousClock.now
        let recorder = SimulationRecorder()
        let context = try Context(ioThreads: 2)
        defer { context.shutdown() }
        let hubSpec = topology.hubs.first ?? Topology.Hub(id: Topology.Hub.defaultID)
        let security = secure ? try RunSecurity(plan: plan, behaviour: Self.behaviour(of:)) : nil
        let hub = try Hub(
            configuration: HubConfiguration(
                hubID: hubSpec.id, ingress: hubSpec.ingress.description, egress: hubSpec.egress.description,
                security: security?.hub ?? .insecure),
            context: context, logger: logger)
        let hubTask = Task { try await hub.run() }
        var tasks: [Task<Void, any Error>] = []
        do {
            let endpoints = try await hub.endpoints()
            let clock = AgentClock(scale: timeScale)
            func start(_ agents: [ScenarioPlan.Agent]) async throws {
                let runtimes = try agents.map { planned in
                    try AgentRuntime(
                        configuration: AgentConfiguration(
                            agency: planned.agency, agent: planned.agent, role: planned.role,
                            coordinator: topology.coordinator.id, ingress: endpoints.ingress, egress: endpoints.egress,
                            extraSubscriptions: planned.subscriptions, clock: clock, seed: planned.seed,
                            hubKeys: security?.agencies[planned.agency]),
                        context: context, logger: logger, observer: recorder.observer,
                        behaviour: { Self.behaviour(of: planned) })
                }
                for runtime in runtimes { tasks.append(Task { try await runtime.run() }) }
                for runtime in runtimes { try await runtime.ready() }
            }
            // A referral sent before its receiver subscribes is lost: referrers start last.
            try await start(plan.agents.filter { !$0.refers })
            try await start(plan.agents.filter(\.refers))

            let run = ContinuousClock.now
            let end = topology.general.end
            while true {
                let elapsed = Self.seconds(ContinuousClock.now - run) * timeScale
                let counts = recorder.progress
                progress?(SimulationProgress(
                    simulated: .seconds(min(elapsed, end.seconds)), end: end, sent: counts.sent, completed: counts.completed))
                guard elapsed < end.seconds else { break }
                let left = (end.seconds - elapsed) / timeScale
                try await Task.sleep(for: .milliseconds(Int(min(0.5, left) * 1000) + 1))
            }
        } catch {
            await Self.stop(tasks, hubTask)
            throw error
        }
        let counters = hub.counters
        await Self.stop(tasks, hubTask)
        return SimulationReport(
            topology: topology, plan: plan, timeScale: timeScale, recorded: recorder.snapshot,
            hub: counters, wallSeconds: Self.seconds(ContinuousClock.now - started))
    }

    private static func behaviour(of agent: ScenarioPlan.Agent) -> any AgentBehaviour {
        var parts: [any AgentBehaviour] = []
        if agent.coordinates { parts.append(CoordinatorBehaviour()) }
        if let provider = agent.provider { parts.append(ProviderBehaviour(policy: provider)) }
        if let referrer = agent.referrer { parts.append(ReferrerBehaviour(policy: referrer)) }
        return parts.count == 1 ? parts[0] : CombinedBehaviour(parts)
    }

    /// Every agent at once, then the hub, so that the agents' last messages still go through.
    private static func stop(_ tasks: [Task<Void, any Error>], _ hub: Task<Void, any Error>) async {
        for task in tasks { task.cancel() }
        for task in tasks { _ = try? await task.value }
        hub.cancel()
        _ = try? await hub.value
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
