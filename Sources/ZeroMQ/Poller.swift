import CZeroMQ

/// Waits on several sockets at once (`zmq_poll`), and on plain file descriptors (a wake-up pipe).
///
/// Like its sockets, a poller belongs to one thread. Poll only sockets that are open:
/// a closed socket makes ``poll(timeout:)`` fail with `ENOTSOCK`.
public struct Poller {
    private enum Item {
        case socket(Socket)
        case fileDescriptor(Int32)
    }

    private var items: [Item] = []
    private var interests: [PollEvents] = []

    /// Creates an empty poller.
    public init() {}

    /// How many sockets and descriptors are registered.
    public var count: Int { items.count }

    /// Adds `socket`, waiting for `events`; returns its index in the result of ``poll(timeout:)``.
    @discardableResult
    public mutating func register(_ socket: Socket, for events: PollEvents = .readable) -> Int {
        items.append(.socket(socket))
        interests.append(events)
        return items.count - 1
    }

    /// Adds a file descriptor the poller does not own (kept open while it is polled), waiting
    /// for `events`; returns its index in the result of ``poll(timeout:)``.
    @discardableResult
    public mutating func register(fileDescriptor: Int32, for events: PollEvents = .readable) -> Int {
        items.append(.fileDescriptor(fileDescriptor))
        interests.append(events)
        return items.count - 1
    }

    /// The descriptor behind each registered item, by index: a socket's `ZMQ_FD` (readable when
    /// the socket's state may have changed; its events must then be read again, by a ``poll(timeout:)``
    /// with `.zero`), or the descriptor itself. For a loop that waits on many pollers at once
    /// (epoll) and polls only those whose descriptors fired.
    public func descriptors() throws(ZMQError) -> [Int32] {
        var descriptors: [Int32] = []
        for item in items {
            switch item {
            case .socket(let socket):
                let handle = try socket.openHandle("getsockopt(ZMQ_FD)")
                var descriptor: Int32 = -1
                var size = MemoryLayout<Int32>.size
                if zmq_getsockopt(handle, ZMQ_FD, &descriptor, &size) != 0 { throw ZMQError.last("getsockopt(ZMQ_FD)") }
                descriptors.append(descriptor)
            case .fileDescriptor(let descriptor):
                descriptors.append(descriptor)
            }
        }
        return descriptors
    }

    /// Waits until at least one registered socket is ready, or `timeout` passes
    /// (`nil` waits forever, `.zero` does not wait). Returns the ready events of each
    /// registered socket, by index; all empty after a timeout. Interrupted waits resume
    /// with the time left.
    public func poll(timeout: Duration?) throws(ZMQError) -> [PollEvents] {
        var items: [zmq_pollitem_t] = []
        items.reserveCapacity(self.items.count)
        for (item, events) in zip(self.items, interests) {
            switch item {
            case .socket(let socket):
                // Handles are read on every poll: a closed socket must never reach zmq_poll.
                let handle = try socket.openHandle("poll")
                items.append(zmq_pollitem_t(socket: handle, fd: 0, events: events.rawValue, revents: 0))
            case .fileDescriptor(let descriptor):
                items.append(zmq_pollitem_t(socket: nil, fd: descriptor, events: events.rawValue, revents: 0))
            }
        }
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        while true {
            let milliseconds = deadline.map { Self.milliseconds(until: $0, clock: clock) } ?? -1
            let count = zmq_poll(&items, Int32(items.count), milliseconds)
            if count >= 0 { break }
            let error = ZMQError.last("poll")
            if error.code != EINTR { throw error }
        }
        return items.map { PollEvents(rawValue: $0.revents) }
    }

    /// Whole milliseconds left until `deadline`, rounded up so a poll never returns early.
    private static func milliseconds(until deadline: ContinuousClock.Instant, clock: ContinuousClock) -> Int {
        let left = clock.now.duration(to: deadline)
        guard left > .zero else { return 0 }
        let (seconds, attoseconds) = left.components
        let perMillisecond: Int64 = 1_000_000_000_000_000
        let (milliseconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return Int.max }
        let total = milliseconds.addingReportingOverflow((attoseconds + perMillisecond - 1) / perMillisecond)
        return total.overflow ? Int.max : Int(total.partialValue)
    }
}
