import ZeroMQ

/// Why a client cannot talk to its hub, in words that say what to do.
public struct HubConnectionProblem: Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public struct Cause: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The hub's ZAP handler refused this client's key: it is not an admitted agency.
        public static let keyNotAdmitted = Cause(rawValue: "key-not-admitted")
        /// The hub could not decrypt the handshake: the client uses a wrong hub public key.
        public static let wrongHubKey = Cause(rawValue: "wrong-hub-key")
        /// The hub is secure (CURVE) and the client gave no keys.
        public static let plaintextClient = Cause(rawValue: "plaintext-client")
        /// The client gave keys and the hub runs without CURVE.
        public static let insecureHub = Cause(rawValue: "insecure-hub")
        /// Nothing answers at the endpoint.
        public static let unreachable = Cause(rawValue: "unreachable")
    }

    public var cause: Cause
    /// The hub endpoint concerned.
    public var endpoint: String
    /// What happened and what to do.
    public var message: String

    public var description: String { message }
}

/// Watches the handshakes of one client socket of a hub and names the problem when there is
/// one. Create it before connecting the socket, on the socket's thread; use it on that thread.
public final class HubConnectionWatch {
    /// The monitor's PAIR, to wait on in a `Poller` beside the client's own sockets.
    public var socket: Socket { monitor.socket }
    /// Whether a handshake with the hub has succeeded (and the connection has not dropped since).
    public private(set) var isConnected = false
    /// The last problem seen since the last successful handshake.
    public private(set) var problem: HubConnectionProblem?

    private let monitor: SocketMonitor
    private let endpoint: String
    private let keyFingerprint: String?
    /// Whether a handshake has ever succeeded: a client that was connected and lost its hub
    /// says so differently from one that never reached it.
    public private(set) var everConnected = false

    /// Watches `socket`, about to connect to `endpoint`; `keys` are the client's CURVE keys
    /// (`nil`: a plaintext client).
    public init(socket: Socket, context: Context, endpoint: String, keys: HubClientKeys?) throws(ZMQError) {
        monitor = try SocketMonitor(
            socket: socket, context: context,
            events: [.connected, .disconnected, .handshakeSucceeded, .handshakeFailedAuth, .handshakeFailedProtocol, .handshakeFailedNoDetail])
        self.endpoint = endpoint
        keyFingerprint = keys.map { CurveCertificate.fingerprint(ofPublicKey: $0.keys.publicKey) }
    }

    /// Reads the events that have arrived, passing each to `each`; returns the problem they
    /// show, if any.
    @discardableResult
    public func update(_ each: (MonitorEvent) -> Void = { _ in }) throws(ZMQError) -> HubConnectionProblem? {
        while let event = try monitor.next(timeout: .zero) {
            note(event)
            each(event)
        }
        return problem
    }

    /// When the current silence started: the watch's creation, or the last disconnection.
    public private(set) var silentSince: ContinuousClock.Instant = .now

    /// The problem to report when no handshake has succeeded within `patience` of the start:
    /// the one seen, or "unreachable" when the hub never answered. Reads no event: events are
    /// read only by ``update(_:)``, so that its caller sees every one (a reconnection read here
    /// would be lost to it).
    public func problem(after patience: Duration) -> HubConnectionProblem? {
        guard !isConnected, ContinuousClock.now - silentSince >= patience else { return nil }
        return problem ?? HubConnectionProblem(
            cause: .unreachable, endpoint: endpoint,
            message: everConnected
                ? "lost the hub at \(endpoint) and cannot reach it again: is it running?"
                : "cannot reach the hub at \(endpoint): nothing answered; is it running, and is this its endpoint?")
    }

    /// Stops watching.
    public func close() {
        monitor.close()
    }

    deinit { monitor.close() }

    private func note(_ event: MonitorEvent) {
        let fingerprint = keyFingerprint.map { " (key fingerprint \($0))" } ?? ""
        if event.kind.contains(.handshakeSucceeded) {
            isConnected = true
            everConnected = true
            problem = nil
        } else if event.kind.contains(.disconnected) {
            if isConnected { silentSince = .now }
            isConnected = false
        } else if event.kind.contains(.handshakeFailedAuth) {
            problem = HubConnectionProblem(
                cause: .keyNotAdmitted, endpoint: endpoint,
                message: "the hub at \(endpoint) refused this agency's key\(fingerprint) (ZAP status \(event.value)): it is not admitted; the hub's operator must put the agency's .key file in the hub's --agency-keys directory (then SIGHUP), or --secret-key names the wrong agency")
        } else if event.kind.contains(.handshakeFailedProtocol) {
            problem = Self.protocolProblem(event.value, endpoint: endpoint, secure: keyFingerprint != nil)
        } else if event.kind.contains(.handshakeFailedNoDetail), keyFingerprint != nil {
            // The hub closes the connection without a word when it cannot decrypt our HELLO.
            problem = HubConnectionProblem(
                cause: .wrongHubKey, endpoint: endpoint,
                message: "the hub at \(endpoint) closed the CURVE handshake: --hub-key is not this hub's public key (compare fingerprints with `tansiq keys list`)")
        }
    }

    static func protocolProblem(_ value: Int32, endpoint: String, secure: Bool) -> HubConnectionProblem {
        switch value {
        case MonitorEvent.ProtocolError.mechanismMismatch where secure:
            HubConnectionProblem(
                cause: .insecureHub, endpoint: endpoint,
                message: "the hub at \(endpoint) does not use CURVE: drop --secret-key and --hub-key, or point at the secure hub")
        case MonitorEvent.ProtocolError.mechanismMismatch:
            HubConnectionProblem(
                cause: .plaintextClient, endpoint: endpoint,
                message: "the hub at \(endpoint) is secure (CURVE) and this client gave no keys: give --secret-key AGENCY.secret and --hub-key hub.key (see docs/operations.md)")
        case MonitorEvent.ProtocolError.cryptographic:
            HubConnectionProblem(
                cause: .wrongHubKey, endpoint: endpoint,
                message: "the CURVE handshake with the hub at \(endpoint) failed to decrypt: --hub-key is not this hub's public key")
        default:
            HubConnectionProblem(
                cause: .wrongHubKey, endpoint: endpoint,
                message: "the handshake with the hub at \(endpoint) failed (ZMTP protocol error 0x\(String(UInt32(bitPattern: value), radix: 16))): check --hub-key and that this is a Tansiq hub")
        }
    }
}
