import Foundation
import Logging
import ZeroMQ

/// The hub's ZAP handler: admits the known agencies' keys for every CURVE server socket of the
/// hub's context, and proves it is answering before the hub binds anything.
///
/// libzmq 4.3 admits any CURVE client when no handler is bound to `inproc://zeromq.zap.01`;
/// a hub that cannot bind its own handler (another is bound in the context) or whose handler
/// does not answer refuses to start.
final class ZAPAuthenticator {
    private let handler: ZAPHandler

    init(context: Context, access: HubAccess) throws {
        do {
            handler = try ZAPHandler(context: context) { request in access.authenticate(request) }
        } catch {
            throw HubError(
                code: .authenticationUnavailable,
                message: "cannot bind the ZAP handler (\(error)); a secure hub needs its own handler in its context"
            )
        }
        do {
            try Self.probe(context: context)
        } catch {
            handler.stop()
            throw error
        }
    }

    func stop() {
        handler.stop()
    }

    /// Sends one ZAP request and waits (bounded) for the answer.
    static func probe(context: Context) throws {
        func unavailable(_ detail: String) -> HubError {
            HubError(code: .authenticationUnavailable, message: "the ZAP handler does not answer: \(detail)")
        }
        do {
            let client = try context.makeSocket(.dealer)
            defer { client.close() }
            try client.set(.linger(milliseconds: 0))
            try client.set(.receiveTimeout(milliseconds: 2000))
            try client.set(.sendTimeout(milliseconds: 2000))
            try client.connect(ZAPHandler.endpoint)
            let requestID = Array("probe-\(UInt32.random(in: 0...UInt32.max))".utf8)
            let request: [[UInt8]] = [
                [], Array("1.0".utf8), requestID, Array(HubAccess.probeDomain.utf8), Array("0.0.0.0".utf8), [],
                Array("CURVE".utf8), [UInt8](repeating: 0, count: 32),
            ]
            guard try client.send(request) else { throw unavailable("the request could not be sent") }
            guard let reply = try client.receive() else { throw unavailable("no reply within 2 s") }
            guard reply.frames.count >= 4, reply.frames[1] == Array("1.0".utf8), reply.frames[2] == requestID,
                  reply.frames[3] == Array("400".utf8)
            else {
                throw unavailable("unexpected reply \(reply.frames.map { String(decoding: $0, as: UTF8.self) })")
            }
        } catch let error as ZMQError {
            throw unavailable(error.description)
        }
    }
}
