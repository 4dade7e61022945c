import Testing
import ZeroMQ

@Suite struct MonitorTests {
    @Test func monitorsSeeConnectThenDisconnect() throws {
        let context = try Context()
        let server = try context.makeSocket(.pull)
        let serverMonitor = try SocketMonitor(socket: server, context: context)
        let endpoint = try server.bindLoopback()
        let client = try context.makeSocket(.push)
        let clientMonitor = try SocketMonitor(socket: client, context: context, events: [.connected])

        try client.connect(endpoint)
        let accepted = try #require(try serverMonitor.waitFor(.accepted))
        let connected = try #require(try clientMonitor.waitFor(.connected))
        #expect(accepted.endpoint == endpoint)
        #expect(connected.endpoint == endpoint)

        clientMonitor.close()
        client.close()
        let disconnected = try serverMonitor.waitFor(.disconnected)
        #expect(disconnected?.endpoint == endpoint)
    }

    @Test func monitorFiltersEventKinds() throws {
        let context = try Context()
        let server = try context.makeSocket(.pull)
        let monitor = try SocketMonitor(socket: server, context: context, events: [.listening])

        let endpoint = try server.bindLoopback()
        let event = try #require(try monitor.next(timeout: patience))

        #expect(event.kind == .listening)
        #expect(event.endpoint == endpoint)
    }

    @Test func oversizedMessageDisconnectsPeerAndNeverArrives() throws {
        let context = try Context()
        let receiver = try context.makeSocket(.pull)
        try receiver.set(.maxMessageSize(1024))
        let monitor = try SocketMonitor(socket: receiver, context: context)
        let endpoint = try receiver.bindLoopback()
        let offender = try context.makeSocket(.push)
        try offender.set(.linger(milliseconds: 0))
        try offender.connect(endpoint)

        try offender.send([Array(repeating: 0xAB, count: 64 * 1024)])
        #expect(try monitor.waitFor(.disconnected) != nil)
        offender.close()

        let fresh = try context.makeSocket(.push)
        try fresh.connect(endpoint)
        try fresh.send([bytes("small")])
        let message = try #require(try receiver.receiveBounded())

        #expect(message.frames == [bytes("small")])
        #expect(try receiver.receive(dontWait: true) == nil)
    }
}
