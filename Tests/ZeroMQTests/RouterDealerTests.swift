import Testing
import ZeroMQ

@Suite struct RouterDealerTests {
    @Test func routerRoutesRepliesByExplicitRoutingID() throws {
        let context = try Context()
        let router = try context.makeSocket(.router)
        try router.set(.routerMandatory(true))
        let endpoint = try router.bindLoopback()
        let first = try context.makeSocket(.dealer)
        try first.set(.routingID(bytes("agent-1")))
        try first.connect(endpoint)
        let second = try context.makeSocket(.dealer)
        try second.set(.routingID(bytes("agent-2")))
        try second.connect(endpoint)

        try first.send([bytes("hello from 1")])
        try second.send([bytes("hello from 2")])
        var senders: Set<[UInt8]> = []
        for _ in 0..<2 {
            let message = try #require(try router.receiveBounded())
            #expect(message.frames.count == 2)
            senders.insert(message.frames[0])
        }
        #expect(senders == [bytes("agent-1"), bytes("agent-2")])

        try router.send([bytes("agent-2"), bytes("for 2")])
        try router.send([bytes("agent-1"), bytes("for 1")])

        #expect(try first.receiveBounded()?.frames == [bytes("for 1")])
        #expect(try second.receiveBounded()?.frames == [bytes("for 2")])
    }

    @Test func mandatoryRouterRefusesUnknownRoutingID() throws {
        let context = try Context()
        let router = try context.makeSocket(.router)
        try router.set(.routerMandatory(true))
        try router.bind(uniqueInproc("router"))

        let error = #expect(throws: ZMQError.self) { try router.send([bytes("nobody"), bytes("lost")]) }

        #expect(error?.name == "EHOSTUNREACH")
    }
}
