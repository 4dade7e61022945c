import Foundation
import Synchronization

/// A dedicated thread that owns sockets and runs a loop over them, awaited from async code.
///
/// ZeroMQ sockets belong to one thread, and their calls block; running them on Swift's
/// cooperative pool would starve it. A `SocketThread` gives a loop its own thread and turns its
/// end into an `async` result. The loop polls with a bounded timeout and returns once
/// ``isStopRequested`` is true; cancelling the awaiting task (or calling ``requestStop()``, as a
/// graceful-shutdown handler does) sets that flag.
public final class SocketThread: Sendable {
    private let stopFlag = Atomic<Bool>(false)

    /// The thread's name, as shown by debuggers and `top -H`.
    public let name: String

    /// Creates a thread handle; nothing runs until ``run(_:)``.
    public init(name: String) {
        self.name = name
    }

    /// Whether the loop has been asked to stop.
    public var isStopRequested: Bool {
        stopFlag.load(ordering: .acquiring)
    }

    /// Asks the loop to stop at its next poll round. Safe from any thread.
    public func requestStop() {
        stopFlag.store(true, ordering: .releasing)
    }

    /// Runs `body` on a new thread and returns (or throws) what it returns once it ends.
    /// Cancelling the calling task requests a stop; `body` must then return promptly.
    public func run<Result: Sendable>(
        _ body: @escaping @Sendable (SocketThread) throws -> Result
    ) async throws -> Result {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
                let thread = Thread {
                    continuation.resume(with: Swift.Result { try body(self) })
                }
                thread.name = name
                thread.stackSize = 8 << 20
                thread.start()
            }
        } onCancel: {
            requestStop()
        }
    }
}
