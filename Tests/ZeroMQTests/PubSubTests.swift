import Testing
import ZeroMQ

@Suite struct PubSubTests {
    @Test func subscriberReceivesOnlyTopicsMatchingItsPrefixes() throws {
        let context = try Context()
        let publisher = try context.makeSocket(.pub)
        let endpoint = try publisher.bindLoopback()
        let subscriber = try context.makeSocket(.sub)
        try subscriber.set(.subscribe(topic: "referral."))
        try subscriber.set(.subscribe(topic: "probe"))
        try subscriber.connect(endpoint)

        // Subscriptions travel asynchronously: publish probes until one gets through.
        var poller = Poller()
        poller.register(subscriber)
        var subscribed = false
        for _ in 0..<100 where !subscribed {
            try publisher.send([bytes("probe")])
            subscribed = try poller.poll(timeout: .milliseconds(50))[0].contains(.readable)
        }
        try #require(subscribed)

        try publisher.send([bytes("status.closed"), bytes("not for me")])
        try publisher.send([bytes("referral.created"), bytes("for me")])
        try publisher.send([bytes("referral.marker")])

        var received: [[UInt8]] = []
        for _ in 0..<1000 where received.count < 2 {
            let message = try #require(try subscriber.receiveBounded())
            if message.frames[0] != bytes("probe") { received.append(message.frames[0]) }
        }
        #expect(received == [bytes("referral.created"), bytes("referral.marker")])
    }

    @Test func xpubReceivesSubscribeAndUnsubscribeFrames() throws {
        let context = try Context()
        let endpoint = uniqueInproc("xpub")
        let publisher = try context.makeSocket(.xpub)
        try publisher.bind(endpoint)
        let subscriber = try context.makeSocket(.sub)
        try subscriber.connect(endpoint)

        try subscriber.set(.subscribe(topic: "agency/iom"))
        let subscribe = try #require(try publisher.receiveBounded())
        #expect(subscribe.frames == [[1] + bytes("agency/iom")])

        // Seeing the subscription proves the filter is in place: this message must arrive.
        try publisher.send([bytes("agency/iom/referral"), bytes("body")])
        let delivered = try #require(try subscriber.receiveBounded())
        #expect(delivered.frames == [bytes("agency/iom/referral"), bytes("body")])

        try subscriber.set(.unsubscribe(topic: "agency/iom"))
        let unsubscribe = try #require(try publisher.receiveBounded())
        #expect(unsubscribe.frames == [[0] + bytes("agency/iom")])
    }

    @Test func xpubWelcomeMessageReachesNewSubscriber() throws {
        let context = try Context()
        let endpoint = uniqueInproc("welcome")
        let publisher = try context.makeSocket(.xpub)
        try publisher.set(.xpubWelcomeMessage(bytes("welcome")))
        try publisher.bind(endpoint)
        let subscriber = try context.makeSocket(.sub)
        try subscriber.set(.subscribe(topic: "welcome"))
        try subscriber.connect(endpoint)

        // The XPUB attaches new peers (and sends the welcome) while its owner uses it.
        #expect(try publisher.receiveBounded()?.frames == [[1] + bytes("welcome")])
        let welcome = try #require(try subscriber.receiveBounded())

        #expect(welcome.frames == [bytes("welcome")])
    }
}
