import CZeroMQ

/// The events a ``Poller`` waits for, and reports, on a socket.
public struct PollEvents: OptionSet, Sendable, Hashable {
    /// The `ZMQ_POLLIN`/`ZMQ_POLLOUT`/`ZMQ_POLLERR` bits.
    public let rawValue: Int16

    /// Creates events from their `ZMQ_POLL*` bits.
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// At least one whole message can be received without blocking (`ZMQ_POLLIN`).
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// At least one message can be sent without blocking (`ZMQ_POLLOUT`).
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
    /// An error condition (`ZMQ_POLLERR`); libzmq reports it only for raw file descriptors.
    public static let error = PollEvents(rawValue: Int16(ZMQ_POLLERR))
}
