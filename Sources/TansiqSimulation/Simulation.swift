import Foundation
import Logging
import TansiqAgent
import TansiqHub
import TansiqVault
import ZeroMQ

/// Runs a topology: one hub in this process and every agent — threads of this process, or
/// processes of the agent executables — on one clock running `timeScale` times faster than real
/// time; injects the topology's `offline`, `slow` and `hub-restart` faults; stops by itself
/// after `stop_time + drain` of simulated time and reports what happened.
///
/// The hub journals in the run's directory and binds its replay and confirmed publish
/// endpoints; every agent keeps a state file there, catches up from the journal when it starts
/// (again, after an offline fault) or when the hub comes back, and publishes confirmed, so an
/// offline partner or a restarted hub loses nothing. The providers and the coordinator start
/// first, then the referrers; the scenario clock starts once all are ready, and the referrers'
/// cases count from it. Every agency connects to the topology's first hub: over its `tcp://` or
/// `ipc://` endpoints when agents are processes, over `inproc://` endpoints when they are
/// threads of this process (over loopback when the run is secure or restarts the hub).
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
    /// Where the run keeps a journal and agent state files; `nil` keeps everything in memory.
    public var atRest: AtRest?
    /// How the run's time passes: with the wall clock (`timeScale` times faster), or in virtual
    /// time (as fast as the work), which only agents that are threads of this process can follow.
    public var time: SimulationTime = .wall
    /// How many threads host the agents when they are threads of this process (``AgentHost``):
    /// `nil` gives every agent a thread of its own.
    public var threads: Int?
    /// In virtual time, the grid the clock moves on: each jump goes to the first multiple of the
    /// step (from the run's start) at or after the next thing due, so that what falls due within
    /// one step happens at one instant. `nil` (the default): every event at its own time.
    /// Fewer, fuller instants make a large network's run faster; its times are then late by up
    /// to a step, and the agents of one instant act in the order their messages reach the hub,
    /// which the same seed does not fix.
    public var timeStep: SimulatedDuration?

    /// Prepares a run; `seed` and `timeScale` override the topology's `general` values.
    /// Pull it to end the run early with a partial report.
    public let interruption = SimulationInterruption()

    public init(topology: Topology, seed: UInt64? = nil, timeScale: Double? = nil, secure: Bool = true) {
        self.secure = secure
        self.topology = topology
        self.plan = ScenarioPlan(topology: topology, seed: seed)
        self.timeScale = timeScale ?? topology.general.timeScale
    }

    /// The real seconds the simulated part of a run lasts.
    public var realSeconds: Double { topology.general.end.seconds / timeScale }

    /// Runs the network with every agent a thread of this process, and returns the report.
    /// `progress` is called about twice a second while the simulated time runs.
    public func run(
        logger: Logger, progress: (@Sendable (SimulationProgress) -> Void)? = nil
    ) async throws -> SimulationReport {
        try await play(processes: nil, logger: logger, progress: progress)
    }

    /// Runs the network with every agent a process of its role's executable (`commune-agent`,
    /// `iom-agent`, `services-agent`, `civil-society-agent`) found in `executables`, and returns
    /// the report. Throws ``SimulationError`` when an executable is missing, an agent never
    /// becomes ready or an agent process fails during the run; every process is stopped first.
    public func run(
        processes executables: AgentExecutables, logger: Logger,
        progress: (@Sendable (SimulationProgress) -> Void)? = nil
    ) async throws -> SimulationReport {
        let missing = executables.missing(for: topology)
        guard missing.isEmpty else {
            throw SimulationError(
                code: .executableMissing,
                message: "no \(missing.joined(separator: ", ")) in \(executables.directory.path); build them (swift build) or give their directory with --agents-directory")
        }
        // Refuse a node its role's executable cannot play before anything starts.
        let anyShared = AgentProcesses.Shared(
            ingress: "", egress: "", coordinator: topology.coordinator.id, timeScale: timeScale,
            clockOrigin: Date(), clockStart: Date(), logLevel: executables.logLevel)
        for agent in plan.agents { _ = try AgentProcesses.settings(of: agent, shared: anyShared) }
        return try await play(processes: executables, logger: logger, progress: progress)
    }

    private func play(
        processes executables: AgentExecutables?, logger: Logger, progress: (@Sendable (SimulationProgress) -> Void)?
    ) async throws -> SimulationReport {
        let started = ContinuousClock.now
        let recorder = SimulationRecorder()
        let restartsHub = topology.faults.contains { $0.kind == "hub-restart" }
        let overInproc = executables == nil && !secure && !restartsHub
        // A network too large for the process's open-file limit is refused before anything
        // starts (the limit raised first as far as it may go), not half-started with EMFILE.
        let budget = DescriptorBudget(
            agents: plan.agents.count, threads: executables == nil, overLoopback: !overInproc,
            hosted: threads != nil, virtualTime: time == .virtual)
        try budget.raiseLimit(agents: plan.agents.count)
        // Every thread agent has seven or eight sockets (subscription, publisher, confirmed
        // publisher, replay, two monitors of two): a hundred and fifty pass libzmq's default of 1,023.
        let context = try Context(ioThreads: 2, maxSockets: Int32(clamping: max(16_384, budget.sockets)))
        defer { context.shutdown() }
        let hubSpec = topology.hubs.first ?? Topology.Hub(id: Topology.Hub.defaultID)
        var security = secure ? try RunSecurity(plan: plan, behaviour: { $0.behaviour(pace: DelayFactor()) }) : nil
        defer { security?.removeFiles() }
        var ingress = hubSpec.ingress.description
        var egress = hubSpec.egress.description
        var replay = hubSpec.replay.description
        var publish = Self.sibling(of: hubSpec.ingress, named: "publish")
        if overInproc {
            // Threads share the hub's context: inproc pipes hand each message over without
            // copying it, and one copy serves every subscriber however far behind it is.
            let name = "tansiq-sim-\(UUID().uuidString.lowercased())"
            ingress = "inproc://\(name)/ingress"
            egress = "inproc://\(name)/egress"
            replay = "inproc://\(name)/replay"
            publish = "inproc://\(name)/publish"
        } else if executables == nil {
            // CURVE and ZAP act only on connections with a handshake (tcp, ipc), never on
            // inproc; and an inproc peer does not reconnect to a restarted hub: such threads
            // reach the hub over loopback, on ports of their own.
            (ingress, egress, replay, publish) = ("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", "tcp://127.0.0.1:*")
        }
        // Every run journals and gives its agents state files: in the directory asked for (kept),
        // or in a temporary one removed at the end, sealed then with a key made for the run.
        let temporaryRun = atRest == nil
        let runDirectory = atRest?.directory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-run-\(UUID().uuidString.prefix(8).lowercased())").path
        try PrivateFiles.makeDirectory(runDirectory)
        try PrivateFiles.makeDirectory(runDirectory + "/agents")
        defer { if temporaryRun { try? FileManager.default.removeItem(atPath: runDirectory) } }
        var files = atRest ?? AtRest(directory: runDirectory)
        if temporaryRun {
            files.masterKeyFile = runDirectory + "/master.key"
            try MasterKey.generate().write(to: runDirectory + "/master.key")
        }
        // The hub checks deadlines on the network's clock: a simulated hour passes in
        // 1/timeScale of a real hour, so five real seconds of delivery (a loaded machine) are
        // its clock skew: a referral must never be refused for the machine's lag.
        let virtual = executables == nil && time == .virtual ? VirtualTime(origin: Self.virtualOrigin) : nil
        let clock = virtual.map(AgentClock.init(virtual:)) ?? AgentClock(scale: timeScale, origin: Date())
        var hubConfiguration = HubConfiguration(
            hubID: hubSpec.id, ingress: ingress, egress: egress, journal: try files.journal(),
            replay: replay, security: security?.hub ?? .insecure, publish: publish)
        hubConfiguration.registry.coordinator = topology.coordinator.id
        if virtual == nil {
            hubConfiguration.registry.clockSkew = max(hubConfiguration.registry.clockSkew, timeScale * 5)
        } else {
            // A rate in messages per real second means nothing where a day passes in a moment;
            // and the probes of virtual time would spend it.
            hubConfiguration.rateLimit = nil
        }
        let hub = SimulatedHub(
            configuration: hubConfiguration, context: context, clock: HubClock { clock.now() },
            observer: virtual.map(VirtualTimeHubWatch.init(virtual:)), logger: logger)
        let fleet: any AgentFleet
        var processFleet: AgentProcesses?
        do {
            let endpoints = try await hub.start()
            if let executables {
                guard !endpoints.ingress.hasPrefix("inproc:"), !endpoints.egress.hasPrefix("inproc:") else {
                    throw SimulationError(code: .unsupported, message: "agent processes cannot reach a hub on inproc:// endpoints; use tcp:// or ipc://")
                }
                let shared = AgentProcesses.Shared(
                    ingress: endpoints.ingress, egress: endpoints.egress, coordinator: topology.coordinator.id,
                    timeScale: timeScale, clockOrigin: clock.origin,
                    clockStart: Date().addingTimeInterval(-Self.seconds(ContinuousClock.now - clock.start)),
                    logLevel: executables.logLevel, keys: try security?.certificateFiles(), atRest: files,
                    replay: endpoints.replay, publish: endpoints.publish)
                let agents = try AgentProcesses(executables: executables, shared: shared, recorder: recorder, logger: logger)
                processFleet = agents
                fleet = agents
            } else {
                fleet = try ThreadAgents(
                    context: context, logger: logger, recorder: recorder, ingress: endpoints.ingress,
                    egress: endpoints.egress, clock: clock, coordinator: topology.coordinator.id,
                    keys: security?.agencies ?? [:], atRest: files, stateKey: try files.masterKey(),
                    replay: endpoints.replay, publish: endpoints.publish, threads: threads)
            }
        } catch {
            await hub.stop()
            throw error
        }

        var run = FaultRunner(topology: topology, plan: plan, clock: clock)
        var notes: [String] = []
        do {
            if let virtual {
                try await playVirtual(virtual, fleet: fleet, hub: hub, recorder: recorder, run: &run, notes: &notes, progress: progress)
            } else {
                try await playWall(clock, fleet: fleet, hub: hub, recorder: recorder, run: &run, notes: &notes, progress: progress)
            }
        } catch {
            // Ctrl-C at a terminal reaches the agent processes too: one of them may die before
            // the interruption is seen here. Give the signal handler a moment to say so.
            for _ in 0..<20 where !interruption.isRequested && executables != nil {
                try? await Task.sleep(for: .milliseconds(50))
            }
            guard interruption.isRequested else {
                _ = await fleet.stopAll()
                await hub.stop()
                processFleet?.removeFiles()
                throw error
            }
            notes.append("INTERRUPTED: a partial report; referrals still in flight count as not completed")
        }
        notes += await fleet.stopAll()
        await hub.stop()
        let counters = hub.counters
        processFleet?.removeFiles()
        return SimulationReport(
            topology: topology, plan: plan, timeScale: timeScale,
            mode: executables == nil ? Self.threadMode(threads) + (virtual == nil ? "" : ", virtual time") : "processes",
            recorded: recorder.snapshot, hub: counters, faults: run.log, scenarioStart: run.scenarioStart, notes: notes,
            wallSeconds: Self.seconds(ContinuousClock.now - started))
    }

    /// How the agents ran as threads: one each, or hosted by a few.
    static func threadMode(_ threads: Int?) -> String {
        threads.map { "agents on \($0) host thread\($0 == 1 ? "" : "s")" } ?? "threads"
    }

    /// The scenario on the wall clock: the referrers start after a margin, and every step
    /// waits for its real time.
    private func playWall(
        _ clock: AgentClock, fleet: any AgentFleet, hub: SimulatedHub, recorder: SimulationRecorder, run: inout FaultRunner,
        notes: inout [String], progress: (@Sendable (SimulationProgress) -> Void)?
    ) async throws {
        do {
            // A referral sent before its receiver subscribes is lost: referrers start last.
            try await fleet.start(plan.agents.filter { !$0.refers })
            let referrers = plan.agents.filter(\.refers)
            let margin = fleet.startMargin(referrers: referrers.count)
            let scenarioStart = ContinuousClock.now + margin
            let casesFrom = clock.now().addingTimeInterval(Self.seconds(margin) * timeScale)
            run.scenarioStart = casesFrom
            try await fleet.start(referrers.map { planned in
                var planned = planned
                planned.referrer?.casesFrom = casesFrom
                return planned
            })
            let late = ContinuousClock.now - scenarioStart
            if late > .zero {
                notes.append(String(format: "the referrers became ready %.2f s after the scenario clock started: cases due meanwhile opened late", Self.seconds(late)))
            } else {
                try await Task.sleep(until: scenarioStart)
            }

            let end = topology.general.end
            var lastProgress = ContinuousClock.now - .seconds(1)
            while true {
                let elapsed = Self.seconds(ContinuousClock.now - scenarioStart) * timeScale
                try await run.execute(dueBy: min(elapsed, end.seconds), on: fleet, hub: hub)
                try fleet.checkHealth()
                if ContinuousClock.now - lastProgress >= .milliseconds(500) || elapsed >= end.seconds {
                    lastProgress = ContinuousClock.now
                    let counts = recorder.progress
                    progress?(SimulationProgress(
                        simulated: .seconds(min(elapsed, end.seconds)), end: end, sent: counts.sent, completed: counts.completed))
                }
                guard elapsed < end.seconds else { break }
                if interruption.isRequested {
                    notes.append(String(
                        format: "INTERRUPTED at %.1f of %.1f simulated days: a partial report; referrals still in flight count as not completed",
                        elapsed / 86_400, end.seconds / 86_400))
                    break
                }
                let next = min(end.seconds, run.nextTime ?? end.seconds)
                let wait = min(Self.seconds(fleet.checkInterval), max(0, next - elapsed) / timeScale)
                try await Task.sleep(for: .microseconds(Int64(wait * 1e6) + 500))
            }
        }
    }

    /// A further endpoint beside `endpoint`: any loopback port for tcp, `<path>-<name>` for ipc,
    /// `<name>` under it for inproc.
    static func sibling(of endpoint: Topology.Endpoint, named name: String) -> String {
        let text = endpoint.description
        if text.hasPrefix("ipc://") { return "\(text)-\(name)" }
        if text.hasPrefix("inproc://") { return "\(text)-\(name)" }
        return "tcp://127.0.0.1:*"
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
