import Testing
import ZeroMQ

@Suite struct PollerTests {
    @Test func pollTimesOutWithNothingReady() throws {
        let context = try Context()
        let pull = try context.makeSocket(.pull)
        try pull.bind(uniqueInproc("idle"))
        var poller = Poller()
        poller.register(pull)
        let clock = ContinuousClock()

        let start = clock.now
        let ready = try poller.poll(timeout: .milliseconds(50))
        let elapsed = start.duration(to: clock.now)

        #expect(ready == [[]])
        #expect(elapsed >= .milliseconds(50))
        #expect(elapsed < patience)
    }

    @Test func pollReportsOnlyTheSocketWithAMessage() throws {
        let context = try Context()
        let quietEndpoint = uniqueInproc("quiet")
        let busyEndpoint = uniqueInproc("busy")
        let quiet = try context.makeSocket(.pull)
        try quiet.bind(quietEndpoint)
        let busy = try context.makeSocket(.pull)
        try busy.bind(busyEndpoint)
        let push = try context.makeSocket(.push)
        try push.connect(busyEndpoint)
        var poller = Poller()
        let quietIndex = poller.register(quiet)
        let busyIndex = poller.register(busy)

        try push.send([bytes("wake up")])
        let ready = try poller.poll(timeout: patience)

        #expect(ready[quietIndex].isEmpty)
        #expect(ready[busyIndex] == .readable)
        #expect(try busy.receive(dontWait: true)?.frames == [bytes("wake up")])
    }

    @Test func pollReportsWritableSocket() throws {
        let context = try Context()
        let endpoint = uniqueInproc("writable")
        let pull = try context.makeSocket(.pull)
        try pull.bind(endpoint)
        let push = try context.makeSocket(.push)
        try push.connect(endpoint)
        var poller = Poller()
        poller.register(push, for: [.readable, .writable])

        let ready = try poller.poll(timeout: patience)

        #expect(ready == [.writable])
    }

    @Test func pollingAClosedSocketThrowsInsteadOfTouchingIt() throws {
        let context = try Context()
        let pull = try context.makeSocket(.pull)
        var poller = Poller()
        poller.register(pull)
        pull.close()

        let error = #expect(throws: ZMQError.self) { try poller.poll(timeout: .zero) }

        #expect(error?.name == "ENOTSOCK")
    }
}
