import CZeroMQ

/// Reads the events of a socket (`zmq_socket_monitor`).
///
/// libzmq publishes the events on a unique inproc endpoint; the monitor reads them with a
/// PAIR socket made in the same context. The monitor and the monitored socket belong to the
/// same thread. The PAIR is ``socket``, so the owner can wait on it in a ``Poller`` next to
/// its other sockets and then call ``next(timeout:)`` with `.zero`.
public final class SocketMonitor: @unchecked Sendable {
    /// The PAIR socket that receives the events.
    public let socket: Socket
    private let monitored: Socket
    private var isClosed = false

    /// Starts monitoring `socket` for `events`. Start it before binding or connecting
    /// `socket`: events raised while nobody reads them are dropped.
    public init(socket: Socket, context: Context, events: MonitorEvent.Kind = .all) throws(ZMQError) {
        let handle = try socket.openHandle("zmq_socket_monitor")
        let endpoint = "inproc://zeromq.monitor.\(UInt(bitPattern: handle)).\(UInt64.random(in: .min ... .max))"
        if zmq_socket_monitor(handle, endpoint, Int32(bitPattern: events.rawValue)) != 0 {
            throw ZMQError.last("zmq_socket_monitor(\(endpoint))")
        }
        do {
            let pair = try context.makeSocket(.pair)
            try pair.set(.linger(milliseconds: 0))
            try pair.connect(endpoint)
            self.socket = pair
        } catch {
            zmq_socket_monitor(handle, nil, 0)
            throw error
        }
        self.monitored = socket
    }

    deinit {
        close()
    }

    /// The next event, waiting up to `timeout` (`nil` = forever, `.zero` = no wait); `nil` on timeout.
    public func next(timeout: Duration?) throws(ZMQError) -> MonitorEvent? {
        var poller = Poller()
        poller.register(socket)
        guard try poller.poll(timeout: timeout)[0].contains(.readable),
              let message = try socket.receive(dontWait: true)
        else { return nil }
        return try Self.event(from: message)
    }

    /// Stops monitoring and closes the PAIR. Idempotent.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        if let handle = monitored.handle { zmq_socket_monitor(handle, nil, 0) }
        socket.close()
    }

    /// Parses libzmq's two-frame event: 16-bit kind and 32-bit value, then the endpoint.
    private static func event(from message: Multipart) throws(ZMQError) -> MonitorEvent {
        guard message.frames.count == 2, message.frames[0].count == 6 else {
            throw ZMQError(operation: "monitor event (\(message.frames.count) frames)", code: EPROTO)
        }
        let header = message.frames[0]
        let (kind, value) = header.withUnsafeBytes { bytes in
            (bytes.loadUnaligned(fromByteOffset: 0, as: UInt16.self),
             bytes.loadUnaligned(fromByteOffset: 2, as: Int32.self))
        }
        return MonitorEvent(
            kind: MonitorEvent.Kind(rawValue: UInt32(kind)),
            value: value,
            endpoint: String(decoding: message.frames[1], as: UTF8.self)
        )
    }
}
