import ZeroMQ

/// What a client needs to talk to a secure hub: its agency's CURVE key pair and the hub's
/// public key.
public struct HubClientKeys: Sendable, Equatable {
    /// The agency's key pair (from its `AGENCY.secret` certificate).
    public var keys: CurveKeyPair
    /// The hub's public key, Z85 (from the hub's `.key` certificate).
    public var hubPublicKey: String

    /// Creates the keys.
    public init(keys: CurveKeyPair, hubPublicKey: String) {
        self.keys = keys
        self.hubPublicKey = hubPublicKey
    }

    /// Reads the agency's secret certificate and the hub's public certificate.
    public static func load(secretKeyFile: String, hubKeyFile: String) throws -> HubClientKeys {
        let own = try CurveCertificate.load(contentsOf: secretKeyFile)
        guard own.secretKey != nil else {
            throw CurveCertificateError(code: .malformed, message: "\(secretKeyFile): holds no secret key; give the AGENCY.secret file")
        }
        let hub = try CurveCertificate.load(contentsOf: hubKeyFile)
        return HubClientKeys(keys: try own.keyPair(), hubPublicKey: hub.publicKey)
    }

    /// Makes `socket` a CURVE client of the hub. Call before connecting.
    public func configureClient(_ socket: Socket) throws(ZMQError) {
        try socket.makeCurveClient(keys: keys, serverKey: hubPublicKey)
    }
}
