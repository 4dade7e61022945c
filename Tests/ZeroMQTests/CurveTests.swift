import Testing
import ZeroMQ

@Suite(.enabled(if: ZMQVersion.has("curve"), "libzmq built without CURVE"))
struct CurveTests {
    /// A CURVE server in `context`, guarded by a ZAP handler that admits only `known`.
    private func makeGuardedServer(
        context: Context, serverKeys: CurveKeyPair, known: CurveKeyPair, requests: Locked<[ZAPRequest]>
    ) throws -> (ZAPHandler, Socket) {
        let handler = try ZAPHandler(context: context) { request in
            requests.withValue { $0.append(request) }
            return request.publicKey == known.publicKey
                ? .allow(userID: "agency:iom")
                : .deny(reason: "unknown key")
        }
        let server = try context.makeSocket(.pull)
        try server.set(.curveServer(true))
        try server.set(.curveSecretKey(serverKeys.secretKey))
        try server.set(.zapDomain("tansiq"))
        return (handler, server)
    }

    private func makeClient(context: Context, keys: CurveKeyPair, serverKey: String) throws -> Socket {
        let client = try context.makeSocket(.push)
        try client.set(.curveServerKey(serverKey))
        try client.set(.curvePublicKey(keys.publicKey))
        try client.set(.curveSecretKey(keys.secretKey))
        return client
    }

    @Test func knownClientIsAdmittedWithUserIDFromHandler() throws {
        let context = try Context()
        let serverKeys = try CurveKeyPair.generate()
        let clientKeys = try CurveKeyPair.generate()
        let requests = Locked<[ZAPRequest]>([])
        let (handler, server) = try makeGuardedServer(
            context: context, serverKeys: serverKeys, known: clientKeys, requests: requests)
        defer { handler.stop() }
        let endpoint = try server.bindLoopback()
        let client = try makeClient(context: context, keys: clientKeys, serverKey: serverKeys.publicKey)
        try client.connect(endpoint)

        try client.send([bytes("referral.created"), bytes("{}")])
        let message = try #require(try server.receiveBounded())

        #expect(message.frames == [bytes("referral.created"), bytes("{}")])
        #expect(message.userID == "agency:iom")
        let request = try #require(requests.withValue { $0.first })
        #expect(request.mechanism == "CURVE")
        #expect(request.domain == "tansiq")
        #expect(request.address == "127.0.0.1")
        #expect(request.publicKey == clientKeys.publicKey)
    }

    @Test func unknownClientIsRefusedAndItsMessageNeverArrives() throws {
        let context = try Context()
        let serverKeys = try CurveKeyPair.generate()
        let knownKeys = try CurveKeyPair.generate()
        let intruderKeys = try CurveKeyPair.generate()
        let requests = Locked<[ZAPRequest]>([])
        let (handler, server) = try makeGuardedServer(
            context: context, serverKeys: serverKeys, known: knownKeys, requests: requests)
        defer { handler.stop() }
        let monitor = try SocketMonitor(socket: server, context: context, events: [.handshakeFailedAuth])
        let endpoint = try server.bindLoopback()

        let intruder = try makeClient(context: context, keys: intruderKeys, serverKey: serverKeys.publicKey)
        try intruder.set(.linger(milliseconds: 0))
        try intruder.connect(endpoint)
        try intruder.send([bytes("forged referral")])
        let refusal = try #require(try monitor.waitFor(.handshakeFailedAuth))
        #expect(refusal.value == 400)
        intruder.close()

        let known = try makeClient(context: context, keys: knownKeys, serverKey: serverKeys.publicKey)
        try known.connect(endpoint)
        try known.send([bytes("marker")])
        let first = try #require(try server.receiveBounded())

        #expect(first.frames == [bytes("marker")])
        #expect(first.userID == "agency:iom")
        #expect(requests.withValue { $0.contains { $0.publicKey == intruderKeys.publicKey } })
    }

    @Test func stoppedHandlerFreesTheZAPEndpoint() throws {
        let context = try Context()
        let first = try ZAPHandler(context: context) { _ in .deny(reason: "closed") }
        #expect(throws: ZMQError.self) { _ = try ZAPHandler(context: context) { _ in .deny(reason: "again") } }

        first.stop()
        first.stop()
        let second = try ZAPHandler(context: context) { _ in .deny(reason: "closed") }
        second.stop()
    }
}

@Suite struct CurveKeyPairTests {
    @Test func generatedPairDerivesItsOwnPublicKey() throws {
        let pair = try CurveKeyPair.generate()

        #expect(pair.publicKey.utf8.count == 40)
        #expect(pair.secretKey.utf8.count == 40)
        #expect(try CurveKeyPair.derivePublicKey(fromSecret: pair.secretKey) == pair.publicKey)
        #expect(try CurveKeyPair(publicKey: pair.publicKey, secretKey: pair.secretKey) == pair)
    }

    @Test func mismatchedOrMalformedKeysAreRejected() throws {
        let one = try CurveKeyPair.generate()
        let other = try CurveKeyPair.generate()

        let mismatch = #expect(throws: ZMQError.self) {
            try CurveKeyPair(publicKey: other.publicKey, secretKey: one.secretKey)
        }
        #expect(mismatch?.name == "EINVAL")
        #expect(throws: ZMQError.self) { try CurveKeyPair(publicKey: "short", secretKey: one.secretKey) }
        #expect(throws: ZMQError.self) { try CurveKeyPair.derivePublicKey(fromSecret: String(repeating: "~", count: 40)) }
    }
}

@Suite struct Z85Tests {
    @Test func encodesTheSpecificationVector() {
        let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]

        #expect(Z85.encode(bytes) == "HelloWorld")
        #expect(Z85.decode("HelloWorld") == bytes)
    }

    @Test func rejectsBadLengthsAndCharacters() {
        #expect(Z85.encode([1, 2, 3]) == nil)
        #expect(Z85.decode("Hello") != nil)
        #expect(Z85.decode("Hell") == nil)
        #expect(Z85.decode("Hell\"") == nil)
        #expect(Z85.encode([]) == "")
        #expect(Z85.decode("") == [])
    }

    @Test func roundTripsRandomKeys() {
        let key = (0..<32).map { _ in UInt8.random(in: 0...255) }

        #expect(Z85.decode(Z85.encode(key) ?? "") == key)
    }
}
