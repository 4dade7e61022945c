import CZeroMQ

/// A multipart message kept in libzmq's own buffers, read in place and sent on without
/// copying, the way `zmq_proxy` moves messages: what a broker's forwarding loop needs.
///
/// It owns its frames (`zmq_msg_t`) until ``Socket/send(_:appending:dontWait:)`` moves them to
/// another socket or the next ``Socket/receive(into:dontWait:frameLimit:)`` replaces them;
/// `deinit` closes whatever it still holds. A loop keeps a few and reuses them. Like a socket,
/// it belongs to one thread.
public final class ForwardedMessage {
    private var frames: UnsafeMutablePointer<zmq_msg_t>
    private var capacity: Int
    /// How many frames the message holds.
    public private(set) var count = 0

    /// Creates an empty message with room for `capacity` frames before it grows.
    public init(capacity: Int = 4) {
        self.capacity = max(1, capacity)
        frames = .allocate(capacity: self.capacity)
    }

    deinit {
        removeAll()
        frames.deallocate()
    }

    /// The bytes of frame `index`, valid only inside `body`.
    public func withFrame<Result>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        precondition(index >= 0 && index < count, "frame \(index) of \(count)")
        let message = frames + index
        return try body(UnsafeRawBufferPointer(start: zmq_msg_data(message), count: zmq_msg_size(message)))
    }

    /// A copy of frame `index`.
    public func frame(_ index: Int) -> [UInt8] {
        withFrame(index) { Array($0) }
    }

    /// The size of frame `index` in bytes.
    public func size(ofFrame index: Int) -> Int {
        precondition(index >= 0 && index < count, "frame \(index) of \(count)")
        return zmq_msg_size(frames + index)
    }

    /// The total size of the frames held, in bytes.
    public var byteCount: Int {
        (0..<count).reduce(0) { $0 + zmq_msg_size(frames + $1) }
    }

    /// A metadata property of the message (`User-Id`, `Peer-Address`…), or `nil`.
    public func metadata(_ property: String) -> String? {
        guard count > 0, let value = zmq_msg_gets(frames, property) else { return nil }
        return String(cString: value)
    }

    /// The `User-Id` the ZAP handler gave the sending peer, or `nil`.
    public var userID: String? { metadata("User-Id") }

    /// Releases every frame held.
    public func removeAll() {
        for index in 0..<count { zmq_msg_close(frames + index) }
        count = 0
    }

    /// An initialised, empty slot after the frames held, growing the storage when full.
    func nextSlot() -> UnsafeMutablePointer<zmq_msg_t> {
        if count == capacity {
            let grown = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: capacity * 2)
            // A zmq_msg_t may be moved bitwise while nothing else points at it.
            grown.moveInitialize(from: frames, count: count)
            frames.deallocate()
            frames = grown
            capacity *= 2
        }
        let slot = frames + count
        zmq_msg_init(slot)
        return slot
    }

    /// Keeps the frame just received into ``nextSlot()``.
    func keepSlot() { count += 1 }

    /// The frame at `index`, for sending.
    func slot(_ index: Int) -> UnsafeMutablePointer<zmq_msg_t> { frames + index }

    /// Forgets the first `moved` frames, which a send emptied, keeping the rest in order.
    func dropMoved(_ moved: Int) {
        // libzmq leaves a sent message empty; closing an empty message releases nothing.
        for index in 0..<moved { zmq_msg_close(frames + index) }
        if moved < count {
            frames.moveInitialize(from: frames + moved, count: count - moved)
        }
        count -= moved
    }
}
