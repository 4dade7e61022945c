import Dispatch
import Foundation
import Testing
import ZeroMQ

@Suite struct ContextTests {
    @Test func shutdownEndsAReceiveBlockedInAnotherThreadWithETERM() throws {
        let context = try Context()
        let pull = try context.makeSocket(.pull)
        try pull.bind(uniqueInproc("blocked"))
        let outcome = Locked<ZMQError?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            do {
                _ = try pull.receive()
            } catch let error as ZMQError {
                outcome.withValue { $0 = error }
            } catch {}
            pull.close()
            done.signal()
        }
        thread.start()

        context.shutdown()

        #expect(done.wait(timeout: .now() + .seconds(5)) == .success)
        #expect(outcome.withValue { $0?.isTerminated } == true)
    }

    @Test func bindingAnAddressInUseThrowsEADDRINUSE() throws {
        let context = try Context()
        let first = try context.makeSocket(.pull)
        let endpoint = try first.bindLoopback()
        let second = try context.makeSocket(.pull)

        let error = try #require(throws: ZMQError.self) { try second.bind(endpoint) }

        #expect(error.name == "EADDRINUSE")
        #expect(error.operation == "bind(\(endpoint))")
        #expect(error.description.contains("EADDRINUSE"))
        #expect(error.description.hasPrefix("bind(\(endpoint)) failed: "))
    }

    @Test func closedSocketIsIdempotentAndRefusesWork() throws {
        let context = try Context()
        let socket = try context.makeSocket(.pair)

        socket.close()
        socket.close()

        #expect(socket.isClosed)
        let error = #expect(throws: ZMQError.self) { try socket.bind(uniqueInproc("closed")) }
        #expect(error?.name == "ENOTSOCK")
    }

    @Test func unbindFreesTheEndpoint() throws {
        let context = try Context()
        let first = try context.makeSocket(.pull)
        let monitor = try SocketMonitor(socket: first, context: context, events: [.closed])
        let endpoint = try first.bindLoopback()
        try first.unbind(endpoint)
        // The listener closes in an I/O thread: wait until it has.
        #expect(try monitor.waitFor(.closed) != nil)
        let second = try context.makeSocket(.pull)

        try second.bind(endpoint)

        #expect(try second.lastEndpoint() == endpoint)
    }

    @Test func invalidOptionValueThrowsEINVAL() throws {
        let context = try Context()
        let dealer = try context.makeSocket(.dealer)

        let error = #expect(throws: ZMQError.self) { try dealer.set(.routingID([])) }

        #expect(error?.name == "EINVAL")
        #expect(error?.operation == "setsockopt(ZMQ_ROUTING_ID)")
    }

    @Test func typedOptionsAreAcceptedBySocketsTheyApplyTo() throws {
        let context = try Context()
        let xpub = try context.makeSocket(.xpub)
        let router = try context.makeSocket(.router)
        let keys = try CurveKeyPair.generate()

        try xpub.set(.xpubVerbose(true))
        try xpub.set(.xpubManual(true))
        try xpub.set(.sendHighWaterMark(10_000))
        try router.set(.receiveHighWaterMark(10_000))
        try router.set(.sendTimeout(milliseconds: 100))
        try router.set(.heartbeat(interval: 1000, timeout: 3000, ttl: 5000))
        try router.set(.immediate(true))
        try router.set(.curveServer(true))
        try router.set(.curvePublicKey(keys.publicKey))
        try router.set(.curveSecretKey(keys.secretKey))
        #expect(throws: ZMQError.self) { try router.set(.curveServerKey("not a key")) }
    }

    @Test func errorNamesLibzmqAndUnknownCodes() {
        let terminated = ZMQError(operation: "receive", code: 156_384_712 + 53)

        #expect(terminated.name == "ETERM")
        #expect(terminated.isTerminated)
        #expect(ZMQError(operation: "x", code: 99_999).name == "errno 99999")
    }
}
