#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Wakes a loop blocked in `zmq_poll` from any thread: a non-blocking pipe whose read end the
/// loop polls. Any number of signals before the loop drains it wake it once.
///
/// A pipe, not an inproc socket: sockets have one owning thread, and the signalling side (the
/// simulation's task) moves between threads.
///
/// A signal made with ``init(sharing:)`` has no pipe of its own: it marks itself pending and
/// wakes the pipe it shares (an ``AgentHost``'s), so a thread hosting a thousand agents holds
/// one pipe, not a thousand, and still knows which agents were woken (``isPending``).
final class WakeSignal: Sendable {
    /// The end to poll for readability (the shared pipe's, for a signal that shares one).
    let fileDescriptor: Int32
    private let writeEnd: Int32
    /// The signal whose pipe this one wakes; `nil` when it owns its pipe.
    private let shared: WakeSignal?
    private let pending = Atomic<Bool>(false)

    /// A signal with a pipe of its own; throws when the process is out of descriptors.
    init() throws(AgentResourceError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            let code = errno
            throw AgentResourceError.descriptors(
                "cannot create a wake-up pipe", errno: code)
        }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        fileDescriptor = ends[0]
        writeEnd = ends[1]
        shared = nil
    }

    /// ``init()`` for where typed throws do not reach (`??`).
    static func make() throws -> WakeSignal { try WakeSignal() }

    /// A signal that wakes `host`'s pipe: its owner polls `host` and asks ``isPending``.
    init(sharing host: WakeSignal) {
        let owner = host.shared ?? host
        shared = owner
        fileDescriptor = owner.fileDescriptor
        writeEnd = owner.writeEnd
    }

    deinit {
        guard shared == nil else { return }
        close(fileDescriptor)
        close(writeEnd)
    }

    /// Whether the signal shares another's pipe (its owner need not poll it separately).
    var isShared: Bool { shared != nil }

    /// Whether it was signalled since it was last drained.
    var isPending: Bool { pending.load(ordering: .acquiring) }

    /// Wakes the loop (a full pipe is already a pending wake-up). The mark comes first, so
    /// that a loop woken by the pipe sees it.
    func signal() {
        pending.store(true, ordering: .releasing)
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Clears the mark and, for a pipe of its own, empties it, on the loop's thread, before it
    /// looks at what changed. A shared pipe is emptied by its owner.
    func drain() {
        pending.store(false, ordering: .releasing)
        guard shared == nil else { return }
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(fileDescriptor, &buffer, buffer.count) > 0 {}
    }
}
