import Logging
import Synchronization
import ZeroMQ

/// One thread that runs many agents: each keeps its own sockets, book, state file and timers,
/// and the thread polls the sockets of all of them in one `zmq_poll`, then gives each agent its
/// round. An agent's sockets are made, used and closed on this thread only (the ZeroMQ
/// thread rule), so a few hosts carry a thousand agents without a thread each.
///
/// ``run()`` starts the thread; ``host(configuration:logger:observer:behaviour:)`` hands it an
/// agent, which it creates between two rounds.
public final class AgentHost: Sendable {
    private let thread: SocketThread
    private let zmq: Context
    /// Requests for the thread; closed once it has ended (later ones are answered at once).
    private let inbox = Mutex<(requests: [Request], closed: Bool)>(([], false))
    /// Wakes the thread for a request; the hosted agents' virtual-time wake-ups share its pipe.
    private let wake: WakeSignal
    /// How many of its agents stopped on their own or could not start.
    fileprivate let failures = Atomic<Int>(0)

    /// Whether any agent of this host stopped on its own or could not start (then its
    /// ``HostedAgent/failureDescription`` says why): one load, where asking each agent takes
    /// a lock each.
    public var hasFailures: Bool { failures.load(ordering: .acquiring) > 0 }

    private enum Request {
        case add(HostedAgent)
        case remove(HostedAgent)
    }

    /// A host of agents sharing `context` (a hub's in the same process, say).
    /// Throws when the process has no descriptor left for the host's wake-up pipe.
    public init(name: String, context: Context) throws(AgentResourceError) {
        wake = try WakeSignal()
        thread = SocketThread(name: name)
        zmq = context
    }

    /// Runs the host's thread until ``requestStop()`` (or the task's cancellation); every agent
    /// still hosted is then closed (its state saved) on the thread before this returns.
    public func run() async throws {
        try await thread.run { [self] thread in serve(thread) }
    }

    /// Asks the thread to close its agents and end. Safe from any thread.
    public func requestStop() {
        thread.requestStop()
        wake.signal()
    }

    /// Hands an agent to the host: it is created on the host's thread at its next round, and
    /// made ready like an ``AgentRuntime``. The behaviour is made on the host's thread too.
    public func host(
        configuration: AgentConfiguration, logger: Logger, observer: AgentObserver? = nil,
        behaviour: @escaping AgentBehaviourFactory
    ) -> HostedAgent {
        var logger = logger
        logger[metadataKey: "agency"] = "\(configuration.agency)"
        logger[metadataKey: "agent"] = "\(configuration.agent)"
        let agent = HostedAgent(host: self, configuration: configuration, logger: logger, observer: observer, behaviour: behaviour)
        send(.add(agent))
        return agent
    }

    fileprivate func remove(_ agent: HostedAgent) {
        send(.remove(agent))
    }

    private func send(_ request: Request) {
        let accepted = inbox.withLock { inbox -> Bool in
            guard !inbox.closed else { return false }
            inbox.requests.append(request)
            return true
        }
        guard accepted else { return Self.refuse(request) }
        wake.signal()
    }

    /// A request the ended thread will never see: the agent never starts, or is already closed.
    private static func refuse(_ request: Request) {
        switch request {
        case .add(let agent): agent.finish(AgentHostStopped())
        case .remove(let agent): agent.finish(nil)
        }
    }

    // MARK: The host's thread

    /// One agent on the host's thread: its loop, the poller of its own sockets (indexed as its
    /// round reads them) and when its prepared round ends if none of them is ready first.
    private final class Slot {
        let handle: HostedAgent
        let loop: AgentLoop
        var poller = Poller()
        var descriptors: [Int32] = []
        /// Whether its round is prepared, and then when it ends (nanoseconds from the host's
        /// epoch): plain integers, since a round looks at every agent of the host.
        var prepared = false
        var due: Int64 = 0
        /// Its sockets fired, or were used in the last round: polled at the next one.
        var candidate = false

        init(handle: HostedAgent, loop: AgentLoop) {
            self.handle = handle
            self.loop = loop
            loop.register(in: &poller)
        }
    }

