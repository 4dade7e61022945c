import CZeroMQ

/// A typed socket option, applied with ``Socket/set(_:)``.
public enum SocketOption: Sendable {
    /// `ZMQ_SNDHWM`: the most outgoing messages queued per peer (0 = unlimited).
    case sendHighWaterMark(Int32)
    /// `ZMQ_RCVHWM`: the most incoming messages queued per peer (0 = unlimited).
    case receiveHighWaterMark(Int32)
    /// `ZMQ_LINGER`: how long unsent messages may delay closing (-1 = forever, 0 = drop them).
    /// Sockets are created with ``Socket/defaultLingerMilliseconds`` rather than libzmq's forever.
    case linger(milliseconds: Int32)
    /// `ZMQ_SNDTIMEO`: how long a send may block before it returns `false` (-1 = forever).
    case sendTimeout(milliseconds: Int32)
    /// `ZMQ_RCVTIMEO`: how long a receive may block before it returns `nil` (-1 = forever).
    case receiveTimeout(milliseconds: Int32)
    /// `ZMQ_SUBSCRIBE`: receive the messages whose first frame starts with these bytes (SUB, XSUB).
    case subscribe([UInt8])
    /// `ZMQ_UNSUBSCRIBE`: remove one earlier subscription to these bytes.
    case unsubscribe([UInt8])
    /// `ZMQ_XPUB_VERBOSE`: pass every subscription up, not only the first for each topic.
    case xpubVerbose(Bool)
    /// `ZMQ_XPUB_MANUAL`: the XPUB's owner applies subscriptions itself, by setting
    /// ``subscribe(_:)`` on the XPUB after receiving the subscription.
    case xpubManual(Bool)
    /// `ZMQ_XPUB_WELCOME_MSG`: a message sent to each new subscriber (empty = none).
    case xpubWelcomeMessage([UInt8])
    /// `ZMQ_MAXMSGSIZE`: peers sending a larger message are disconnected (-1 = no limit).
    case maxMessageSize(Int64)
    /// `ZMQ_HEARTBEAT_IVL`, `ZMQ_HEARTBEAT_TIMEOUT` and `ZMQ_HEARTBEAT_TTL`, in milliseconds:
    /// ZMTP PINGs every `interval`, a connection without traffic for `timeout` is dropped,
    /// and the peer is asked to drop it after `ttl` (rounded down to tenths of a second).
    case heartbeat(interval: Int32, timeout: Int32, ttl: Int32)
    /// `ZMQ_ROUTING_ID`: this socket's routing id as seen by a ROUTER peer (1 to 255 bytes,
    /// not starting with a zero byte). Set before connecting.
    case routingID([UInt8])
    /// `ZMQ_XPUB_NODROP`: an XPUB at its high-water mark makes senders wait (`EAGAIN` with
    /// `dontWait`) instead of dropping messages.
    case xpubNoDrop(Bool)
    /// `ZMQ_ROUTER_MANDATORY`: a ROUTER fails with `EHOSTUNREACH` instead of silently
    /// dropping messages to an unknown routing id.
    case routerMandatory(Bool)
    /// `ZMQ_IMMEDIATE`: queue messages only to completed connections.
    case immediate(Bool)
    /// `ZMQ_CURVE_SERVER`: act as a CURVE server (needs ``curveSecretKey(_:)`` too).
    case curveServer(Bool)
    /// `ZMQ_CURVE_PUBLICKEY`: this socket's long-term public key, Z85 (40 characters).
    case curvePublicKey(String)
    /// `ZMQ_CURVE_SECRETKEY`: this socket's long-term secret key, Z85 (40 characters).
    case curveSecretKey(String)
    /// `ZMQ_CURVE_SERVERKEY`: the server's public key, Z85 (40 characters); makes this socket a CURVE client.
    case curveServerKey(String)
    /// `ZMQ_ZAP_DOMAIN`: the domain passed to the ZAP handler for this socket's connections.
    case zapDomain(String)

    /// `ZMQ_SUBSCRIBE` to the UTF-8 bytes of `topic`.
    public static func subscribe(topic: String) -> SocketOption { .subscribe(Array(topic.utf8)) }

    /// `ZMQ_UNSUBSCRIBE` from the UTF-8 bytes of `topic`.
    public static func unsubscribe(topic: String) -> SocketOption { .unsubscribe(Array(topic.utf8)) }
}

