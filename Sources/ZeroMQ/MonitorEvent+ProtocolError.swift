import CZeroMQ

extension MonitorEvent {
    /// Values of a `handshakeFailedProtocol` event that name a cause (`ZMQ_PROTOCOL_ERROR_*`).
    public enum ProtocolError {
        /// One side uses CURVE, the other does not.
        public static let mechanismMismatch = Int32(bitPattern: UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH))
        /// A CURVE box could not be opened: the client encrypted to another server key.
        public static let cryptographic = Int32(bitPattern: UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC))
    }
}
