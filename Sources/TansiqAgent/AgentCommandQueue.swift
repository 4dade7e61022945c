import Synchronization

/// Work handed to a running agent from other threads (its desk): each command runs on the
/// agent's own thread, between two poll rounds, where the referral book, the state file and
/// the sockets live. What a command changed is saved and sent in the same round.
public final class AgentCommandQueue: Sendable {
    /// Why a command did not run.
    public struct Stopped: Error, CustomStringConvertible {
        public var description: String { "the agent is not running" }
    }

    private struct State {
        var pending: [@Sendable (AgentContext?) -> Void] = []
        var closed = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Runs `body` on the agent's thread and returns what it returns (or throws what it throws).
    public func run<T: Sendable>(_ body: @escaping @Sendable (AgentContext) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let command: @Sendable (AgentContext?) -> Void = { context in
                guard let context else { return continuation.resume(throwing: Stopped()) }
                continuation.resume(with: Result { try body(context) })
            }
            let accepted = state.withLock { state -> Bool in
                guard !state.closed else { return false }
                state.pending.append(command)
                return true
            }
            if !accepted { command(nil) }
        }
    }

    /// Runs the commands queued so far (on the agent's thread); returns how many ran.
    @discardableResult
    func drain(_ context: AgentContext) -> Int {
        let commands = state.withLock { state in
            defer { state.pending.removeAll() }
            return state.pending
        }
        for command in commands { command(context) }
        return commands.count
    }

    /// Refuses every command from now on, and those still waiting.
    func close() {
        let commands = state.withLock { state in
            state.closed = true
            defer { state.pending.removeAll() }
            return state.pending
        }
        for command in commands { command(nil) }
    }
}