extension Socket {
    /// Sets a socket option.
    public func set(_ option: SocketOption) throws(ZMQError) {
        switch option {
        case .sendHighWaterMark(let value): try set(ZMQ_SNDHWM, "ZMQ_SNDHWM", int: value)
        case .receiveHighWaterMark(let value): try set(ZMQ_RCVHWM, "ZMQ_RCVHWM", int: value)
        case .linger(let value): try set(ZMQ_LINGER, "ZMQ_LINGER", int: value)
        case .sendTimeout(let value): try set(ZMQ_SNDTIMEO, "ZMQ_SNDTIMEO", int: value)
        case .receiveTimeout(let value): try set(ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO", int: value)
        case .subscribe(let bytes): try set(ZMQ_SUBSCRIBE, "ZMQ_SUBSCRIBE", bytes: bytes)
        case .unsubscribe(let bytes): try set(ZMQ_UNSUBSCRIBE, "ZMQ_UNSUBSCRIBE", bytes: bytes)
        case .xpubVerbose(let flag): try set(ZMQ_XPUB_VERBOSE, "ZMQ_XPUB_VERBOSE", int: flag ? 1 : 0)
        case .xpubManual(let flag): try set(ZMQ_XPUB_MANUAL, "ZMQ_XPUB_MANUAL", int: flag ? 1 : 0)
        case .xpubNoDrop(let flag): try set(ZMQ_XPUB_NODROP, "ZMQ_XPUB_NODROP", int: flag ? 1 : 0)
        case .xpubWelcomeMessage(let bytes): try set(ZMQ_XPUB_WELCOME_MSG, "ZMQ_XPUB_WELCOME_MSG", bytes: bytes)
        case .maxMessageSize(let value):
            var value = value
            try set(ZMQ_MAXMSGSIZE, "ZMQ_MAXMSGSIZE", pointer: &value, size: MemoryLayout<Int64>.size)
        case .heartbeat(let interval, let timeout, let ttl):
            try set(ZMQ_HEARTBEAT_IVL, "ZMQ_HEARTBEAT_IVL", int: interval)
            try set(ZMQ_HEARTBEAT_TIMEOUT, "ZMQ_HEARTBEAT_TIMEOUT", int: timeout)
            try set(ZMQ_HEARTBEAT_TTL, "ZMQ_HEARTBEAT_TTL", int: ttl)
        case .routingID(let bytes): try set(ZMQ_ROUTING_ID, "ZMQ_ROUTING_ID", bytes: bytes)
        case .routerMandatory(let flag): try set(ZMQ_ROUTER_MANDATORY, "ZMQ_ROUTER_MANDATORY", int: flag ? 1 : 0)
        case .immediate(let flag): try set(ZMQ_IMMEDIATE, "ZMQ_IMMEDIATE", int: flag ? 1 : 0)
        case .curveServer(let flag): try set(ZMQ_CURVE_SERVER, "ZMQ_CURVE_SERVER", int: flag ? 1 : 0)
        case .curvePublicKey(let key): try set(ZMQ_CURVE_PUBLICKEY, "ZMQ_CURVE_PUBLICKEY", bytes: Array(key.utf8))
        case .curveSecretKey(let key): try set(ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY", bytes: Array(key.utf8))
        case .curveServerKey(let key): try set(ZMQ_CURVE_SERVERKEY, "ZMQ_CURVE_SERVERKEY", bytes: Array(key.utf8))
        case .zapDomain(let domain): try set(ZMQ_ZAP_DOMAIN, "ZMQ_ZAP_DOMAIN", bytes: Array(domain.utf8))
        }
    }

    private func set(_ name: Int32, _ label: String, int value: Int32) throws(ZMQError) {
        var value = value
        try set(name, label, pointer: &value, size: MemoryLayout<Int32>.size)
    }

    private func set(_ name: Int32, _ label: String, bytes: [UInt8]) throws(ZMQError) {
        let handle = try openHandle("setsockopt(\(label))")
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, name, $0.baseAddress, $0.count) }
        if rc != 0 { throw ZMQError.last("setsockopt(\(label))") }
    }

    private func set(_ name: Int32, _ label: String, pointer: UnsafeRawPointer, size: Int) throws(ZMQError) {
        let handle = try openHandle("setsockopt(\(label))")
        if zmq_setsockopt(handle, name, pointer, size) != 0 { throw ZMQError.last("setsockopt(\(label))") }
    }
}
