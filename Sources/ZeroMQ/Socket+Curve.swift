extension Socket {
    /// Makes this socket a CURVE server with `keys`, its connections authenticated by the
    /// context's ZAP handler under `domain`. Call before binding. Without a ZAP handler
    /// libzmq 4.3 admits every client that knows the server's public key: start a
    /// ``ZAPHandler`` in the same context first.
    public func makeCurveServer(keys: CurveKeyPair, zapDomain: String) throws(ZMQError) {
        try set(.curveServer(true))
        try set(.curveSecretKey(keys.secretKey))
        try set(.zapDomain(zapDomain))
    }

    /// Makes this socket a CURVE client with its own `keys`, talking only to the server whose
    /// public key is `serverKey`. Call before connecting.
    public func makeCurveClient(keys: CurveKeyPair, serverKey: String) throws(ZMQError) {
        try set(.curveServerKey(serverKey))
        try set(.curvePublicKey(keys.publicKey))
        try set(.curveSecretKey(keys.secretKey))
    }
}
