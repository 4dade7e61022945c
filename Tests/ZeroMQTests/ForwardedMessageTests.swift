import Testing
import ZeroMQ

/// Messages forwarded without copying arrive intact, frames and appended frame alike, and
/// the forwarding buffer is reused safely (no leak or double close under valgrind).
@Suite struct ForwardedMessageTests {
    @Test func forwardsEveryFrameAndAppendsOne() throws {
        let context = try Context()
        let inbound = uniqueInproc("forward-in")
        let outbound = uniqueInproc("forward-out")
        let pull = try context.makeSocket(.pull)
        try pull.bind(inbound)
        let push = try context.makeSocket(.push)
        try push.connect(inbound)
        let relay = try context.makeSocket(.push)
        try relay.bind(outbound)
        let sink = try context.makeSocket(.pull)
        try sink.connect(outbound)
        try pull.set(.receiveTimeout(milliseconds: patienceMilliseconds))
        // A large frame (heap content), a very small one (kept inside zmq_msg_t) and an empty one.
        let large = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let sent: [[UInt8]] = [bytes("topic/a"), [], large, bytes("x")]

        let message = ForwardedMessage(capacity: 2)
        for round in 0..<200 {
            var frames = sent
            frames[3] = bytes("round-\(round)")
            try push.send(frames)
            #expect(try pull.receive(into: message) == 4)
            #expect(message.count == 4)
            #expect(message.frame(0) == frames[0])
            #expect(message.size(ofFrame: 1) == 0)
            #expect(message.withFrame(2) { $0.count } == large.count)
            #expect(message.byteCount == frames.reduce(0) { $0 + $1.count })
            #expect(try relay.send(message, appending: bytes("stamp-\(round)")))
            #expect(message.count == 0)
            let forwarded = try #require(try sink.receiveBounded())
            #expect(forwarded.frames == frames + [bytes("stamp-\(round)")])
        }
    }

    @Test func receiveWithoutWaitingReportsAnEmptyQueue() throws {
        let context = try Context()
        let pull = try context.makeSocket(.pull)
        try pull.bind(uniqueInproc("forward-empty"))
        let message = ForwardedMessage()
        #expect(try pull.receive(into: message, dontWait: true) == nil)
        #expect(message.count == 0)
    }

    @Test func aMessageNeverSentIsReleasedWithItsFrames() throws {
        let context = try Context()
        let endpoint = uniqueInproc("forward-drop")
        let pull = try context.makeSocket(.pull)
        try pull.bind(endpoint)
        let push = try context.makeSocket(.push)
        try push.connect(endpoint)
        try pull.set(.receiveTimeout(milliseconds: patienceMilliseconds))
        try push.send([bytes("a"), Array(repeating: 1, count: 4096)])
        try push.send([bytes("b")])
        let message = ForwardedMessage()
        #expect(try pull.receive(into: message) == 2)
        // Receiving again replaces the unsent frames (closing them) with the next message.
        #expect(try pull.receive(into: message) == 1)
        #expect(message.count == 1)
        #expect(message.frame(0) == bytes("b"))
    }

    @Test func framesBeyondTheLimitAreCountedAndReleased() throws {
        let context = try Context()
        let endpoint = uniqueInproc("forward-limit")
        let pull = try context.makeSocket(.pull)
        try pull.bind(endpoint)
        let push = try context.makeSocket(.push)
        try push.connect(endpoint)
        try pull.set(.receiveTimeout(milliseconds: patienceMilliseconds))
        try push.send((0..<50).map { bytes("frame-\($0)") })
        let message = ForwardedMessage()
        #expect(try pull.receive(into: message, frameLimit: 3) == 50)
        #expect(message.count == 3)
        #expect(message.frame(2) == bytes("frame-2"))
    }
}
