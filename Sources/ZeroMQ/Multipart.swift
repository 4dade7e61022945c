/// One whole ZeroMQ message: its frames, and the metadata libzmq attached to it.
public struct Multipart: Sendable, Equatable {
    /// The frames, in order; frames may be empty.
    public var frames: [[UInt8]]
    /// The `User-Id` metadata of the message: set only when a ZAP handler returned one for the peer.
    public var userID: String?
    /// The `Peer-Address` metadata of the message: the peer's IP address for TCP connections.
    public var peerAddress: String?

    /// Creates a message from its frames and optional metadata.
    public init(frames: [[UInt8]], userID: String? = nil, peerAddress: String? = nil) {
        self.frames = frames
        self.userID = userID
        self.peerAddress = peerAddress
    }
}
