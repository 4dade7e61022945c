import CZeroMQ

/// A libzmq context: the owner of the I/O threads and the factory of sockets.
///
/// A context is thread-safe: any thread may make sockets from it or shut it down.
/// Sockets are not: see ``Socket`` and the module overview for the threading model.
///
/// ## Lifetime
/// Every ``Socket`` keeps its context alive, so the context is terminated (`zmq_ctx_term`)
/// only after its last socket object is gone. `zmq_ctx_term` blocks until every socket of
/// the context is closed and its linger has elapsed, so close all sockets (or let their
/// owning loops exit) before dropping the last reference to a context.
///
/// ## Stopping socket loops
/// ``shutdown()`` makes every blocking call on the context's sockets, in any thread, fail
/// at once with a ``ZMQError`` whose ``ZMQError/isTerminated`` is true; each loop then
/// closes its sockets and returns.
public final class Context: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    /// Creates a context with `ioThreads` background I/O threads and room for `maxSockets`
    /// sockets (libzmq's default is 1,023; beyond it `zmq_socket` fails with EMFILE).
    public init(ioThreads: Int32 = 1, maxSockets: Int32? = nil) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else {
            throw ZMQError.last("zmq_ctx_new")
        }
        if zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads) != 0 {
            let error = ZMQError.last("zmq_ctx_set(ZMQ_IO_THREADS, \(ioThreads))")
            zmq_ctx_term(handle)
            throw error
        }
        if let maxSockets, zmq_ctx_set(handle, ZMQ_MAX_SOCKETS, maxSockets) != 0 {
            let error = ZMQError.last("zmq_ctx_set(ZMQ_MAX_SOCKETS, \(maxSockets))")
            zmq_ctx_term(handle)
            throw error
        }
        self.handle = handle
    }

    deinit {
        // Only reached once no Socket references the context, so every socket is closed.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    /// Creates a socket of the given type.
    ///
    /// The socket's linger is set to ``Socket/defaultLingerMilliseconds`` so that closing it
    /// never blocks context termination forever; override it with ``SocketOption/linger(milliseconds:)``.
    public func makeSocket(_ type: SocketType) throws(ZMQError) -> Socket {
        guard let socketHandle = zmq_socket(handle, type.rawValue) else {
            throw ZMQError.last("zmq_socket(\(type))")
        }
        let socket = Socket(handle: socketHandle, type: type, context: self)
        try socket.set(.linger(milliseconds: Socket.defaultLingerMilliseconds))
        return socket
    }

    /// Shuts the context down (`zmq_ctx_shutdown`): blocking calls in other threads fail with
    /// `ETERM`, and so does every later call on its sockets except closing them. Idempotent.
    public func shutdown() {
        zmq_ctx_shutdown(handle)
    }
}
