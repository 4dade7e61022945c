import CZeroMQ

/// Runs libzmq's built-in proxy (`zmq_proxy`) between two sockets on the calling thread until
/// the context is shut down (it then throws an error whose `isTerminated` is true).
///
/// Tansiq's hub does not use it — it checks and numbers every message — but benchmarks compare
/// the hub against it, as the plain baseline of a ZeroMQ broker.
public func proxy(frontend: Socket, backend: Socket) throws(ZMQError) {
    let front = try frontend.openHandle("zmq_proxy")
    let back = try backend.openHandle("zmq_proxy")
    while zmq_proxy(front, back, nil) != 0 {
        let error = ZMQError.last("zmq_proxy")
        if error.code != EINTR { throw error }
    }
}
