#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wakes a loop blocked in `zmq_poll` from any thread: a non-blocking pipe whose read end the
/// loop polls. Any number of signals before the loop drains it wake it once.
///
/// A pipe, not an inproc socket: sockets have one owning thread, and the signalling side (the
/// simulation's task) moves between threads.
final class WakeSignal: Sendable {
    /// The end to poll for readability.
    let fileDescriptor: Int32
    private let writeEnd: Int32

    init() {
        var ends: [Int32] = [-1, -1]
        // Without a pipe virtual time cannot run at all; the process is out of descriptors.
        precondition(pipe(&ends) == 0, "cannot create a wake-up pipe (errno \(errno))")
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        fileDescriptor = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(fileDescriptor)
        close(writeEnd)
    }

    /// Wakes the loop (a full pipe is already a pending wake-up).
    func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Empties the pipe, on the loop's thread, before it looks at what changed.
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(fileDescriptor, &buffer, buffer.count) > 0 {}
    }
}
