import ZeroMQ

/// Names a handshake that failed at the hub, for the hub's log: the counterpart of
/// `HubConnectionWatch` (TansiqAgent) on the server side.
enum HandshakeFailureDescription {
    /// What a `handshake-failed-protocol` event's value means for a secure hub.
    static func hubSide(protocolError value: Int32) -> String {
        switch value {
        case MonitorEvent.ProtocolError.mechanismMismatch:
            "a plaintext client (no CURVE keys) tried to connect; it needs --secret-key and --hub-key"
        case MonitorEvent.ProtocolError.cryptographic:
            "a client's CURVE handshake could not be decrypted: it uses a wrong hub public key"
        default:
            "ZMTP protocol error 0x\(String(UInt32(bitPattern: value), radix: 16))"
        }
    }
}
