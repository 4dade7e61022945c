import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

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
                let thread = Thread { [name] in
                    Self.nameCurrentThread(name)
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

    /// Foundation does not pass a thread's name to the system on Linux; `top -H`, `perf` and
    /// debuggers read it from there (15 bytes at most).
    private static func nameCurrentThread(_ name: String) {
        #if canImport(Glibc)
        // Glibc's module map hides pthread_setname_np (a GNU extension): look it up instead.
        typealias SetName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
        guard let symbol = dlsym(nil, "pthread_setname_np") else { return }
        let setName = unsafeBitCast(symbol, to: SetName.self)
        _ = setName(pthread_self(), String(decoding: name.utf8.prefix(15), as: UTF8.self))
        #endif
    }
}
