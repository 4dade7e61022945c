import CZeroMQ

/// A ZeroMQ socket.
///
/// A socket belongs to one thread at a time: only its owning thread may use it, including
/// closing it. It is `@unchecked Sendable` only so that it can be handed over to the thread
/// that will own it (a thread start or a lock is the memory barrier libzmq asks for).
/// Every socket is created with a finite linger (``defaultLingerMilliseconds``).
public final class Socket: @unchecked Sendable {
    /// The linger every new socket gets: how long unsent messages may delay closing, in milliseconds.
    public static let defaultLingerMilliseconds: Int32 = 1000

    /// The socket's type.
    public let type: SocketType

    /// Keeps the context alive (and so un-terminated) while this socket exists.
    let context: Context
    private(set) var handle: UnsafeMutableRawPointer?
    /// One reusable, address-stable message for receiving; initialised and closed per frame.
    let scratch: UnsafeMutablePointer<zmq_msg_t>

    init(handle: UnsafeMutableRawPointer, type: SocketType, context: Context) {
        self.handle = handle
        self.type = type
        self.context = context
        self.scratch = .allocate(capacity: 1)
    }

    deinit {
        close()
        scratch.deallocate()
    }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { handle == nil }

    /// Closes the socket (`zmq_close`). Idempotent; `deinit` closes too.
    public func close() {
        guard let handle else { return }
        zmq_close(handle)
        self.handle = nil
    }

    /// The open handle, or `ENOTSOCK` when the socket is closed.
    func openHandle(_ operation: @autoclosure () -> String) throws(ZMQError) -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError(operation: operation(), code: ENOTSOCK) }
        return handle
    }

    /// Binds to `endpoint` (`tcp://127.0.0.1:*`, `inproc://name`, `ipc://path`…).
    public func bind(_ endpoint: String) throws(ZMQError) {
        let handle = try openHandle("bind(\(endpoint))")
        if zmq_bind(handle, endpoint) != 0 { throw ZMQError.last("bind(\(endpoint))") }
    }

    /// Connects to `endpoint`; the connection itself is made (and remade) in the background.
    public func connect(_ endpoint: String) throws(ZMQError) {
        let handle = try openHandle("connect(\(endpoint))")
        if zmq_connect(handle, endpoint) != 0 { throw ZMQError.last("connect(\(endpoint))") }
    }

    /// Stops listening on `endpoint`, which must be the exact endpoint bound (see ``lastEndpoint()``).
    public func unbind(_ endpoint: String) throws(ZMQError) {
        let handle = try openHandle("unbind(\(endpoint))")
        if zmq_unbind(handle, endpoint) != 0 { throw ZMQError.last("unbind(\(endpoint))") }
    }

    /// Disconnects from `endpoint`.
    public func disconnect(_ endpoint: String) throws(ZMQError) {
        let handle = try openHandle("disconnect(\(endpoint))")
        if zmq_disconnect(handle, endpoint) != 0 { throw ZMQError.last("disconnect(\(endpoint))") }
    }

    /// The endpoint last bound or connected (`ZMQ_LAST_ENDPOINT`), with the actual port when bound to `*`.
    public func lastEndpoint() throws(ZMQError) -> String {
        let handle = try openHandle("getsockopt(ZMQ_LAST_ENDPOINT)")
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        let rc = buffer.withUnsafeMutableBytes { zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, $0.baseAddress, &size) }
        if rc != 0 { throw ZMQError.last("getsockopt(ZMQ_LAST_ENDPOINT)") }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
