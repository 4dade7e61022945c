import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed libzmq call: the operation that failed, `zmq_errno()` and `zmq_strerror()`.
///
/// `description` reads like
/// `bind(tcp://127.0.0.1:5560) failed: Address already in use (EADDRINUSE, errno 98)`.
public struct ZMQError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The operation that failed, with its argument when it helps, e.g. `bind(tcp://127.0.0.1:5560)`.
    public let operation: String
    /// The error number (`zmq_errno()`), a system errno or one of libzmq's own (`ETERM`, `EFSM`…).
    public let code: Int32
    /// The human message of `code` (`zmq_strerror`).
    public let message: String

    /// Creates an error for `operation` with the error number `code`; the message comes from `zmq_strerror`.
    public init(operation: String, code: Int32) {
        self.operation = operation
        self.code = code
        self.message = String(cString: zmq_strerror(code))
    }

    /// The error of the libzmq call that just failed on this thread.
    static func last(_ operation: @autoclosure () -> String) -> ZMQError {
        ZMQError(operation: operation(), code: zmq_errno())
    }

    /// The symbolic errno name (`EADDRINUSE`, `EAGAIN`, `ETERM`…), or `errno N` when unknown.
    public var name: String {
        Self.names[code] ?? "errno \(code)"
    }

    /// The context was terminated or shut down: a socket loop should close its sockets and exit.
    public var isTerminated: Bool { code == ETERM }

    /// The call would have blocked (non-blocking call or timeout reached).
    public var isWouldBlock: Bool { code == EAGAIN }

    /// `operation failed: message (NAME, errno N)`.
    public var description: String {
        "\(operation) failed: \(message) (\(name), errno \(code))"
    }

    private static let names: [Int32: String] = {
        let pairs: [(Int32, String)] = [
            (EPERM, "EPERM"), (ENOENT, "ENOENT"), (EINTR, "EINTR"), (EBADF, "EBADF"),
            (EAGAIN, "EAGAIN"), (ENOMEM, "ENOMEM"), (EACCES, "EACCES"), (EFAULT, "EFAULT"),
            (ENODEV, "ENODEV"), (EINVAL, "EINVAL"), (EMFILE, "EMFILE"), (ENOSPC, "ENOSPC"),
            (ENOTSUP, "ENOTSUP"), (EPROTONOSUPPORT, "EPROTONOSUPPORT"), (ENOBUFS, "ENOBUFS"),
            (ENETDOWN, "ENETDOWN"), (EADDRINUSE, "EADDRINUSE"), (EADDRNOTAVAIL, "EADDRNOTAVAIL"),
            (ECONNREFUSED, "ECONNREFUSED"), (EINPROGRESS, "EINPROGRESS"), (ENOTSOCK, "ENOTSOCK"),
            (EMSGSIZE, "EMSGSIZE"), (EAFNOSUPPORT, "EAFNOSUPPORT"), (ENETUNREACH, "ENETUNREACH"),
            (ECONNABORTED, "ECONNABORTED"), (ECONNRESET, "ECONNRESET"), (ENOTCONN, "ENOTCONN"),
            (ETIMEDOUT, "ETIMEDOUT"), (EHOSTUNREACH, "EHOSTUNREACH"), (ENETRESET, "ENETRESET"),
            (EFSM, "EFSM"), (ENOCOMPATPROTO, "ENOCOMPATPROTO"), (ETERM, "ETERM"), (EMTHREAD, "EMTHREAD"),
        ]
        // Some platforms alias errno values; the first name listed wins.
        return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }()
}
