import CZeroMQ

/// The version of the libzmq library linked at run time (`zmq_version`).
///
/// The module is a small, safe Swift layer over libzmq 4.3. Its threading model:
/// a ``Context`` is thread-safe; a ``Socket`` belongs to one thread at a time; socket calls
/// block, so async code runs each socket loop on a dedicated Foundation `Thread`, never on
/// the cooperative pool. A loop stops on ``Context/shutdown()`` (its calls fail with `ETERM`,
/// see ``ZMQError/isTerminated``), on a message from a control PAIR over inproc, or by
/// checking a flag between polls with a timeout. Sockets are created with a finite linger.
public struct ZMQVersion: Sendable, Hashable, CustomStringConvertible {
    /// The major version.
    public let major: Int32
    /// The minor version.
    public let minor: Int32
    /// The patch version.
    public let patch: Int32

    /// The linked libzmq's version.
    public static var linked: ZMQVersion {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return ZMQVersion(major: major, minor: minor, patch: patch)
    }

    /// Whether the linked libzmq supports a capability (`zmq_has`), e.g. `curve` or `ipc`.
    public static func has(_ capability: String) -> Bool {
        zmq_has(capability) != 0
    }

    /// `major.minor.patch`.
    public var description: String { "\(major).\(minor).\(patch)" }
}
