/// A ZAP 1.0 authentication request (RFC 27), as passed to a ``ZAPHandler``.
public struct ZAPRequest: Sendable, Equatable {
    /// The `ZMQ_ZAP_DOMAIN` of the server socket.
    public var domain: String
    /// The client's IP address.
    public var address: String
    /// The routing id of the connection, as set by the server socket.
    public var routingID: [UInt8]
    /// The security mechanism: `NULL`, `PLAIN` or `CURVE`.
    public var mechanism: String
    /// For CURVE, the client's long-term public key, Z85; `nil` otherwise.
    public var publicKey: String?
    /// The raw credential frames of the mechanism (for CURVE, the 32-byte public key).
    public var credentials: [[UInt8]]

    /// Creates a request.
    public init(
        domain: String, address: String, routingID: [UInt8], mechanism: String,
        publicKey: String?, credentials: [[UInt8]] = []
    ) {
        self.domain = domain
        self.address = address
        self.routingID = routingID
        self.mechanism = mechanism
        self.publicKey = publicKey
        self.credentials = credentials
    }
}

/// The answer of a ``ZAPHandler`` to a ``ZAPRequest``.
public enum ZAPDecision: Sendable, Equatable {
    /// Accept the client; `userID` becomes the `User-Id` of every message it sends
    /// (see ``Multipart/userID``).
    case allow(userID: String)
    /// Refuse the client with a ZAP status code (300 temporary, 400 refused, 500 internal
    /// error) and a reason; the handshake fails and the server sees
    /// ``MonitorEvent/Kind/handshakeFailedAuth``.
    case deny(status: Int = 400, reason: String)
}
