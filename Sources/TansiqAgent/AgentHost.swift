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

    private func serve(_ thread: SocketThread) {
        // `due`: when an agent's prepared round ends if none of its sockets is ready first.
        var agents: [(handle: HostedAgent, loop: AgentLoop, due: ContinuousClock.Instant?)] = []
        var poller = Poller()
        var wakeIndex = 0
        var changed = true
        defer {
            for agent in agents {
                agent.loop.close()
                agent.handle.finish(nil)
            }
            // Agents handed over after the end never start.
            let left = inbox.withLock { inbox in
                inbox.closed = true
                defer { inbox.requests = [] }
                return inbox.requests
            }
            for request in left { Self.refuse(request) }
        }
        while !thread.isStopRequested {
            for request in inbox.withLock({ inbox in defer { inbox.requests = [] }; return inbox.requests }) {
                changed = true
                switch request {
                case .add(let agent):
                    do {
                        let loop = try AgentLoop(
                            configuration: agent.configuration, zmq: zmq, behaviour: agent.makeBehaviour(),
                            observer: agent.observer, hostWake: wake, logger: agent.logger)
                        loop.onReady = { agent.startup.succeed(()) }
                        agents.append((agent, loop, nil))
                    } catch {
                        agent.finish(error)
                    }
                case .remove(let agent):
                    if let index = agents.firstIndex(where: { $0.handle === agent }) {
                        agents[index].loop.close()
                        agents.remove(at: index)
                    }
                    agent.finish(nil)
                }
            }
            if changed {
                // Indices move when agents come and go: every agent registers again.
                poller = Poller()
                wakeIndex = poller.register(fileDescriptor: wake.fileDescriptor)
                for agent in agents { agent.loop.register(in: &poller) }
                changed = false
            }
            // Each agent's round as on a thread of its own: prepared, then finished once its
            // sockets are ready or its wait is over; the poll waits for the earliest.
            let started = ContinuousClock.now
            var wait: Duration = .milliseconds(50)
            for index in agents.indices {
                if agents[index].due == nil { agents[index].due = started.advanced(by: agents[index].loop.prepareRound()) }
                wait = min(wait, started.duration(to: agents[index].due!))
            }
            let ready: [PollEvents]
            do {
                ready = try poller.poll(timeout: max(.zero, wait))
            } catch {
                // A terminated context ends every agent; so does a poll that cannot work at all.
                if !error.isTerminated { for agent in agents { agent.handle.failure.withLock { $0 = "\(error)" } } }
                return
            }
            if ready[wakeIndex].contains(.readable) { wake.drain() }
            let now = ContinuousClock.now
            var failed: [Int] = []
            for index in agents.indices {
                let agent = agents[index]
                guard now >= agent.due ?? now || agent.loop.hasReady(ready) else { continue }
                agents[index].due = nil
                do {
                    try agent.loop.finishRound(ready)
                } catch where error.isTerminated {
                    agent.handle.logger.info("agent context terminated")
                    return
                } catch {
                    // One agent's transport error stops that agent, as it would its own thread.
                    agent.handle.failure.withLock { $0 = "\(error)" }
                    failed.append(index)
                }
            }
            for index in failed.reversed() {
                let agent = agents.remove(at: index)
                agent.loop.close()
                agent.handle.finish(nil)
                changed = true
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

    /// The agent is closed (`error`: it could not start).
    fileprivate func finish(_ error: (any Error)?) {
        if let error {
            failure.withLock { $0 = $0 ?? "\(error)" }
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
