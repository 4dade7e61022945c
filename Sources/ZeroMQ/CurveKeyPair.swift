import CZeroMQ

/// A CURVE key pair, both keys Z85-encoded (40 characters for 32 bytes).
public struct CurveKeyPair: Sendable, Equatable {
    /// The public key, Z85.
    public let publicKey: String
    /// The secret key, Z85. Keep it out of logs.
    public let secretKey: String

    /// Generates a new key pair (`zmq_curve_keypair`).
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        if zmq_curve_keypair(&publicKey, &secretKey) != 0 { throw ZMQError.last("zmq_curve_keypair") }
        return CurveKeyPair(
            checkedPublicKey: publicKey.withUnsafeBufferPointer { String(cString: $0.baseAddress!) },
            secretKey: secretKey.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        )
    }

    /// A key pair from stored keys. Throws `EINVAL` unless both are Z85 of 32 bytes and the
    /// public key is the one derived from the secret key.
    public init(publicKey: String, secretKey: String) throws(ZMQError) {
        guard Z85.decode(publicKey)?.count == 32 else {
            throw ZMQError(operation: "CurveKeyPair(publicKey: not Z85 of 32 bytes)", code: EINVAL)
        }
        let derived = try Self.derivePublicKey(fromSecret: secretKey)
        guard derived == publicKey else {
            throw ZMQError(operation: "CurveKeyPair(publicKey: does not match the secret key)", code: EINVAL)
        }
        self.init(checkedPublicKey: publicKey, secretKey: secretKey)
    }

    private init(checkedPublicKey: String, secretKey: String) {
        self.publicKey = checkedPublicKey
        self.secretKey = secretKey
    }

    /// The public key of a Z85 secret key (`zmq_curve_public`).
    public static func derivePublicKey(fromSecret secretKey: String) throws(ZMQError) -> String {
        guard Z85.decode(secretKey)?.count == 32 else {
            throw ZMQError(operation: "zmq_curve_public(secret key: not Z85 of 32 bytes)", code: EINVAL)
        }
        var publicKey = [CChar](repeating: 0, count: 41)
        let rc = secretKey.withCString { zmq_curve_public(&publicKey, $0) }
        if rc != 0 { throw ZMQError.last("zmq_curve_public") }
        return publicKey.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
