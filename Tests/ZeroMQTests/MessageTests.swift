import Testing
import ZeroMQ

@Suite struct MessageTests {
    @Test func multipartRoundTripKeepsEveryFrameIncludingEmptyOnes() throws {
        let context = try Context()
        let endpoint = uniqueInproc("multipart")
        let pull = try context.makeSocket(.pull)
        try pull.bind(endpoint)
        let push = try context.makeSocket(.push)
        try push.connect(endpoint)
        let frames: [[UInt8]] = [[], bytes("topic"), [], [0, 255, 0], []]

        #expect(try push.send(frames))
        let message = try #require(try pull.receiveBounded())

        #expect(message.frames == frames)
        #expect(message.userID == nil)
    }

    @Test func sixteenMebibyteMessageArrivesIntact() throws {
        let context = try Context()
        let server = try context.makeSocket(.pair)
        let endpoint = try server.bindLoopback()
        let client = try context.makeSocket(.pair)
        try client.connect(endpoint)
        let size = 16 * 1024 * 1024
        let big = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }

        try client.send([bytes("big"), big])
        let message = try #require(try server.receiveBounded())

        #expect(message.frames.count == 2)
        #expect(message.frames[1].count == size)
        #expect(message.frames[1] == big)
    }

    @Test func tenThousandMultipartRoundTrips() throws {
        let context = try Context()
        let endpoint = uniqueInproc("round-trips")
        let left = try context.makeSocket(.pair)
        try left.bind(endpoint)
        let right = try context.makeSocket(.pair)
        try right.connect(endpoint)
        var completed = 0

        for sequence in 0..<10_000 {
            let frames: [[UInt8]] = [bytes("seq"), withUnsafeBytes(of: sequence) { Array($0) }, Array(repeating: 7, count: sequence % 300)]
            try left.send(frames)
            let request = try #require(try right.receiveBounded())
            try right.send(request.frames)
            let reply = try #require(try left.receiveBounded())
            if reply.frames == frames { completed += 1 }
        }

        #expect(completed == 10_000)
    }

    @Test func nonBlockingReceiveOnEmptySocketReturnsNil() throws {
        let context = try Context()
        let pull = try context.makeSocket(.pull)
        try pull.bind(uniqueInproc("empty"))

        #expect(try pull.receive(dontWait: true) == nil)
    }

    @Test func sendWithoutPeerAndDontWaitReturnsFalse() throws {
        let context = try Context()
        let push = try context.makeSocket(.push)
        try push.bind(uniqueInproc("no-peer"))

        #expect(try push.send([bytes("nobody")], dontWait: true) == false)
    }

    @Test func sendingNoFramesIsInvalid() throws {
        let context = try Context()
        let push = try context.makeSocket(.push)

        let error = #expect(throws: ZMQError.self) { try push.send([]) }
        #expect(error?.name == "EINVAL")
    }

    @Test func peerAddressMetadataIsSetForTCP() throws {
        let context = try Context()
        let pull = try context.makeSocket(.pull)
        let endpoint = try pull.bindLoopback()
        let push = try context.makeSocket(.push)
        try push.connect(endpoint)

        try push.send([bytes("hello")])
        let message = try #require(try pull.receiveBounded())

        #expect(message.peerAddress == "127.0.0.1")
    }
}
