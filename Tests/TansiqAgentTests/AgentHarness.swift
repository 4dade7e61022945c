import Dispatch
import Foundation
import Logging
import Synchronization
import TansiqAgent
import TansiqHub
import TansiqMessages
import Testing

/// Collects agents' events and lets a test wait, bounded in time, until they satisfy a condition.
final class EventLog: Sendable {
    typealias Entry = (agent: AgentIdentity, event: AgentEvent)
    private let stream: AsyncStream<Entry>
    private let continuation: AsyncStream<Entry>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Entry.self)
    }

    var observer: AgentObserver {
        { [continuation] agent, event, _ in continuation.yield((agent, event)) }
    }

    /// Reads events until `condition` holds for all seen so far, or `timeout` seconds pass.
    func collect(timeout: Double, until condition: ([Entry]) -> Bool) async -> [Entry] {
        let continuation = continuation
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { continuation.finish() }
        var seen: [Entry] = []
        for await entry in stream {
            seen.append(entry)
            if condition(seen) { break }
        }
        return seen
    }
}

/// A hub and agents on tcp loopback for one test; agents are started in the order given, each
/// once the previous ones are ready.
struct Network {
    let hub: Hub
    let endpoints: HubEndpoints
    private(set) var tasks: [Task<Void, any Error>] = []

    /// `clock` is the time the hub checks deadlines against; `confirmed`: the hub has a confirmed
    /// publish endpoint and the agents publish through it.
    /// `journal`: the hub journals there and answers replays.
    static func start(clock: HubClock = .system, confirmed: Bool = false, journal: String? = nil) async throws -> Network {
        var logger = Logger(label: "test.hub")
        logger.logLevel = .error
        var configuration = HubConfiguration(ingress: "tcp://127.0.0.1:*", egress: "tcp://127.0.0.1:*", security: .insecure)
        if confirmed { configuration.publish = "tcp://127.0.0.1:*" }
        if let journal {
            configuration.journal = JournalConfiguration(path: journal, durability: .normal)
            configuration.replay = "tcp://127.0.0.1:*"
        }
        configuration.registry.coordinator = "commune-agadir"
        let hub = try Hub(configuration: configuration, clock: clock, logger: logger)
        let task = Task { try await hub.run() }
        var network = Network(hub: hub, endpoints: try await hub.endpoints())
        network.tasks.append(task)
        return network
    }

    /// Returns the agent's task: cancelling it stops that agent alone.
    @discardableResult
    mutating func start(
        agency: String,
        role: AgentRole,
        coordinator: String = "commune-agadir",
        state: String? = nil,
        observer: @escaping AgentObserver,
        behaviour: @escaping AgentBehaviourFactory
    ) async throws -> Task<Void, any Error> {
        var logger = Logger(label: "test.agent")
        logger.logLevel = .error
        let configuration = AgentConfiguration(
            agency: agency, role: role, coordinator: coordinator,
            ingress: endpoints.ingress, egress: endpoints.egress,
            deadlineCheckInterval: .milliseconds(20), state: state, replay: endpoints.replay, publish: endpoints.publish
        )
        let runtime = try AgentRuntime(configuration: configuration, logger: logger, observer: observer, behaviour: behaviour)
        let task = Task { try await runtime.run() }
        tasks.append(task)
        try await runtime.ready()
        return task
    }

    func stop() async {
        for task in tasks.reversed() {
            task.cancel()
            _ = try? await task.value
        }
    }
}

extension Array where Element == EventLog.Entry {
    /// The states of `referral` that `agency` saw others move it to, in order.
    func statesObserved(by agency: String, referral: UUID) -> [ReferralState] {
        compactMap { entry in
            guard entry.agent.agency == agency, case .statusObserved(let update) = entry.event, update.referralId == referral else { return nil }
            return update.state
        }
    }

    func referralsSent(by agency: String) -> [Referral] {
        compactMap { entry in
            guard entry.agent.agency == agency, case .referralSent(let referral) = entry.event else { return nil }
            return referral
        }
    }
}
