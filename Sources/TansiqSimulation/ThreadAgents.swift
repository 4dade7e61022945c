import Foundation
import Logging
import Synchronization
import TansiqAgent
import TansiqVault
import ZeroMQ

/// The agents of a run as threads of this process, sharing its ZeroMQ context and clock: a
/// thread each, or hosted by a fixed number of ``AgentHost`` threads (``Simulation/threads``).
final class ThreadAgents: AgentFleet {
    private let context: Context
    private let logger: Logger
    private let recorder: SimulationRecorder
    private let ingress: String
    private let egress: String
    private let clock: AgentClock
    private let coordinator: String
    /// Each agency's CURVE keys on a secure hub; empty on an insecure one.
    private let keys: [String: HubClientKeys]
    /// Where each agent keeps its state file, if anywhere.
    private let atRest: Simulation.AtRest?
    private let stateKey: MasterKey?
    private let replay: String?
    private let publish: String?
    private var running: [String: Task<Void, Never>] = [:]
    /// The host threads when agents share them; empty with a thread per agent.
    private let hosts: [AgentHost]
    private var hostTasks: [Task<Void, Never>] = []
    private var hosted: [String: HostedAgent] = [:]
    private var placed = 0
    private var paces: [String: DelayFactor] = [:]
    private let failures = Failures()

    init(
        context: Context, logger: Logger, recorder: SimulationRecorder, ingress: String, egress: String,
        clock: AgentClock, coordinator: String, keys: [String: HubClientKeys] = [:],
        atRest: Simulation.AtRest? = nil, stateKey: MasterKey? = nil, replay: String? = nil, publish: String? = nil,
        threads: Int? = nil
    ) throws {
        hosts = try (0..<(threads ?? 0)).map { try AgentHost(name: "tansiq-agents-\($0)", context: context) }
        self.atRest = atRest
        self.stateKey = stateKey
        self.replay = replay
        self.publish = publish
        self.context = context
        self.logger = logger
        self.recorder = recorder
        self.ingress = ingress
        self.egress = egress
        self.clock = clock
        self.coordinator = coordinator
        self.keys = keys
    }

    var checkInterval: Duration { .milliseconds(500) }

    func startMargin(referrers count: Int) -> Duration {
        .milliseconds(150 + 5 * count)
    }

    func start(_ agents: [ScenarioPlan.Agent]) async throws {
        if !hosts.isEmpty { return try await startHosted(agents) }
        var runtimes: [AgentRuntime] = []
        for planned in agents {
            let pace = paces[planned.agent] ?? DelayFactor()
            paces[planned.agent] = pace
            let configuration = configuration(of: planned)
            let runtime = try AgentRuntime(
                configuration: configuration,
                context: context, logger: logger, observer: recorder.observer(for: planned.agent),
                behaviour: {
                    Self.yieldToHub()
                    return planned.behaviour(pace: pace)
                })
            let failures = failures
            running[planned.agent] = Task {
                do {
                    try await runtime.run()
                } catch {
                    failures.list.withLock { $0.append("agent \(planned.agent) stopped: \(error)") }
                }
            }
            runtimes.append(runtime)
        }
        let limit = Duration.seconds(30) + .milliseconds(100 * agents.count)
        let starting = runtimes
        try await within(limit, "\(agents.count) agent threads") {
            for runtime in starting { try await runtime.ready() }
        }
    }

    private func configuration(of planned: ScenarioPlan.Agent) -> AgentConfiguration {
        var configuration = AgentConfiguration(
            agency: planned.agency, agent: planned.agent, role: planned.role,
            coordinator: coordinator, ingress: ingress, egress: egress,
            extraSubscriptions: planned.subscriptions, clock: clock, seed: planned.seed,
            hubKeys: keys[planned.agency], replay: replay, publish: publish)
        if let atRest {
            configuration.state = atRest.statePath(agent: planned.agent)
            configuration.stateKey = stateKey
            // A thousand caches grow with their files (a referrer's catch-up alone fills one with
            // the providers' topic cursors), up to 2 MiB each by default: 32 KiB each keeps a
            // thousand agents' caches at 32 MB, and SQLite's first allocation (20 pages) smaller.
            configuration.stateCacheKiB = 32
            // An OS crash ends the run anyway: no fsync, which (a thousand files created one
            // after the other) was most of a large run's start-up.
            configuration.stateDurability = .process
        }
        return configuration
    }

    /// Hands the agents to the host threads in turn, starting the threads the first time.
    private func startHosted(_ agents: [ScenarioPlan.Agent]) async throws {
        if hostTasks.isEmpty {
            hostTasks = hosts.map { host in
                Task {
                    do { try await host.run() } catch {}
                }
            }
        }
        var started: [HostedAgent] = []
        for planned in agents {
            let pace = paces[planned.agent] ?? DelayFactor()
            paces[planned.agent] = pace
            let host = hosts[placed % hosts.count]
            placed += 1
            let agent = host.host(
                configuration: configuration(of: planned), logger: logger, observer: recorder.observer(for: planned.agent),
                behaviour: {
                    Self.yieldToHub()
                    return planned.behaviour(pace: pace)
                })
            hosted[planned.agent] = agent
            started.append(agent)
        }
        let limit = Duration.seconds(30) + .milliseconds(100 * agents.count)
        let starting = started
        try await within(limit, "\(agents.count) hosted agents") {
            for agent in starting { try await agent.ready() }
        }
    }

    /// The nice value of agent threads; the hub's thread keeps the process's.
    static let agentNice: Int32 = 10

    /// Lowers the priority of the calling agent thread. Every message goes through the hub's
    /// one thread, and the scheduler shares the cores between threads, not between roles: with
    /// two hundred agent threads busy, the hub got too small a share, stalled for seconds, and
    /// every agent fell behind the simulated clock.
    private static func yieldToHub() {
        #if os(Linux)
        // The thread's id: /proc/thread-self links to <pid>/task/<tid>.
        guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self"),
              let tid = link.split(separator: "/").last.flatMap({ id_t($0) }) else { return }
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid, agentNice)
        #endif
    }

    func stop(_ agent: String, signal: Topology.StopSignal) async throws -> String {
        if let hostedAgent = hosted.removeValue(forKey: agent) {
            await hostedAgent.stop()
            return "\(agent): runtime stopped"
        }
        guard let task = running.removeValue(forKey: agent) else { return "\(agent) was not running" }
        task.cancel()
        await task.value
        return "\(agent): runtime stopped"
    }

    func setPace(_ agent: String, factor: Double) throws {
        paces[agent]?.set(factor)
    }

    func checkHealth() throws {
        // Asked at every step of a virtual-time run: a thousand agents are looked at only
        // once a host says that one of them failed.
        if hosts.contains(where: \.hasFailures) {
            for (name, agent) in hosted {
                if let failure = agent.failureDescription {
                    throw SimulationError(code: .agentFailed, message: "agent \(name) stopped: \(failure)")
                }
            }
        }
        if let failure = failures.list.withLock({ $0.first }) {
            throw SimulationError(code: .agentFailed, message: failure)
        }
    }

    func stopAll() async -> [String] {
        let tasks = running.values
        running = [:]
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        hosted = [:]
        for host in hosts { host.requestStop() }
        for task in hostTasks { await task.value }
        hostTasks = []
        return []
    }
}

/// Why agent threads stopped before their time, written from their tasks.
private final class Failures: Sendable {
    let list = Mutex<[String]>([])
}
