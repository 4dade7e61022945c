import Logging
import ServiceLifecycle
import ZeroMQ

/// An agent: connects to a hub, subscribes to what its role and behaviour need, catches up
/// from the hub's journal, keeps the referrals it takes part in (in its ``AgentStore``),
/// publishes unacknowledged referrals again and then escalates them, sends heartbeats, and
/// hands every message to its behaviour. Run it in a `ServiceGroup`, or in a task that you cancel.
public final class AgentRuntime: Service, Sendable {
    /// The agent's configuration.
    public let configuration: AgentConfiguration
    private let makeBehaviour: AgentBehaviourFactory
    private let observer: AgentObserver?
    private let logger: Logger
    private let context: Context
    private let startup = StartupSignal<Void>()
    /// Runs work on the agent's thread: how its desk reads the book and acts.
    public let commands: AgentCommandQueue

    /// Creates an agent. The behaviour is made on the agent's own thread by `behaviour`.
    /// Pass a ZeroMQ `context` to share one with a hub in the same process.
    public init(
        configuration: AgentConfiguration,
        context: Context? = nil,
        logger: Logger,
        observer: AgentObserver? = nil,
        commands: AgentCommandQueue = AgentCommandQueue(),
        behaviour: @escaping AgentBehaviourFactory
    ) throws {
        self.commands = commands
        self.configuration = configuration
        self.makeBehaviour = behaviour
        self.observer = observer
        var logger = logger
        logger[metadataKey: "agency"] = "\(configuration.agency)"
        logger[metadataKey: "agent"] = "\(configuration.agent)"
        self.logger = logger
        self.context = try context ?? Context()
    }

    /// Connects and runs until graceful shutdown or cancellation.
    public func run() async throws {
        let thread = SocketThread(name: "tansiq-agent-\(configuration.agent)")
        try await withGracefulShutdownHandler {
            try await thread.run { [self] thread in
                let loop: AgentLoop
                do {
                    loop = try AgentLoop(
                        configuration: configuration,
                        zmq: context,
                        behaviour: makeBehaviour(),
                        observer: observer,
                        commands: commands,
                        logger: logger
                    )
                } catch {
                    commands.close()
                    startup.fail(error)
                    throw error
                }
                defer { loop.close() }
                try loop.serve(until: thread) { [startup] in startup.succeed(()) }
            }
        } onGracefulShutdown: {
            thread.requestStop()
        }
    }

    /// Waits until the agent's publications and subscriptions both go through the hub (its own
    /// presence has come back to it). The catch-up from the journal starts then; its end is the
    /// ``AgentEvent/caughtUp(replayed:lastSequence:)`` event.
    public func ready() async throws {
        try await startup.wait()
    }
}