    private func serve(_ thread: SocketThread) {
        var agents: [Slot] = []
        var byKey: [ObjectIdentifier: Slot] = [:]
        let readiness = DescriptorWatch<ObjectIdentifier>(wake: wake.fileDescriptor)
        // Agents whose sockets were used in the last round: a socket's descriptor signals a
        // change once, and a socket used since may hold what it has not signalled. Polled
        // again (`.zero`) at the next round; the others only when their descriptors fire or
        // their wait is over, so a round costs what is ready, not the whole host.
        var hot: [Slot] = []
        let epoch = ContinuousClock.now
        func nanoseconds(_ duration: Duration) -> Int64 {
            let (seconds, attoseconds) = duration.components
            return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        }
        defer {
            for agent in agents {
                agent.loop.close()
                agent.handle.finish(nil)
            }
            readiness.close()
            // Agents handed over after the end never start.
            let left = inbox.withLock { inbox in
                inbox.closed = true
                defer { inbox.requests = [] }
                return inbox.requests
            }
            for request in left { Self.refuse(request) }
        }
        func drop(_ slot: Slot) {
            readiness.remove(slot.descriptors)
            slot.loop.close()
            byKey[ObjectIdentifier(slot)] = nil
            hot.removeAll { $0 === slot }
        }
        while !thread.isStopRequested {
            for request in inbox.withLock({ inbox in defer { inbox.requests = [] }; return inbox.requests }) {
                switch request {
                case .add(let agent):
                    do {
                        let loop = try AgentLoop(
                            configuration: agent.configuration, zmq: zmq, behaviour: agent.makeBehaviour(),
                            observer: agent.observer, hostWake: wake, logger: agent.logger)
                        loop.onReady = { agent.startup.succeed(()) }
                        let slot = Slot(handle: agent, loop: loop)
                        slot.descriptors = try slot.poller.descriptors()
                        readiness.add(slot.descriptors, for: ObjectIdentifier(slot))
                        agents.append(slot)
                        byKey[ObjectIdentifier(slot)] = slot
                        hot.append(slot)
                    } catch {
                        agent.finish(error)
                    }
                case .remove(let agent):
                    if let index = agents.firstIndex(where: { $0.handle === agent }) {
                        drop(agents.remove(at: index))
                    }
                    agent.finish(nil)
                }
            }
            // Each agent's round as on a thread of its own: prepared, then finished once its
            // sockets are ready or its wait is over; the wait is for the earliest.
            let started = nanoseconds(epoch.duration(to: .now))
            var wait: Int64 = 500_000_000
            for agent in agents {
                if !agent.prepared {
                    agent.due = started + nanoseconds(agent.loop.prepareRound())
                    agent.prepared = true
                }
                wait = min(wait, agent.due - started)
            }
            let wokeByPipe: Bool
            do {
                let outcome = try readiness.wait(timeout: hot.isEmpty ? .nanoseconds(max(0, wait)) : .zero)
                if outcome.woken { wake.drain() }
                for key in outcome.fired { byKey[key]?.candidate = true }
                wokeByPipe = outcome.woken
            } catch {
                for agent in agents { agent.handle.fail("\(error)") }
                return
            }
            for agent in hot { agent.candidate = true }
            hot = []
            // The shared pipe woke the thread: the agents marked pending (a clock's jump) run too.
            let woken = wokeByPipe
            let now = nanoseconds(epoch.duration(to: .now))
            var failed: [Slot] = []
            // In the order the agents came, as the poll over all of them did.
            for agent in agents {
                let due = now >= agent.due
                let candidate = agent.candidate
                agent.candidate = false
                guard due || candidate || (woken && agent.loop.isWakePending) else { continue }
                do {
                    let ready = try agent.poller.poll(timeout: .zero)
                    guard due || agent.loop.hasReady(ready) else { continue }
                    agent.prepared = false
                    hot.append(agent)
                    try agent.loop.finishRound(ready)
                } catch where error.isTerminated {
                    agent.handle.logger.info("agent context terminated")
                    return
                } catch {
                    // One agent's transport error stops that agent, as it would its own thread.
                    agent.handle.fail("\(error)")
                    failed.append(agent)
                }
            }
            for agent in failed {
                agents.removeAll { $0 === agent }
                drop(agent)
                agent.handle.finish(nil)
            }
        }
    }
}

/// An agent run by an ``AgentHost``.
public final class HostedAgent: Sendable {
    public let configuration: AgentConfiguration
    fileprivate let logger: Logger
    fileprivate let observer: AgentObserver?
    fileprivate let makeBehaviour: AgentBehaviourFactory
    fileprivate let startup = StartupSignal<Void>()
    private let ended = StartupSignal<Void>()
    /// Why the agent stopped before it was asked to, if it did.
    fileprivate let failure = Mutex<String?>(nil)
    private let host: AgentHost

    fileprivate init(
        host: AgentHost, configuration: AgentConfiguration, logger: Logger, observer: AgentObserver?,
        behaviour: @escaping AgentBehaviourFactory
    ) {
        self.host = host
        self.configuration = configuration
        self.logger = logger
        self.observer = observer
        makeBehaviour = behaviour
    }

    /// Waits until the agent's publications and subscriptions both go through the hub, as
    /// ``AgentRuntime/ready()`` does; throws if it could not start.
    public func ready() async throws {
        try await startup.wait()
    }

    /// Stops the agent (closes its sockets, saves its state) and waits until it is done.
    public func stop() async {
        host.remove(self)
        try? await ended.wait()
    }

    /// Why the agent stopped on its own (a transport error), if it did.
    public var failureDescription: String? { failure.withLock { $0 } }

    /// The agent stopped on its own, for `description`.
    fileprivate func fail(_ description: String) {
        failure.withLock { $0 = description }
        host.failures.add(1, ordering: .releasing)
    }

    /// The agent is closed (`error`: it could not start).
    fileprivate func finish(_ error: (any Error)?) {
        if let error {
            let first = failure.withLock { failure -> Bool in
                defer { failure = failure ?? "\(error)" }
                return failure == nil
            }
            if first { host.failures.add(1, ordering: .releasing) }
            startup.fail(error)
        } else {
            startup.fail(AgentHostStopped())
        }
        ended.succeed(())
    }
}

/// The host ended, or the agent was stopped, before the agent became ready.
public struct AgentHostStopped: Error, CustomStringConvertible {
    public var description: String { "the agent's host stopped it before it was ready" }
}

