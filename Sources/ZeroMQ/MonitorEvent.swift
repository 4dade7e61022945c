import CZeroMQ

/// One event of a monitored socket (`zmq_socket_monitor`), as read by ``SocketMonitor``.
public struct MonitorEvent: Sendable, Equatable {
    /// What happened: exactly one ``Kind`` bit.
    public let kind: Kind
    /// The event's value: a file descriptor, an errno, a reconnect interval, or for
    /// ``Kind/handshakeFailedAuth`` the ZAP status code (e.g. 400).
    public let value: Int32
    /// The endpoint the event is about.
    public let endpoint: String

    /// Creates an event.
    public init(kind: Kind, value: Int32, endpoint: String) {
        self.kind = kind
        self.value = value
        self.endpoint = endpoint
    }

    /// Kinds of monitor events (`ZMQ_EVENT_*`); a set of them selects what to monitor.
    public struct Kind: OptionSet, Sendable, Hashable {
        /// The `ZMQ_EVENT_*` bits.
        public let rawValue: UInt32

        /// Creates kinds from their `ZMQ_EVENT_*` bits.
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// A connection to a remote peer was made.
        public static let connected = Kind(rawValue: UInt32(ZMQ_EVENT_CONNECTED))
        /// A connect is pending and will complete later.
        public static let connectDelayed = Kind(rawValue: UInt32(ZMQ_EVENT_CONNECT_DELAYED))
        /// A connect failed and will be retried after the value (milliseconds).
        public static let connectRetried = Kind(rawValue: UInt32(ZMQ_EVENT_CONNECT_RETRIED))
        /// The socket is listening on the endpoint.
        public static let listening = Kind(rawValue: UInt32(ZMQ_EVENT_LISTENING))
        /// Binding failed; the value is the errno.
        public static let bindFailed = Kind(rawValue: UInt32(ZMQ_EVENT_BIND_FAILED))
        /// A connection from a remote peer was accepted.
        public static let accepted = Kind(rawValue: UInt32(ZMQ_EVENT_ACCEPTED))
        /// Accepting a connection failed; the value is the errno.
        public static let acceptFailed = Kind(rawValue: UInt32(ZMQ_EVENT_ACCEPT_FAILED))
        /// A connection's descriptor was closed.
        public static let closed = Kind(rawValue: UInt32(ZMQ_EVENT_CLOSED))
        /// Closing a descriptor failed; the value is the errno.
        public static let closeFailed = Kind(rawValue: UInt32(ZMQ_EVENT_CLOSE_FAILED))
        /// A session was broken (peer gone, protocol error, oversized message…).
        public static let disconnected = Kind(rawValue: UInt32(ZMQ_EVENT_DISCONNECTED))
        /// Monitoring stopped; the last event of a monitor.
        public static let monitorStopped = Kind(rawValue: UInt32(ZMQ_EVENT_MONITOR_STOPPED))
        /// A ZMTP handshake failed without a more precise reason.
        public static let handshakeFailedNoDetail = Kind(rawValue: UInt32(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL))
        /// A ZMTP handshake (including authentication) succeeded.
        public static let handshakeSucceeded = Kind(rawValue: UInt32(ZMQ_EVENT_HANDSHAKE_SUCCEEDED))
        /// A ZMTP handshake failed on a protocol error; the value is the `ZMQ_PROTOCOL_ERROR_*` code.
        public static let handshakeFailedProtocol = Kind(rawValue: UInt32(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL))
        /// Authentication was refused; the value is the ZAP status code.
        public static let handshakeFailedAuth = Kind(rawValue: UInt32(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH))
        /// Every kind (`ZMQ_EVENT_ALL`).
        public static let all = Kind(rawValue: UInt32(ZMQ_EVENT_ALL))
    }
}
