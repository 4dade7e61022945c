import Dispatch
import Foundation
import Logging
import Synchronization
import TansiqAgent
import TansiqMessages

/// Keeps every event of the agents it observes, and lets a test wait, bounded in time, until
/// they satisfy a condition; unlike ``EventLog`` it can be waited on again and again.
final class EventRecorder: Sendable {
    typealias Entry = EventLog.Entry
    private let entries = Mutex<[Entry]>([])
    private let ticks: AsyncStream<UInt64>
    private let continuation: AsyncStream<UInt64>.Continuation
    private let markers = Atomic<UInt64>(1)

    init() {
        (ticks, continuation) = AsyncStream.makeStream(of: UInt64.self)
    }

    var observer: AgentObserver {
        { [self] agent, event, _ in
            entries.withLock { $0.append((agent, event)) }
            continuation.yield(0)
        }
    }

    /// Everything seen so far.
    var all: [Entry] { entries.withLock { $0 } }

    /// Waits until `condition` holds for the events so far, or `timeout` seconds pass; one waiter at a time.
    func wait(timeout: Double, until condition: ([Entry]) -> Bool) async -> Bool {
        if condition(all) { return true }
        let marker = markers.add(1, ordering: .relaxed).newValue
        let continuation = continuation
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { continuation.yield(marker) }
        for await tick in ticks {
            if condition(all) { return true }
            if tick == marker { break }
        }
        return condition(all)
    }
}

extension Array where Element == EventLog.Entry {
    func of(_ agency: String) -> [AgentEvent] {
        filter { $0.agent.agency == agency }.map(\.event)
    }
}

extension AgentEvent {
    var receivedReferral: UUID? {
        if case .referralReceived(let referral) = self { referral.referralId } else { nil }
    }
    var publishedStatus: ReferralStatusUpdate? {
        if case .statusPublished(let update) = self { update } else { nil }
    }
    var observedStatus: ReferralStatusUpdate? {
        if case .statusObserved(let update) = self { update } else { nil }
    }
}

/// An agent running in this process until ``stop()``.
struct RunningAgent {
    let runtime: AgentRuntime
    let task: Task<Void, any Error>

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

extension JournalingHub {
    /// Starts an agent on this hub, catching up from its replay endpoint, and waits until it is ready.
    func start(
        agency: String,
        role: AgentRole,
        state: String? = nil,
        observer: @escaping AgentObserver,
        behaviour: @escaping AgentBehaviourFactory
    ) async throws -> RunningAgent {
        var logger = Logger(label: "test.agent")
        logger.logLevel = .critical
        let configuration = AgentConfiguration(
            agency: agency, role: role, coordinator: "commune-agadir",
            ingress: ingress, egress: egress, deadlineCheckInterval: .milliseconds(20),
            state: state, replay: replay
        )
        let runtime = try AgentRuntime(configuration: configuration, logger: logger, observer: observer, behaviour: behaviour)
        let task = Task { try await runtime.run() }
        try await runtime.ready()
        return RunningAgent(runtime: runtime, task: task)
    }
}
