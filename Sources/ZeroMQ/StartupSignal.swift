import Synchronization

/// A one-time signal from a socket thread that its sockets are ready (or failed to start),
/// awaited by async code: "the hub has bound", "the agent has connected and subscribed".
public final class StartupSignal<Value: Sendable>: Sendable {
    private enum State {
        case waiting([UInt64: CheckedContinuation<Value, any Error>])
        case done(Result<Value, any Error>)
    }

    private let state = Mutex<State>(.waiting([:]))
    private let nextWaiter = Atomic<UInt64>(0)

    /// Creates a signal that has not fired.
    public init() {}

    /// Fires the signal with a value; later calls are ignored.
    public func succeed(_ value: Value) {
        finish(.success(value))
    }

    /// Fires the signal with an error; later calls are ignored.
    public func fail(_ error: any Error) {
        finish(.failure(error))
    }

    /// Waits until the signal fires. Cancelling the waiting task ends the wait with
    /// `CancellationError` (the signal itself is unaffected), so a caller can bound the wait.
    public func wait() async throws -> Value {
        let id = nextWaiter.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let result: Result<Value, any Error>? = state.withLock { state in
                    switch state {
                    case .waiting(var waiters):
                        if Task.isCancelled { return .failure(CancellationError()) }
                        waiters[id] = continuation
                        state = .waiting(waiters)
                        return nil
                    case .done(let result):
                        return result
                    }
                }
                if let result { continuation.resume(with: result) }
            }
        } onCancel: {
            let waiter: CheckedContinuation<Value, any Error>? = state.withLock { state in
                guard case .waiting(var waiters) = state, let waiter = waiters.removeValue(forKey: id) else { return nil }
                state = .waiting(waiters)
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private func finish(_ result: Result<Value, any Error>) {
        let waiters: [CheckedContinuation<Value, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = .done(result)
            return Array(waiters.values)
        }
        for waiter in waiters { waiter.resume(with: result) }
    }
}
