import CZeroMQ
import Dispatch
import Foundation

/// Answers ZAP 1.0 authentication requests (RFC 27) for every socket of a context.
///
/// It binds a ROUTER socket on `inproc://zeromq.zap.01` in the given context and serves it on
/// its own thread, calling `authenticate` for each request. Start it before any server
/// socket of the context binds, or early clients are not authenticated. With CURVE and no
/// handler, libzmq 4.3 admits every client that knows the server key.
///
/// Stop it with ``stop()``, or by shutting the context down; `deinit` stops it too.
public final class ZAPHandler: @unchecked Sendable {
    /// The endpoint libzmq sends ZAP requests to.
    public static let endpoint = "inproc://zeromq.zap.01"

    private let lock = NSLock()
    private var stopper: Socket?
    private let finished = DispatchSemaphore(value: 0)

    /// Binds the handler and starts its thread; returns once it is bound. Throws
    /// `EADDRINUSE` when the context already has a ZAP handler.
    public init(context: Context, authenticate: @escaping @Sendable (ZAPRequest) -> ZAPDecision) throws(ZMQError) {
        let replier = try context.makeSocket(.router)
        try replier.set(.linger(milliseconds: 0))
        try replier.bind(Self.endpoint)
        let control = try context.makeSocket(.pair)
        let controlEndpoint = "inproc://zeromq.zap.control.\(UInt64.random(in: .min ... .max))"
        try control.bind(controlEndpoint)
        let stopper = try context.makeSocket(.pair)
        try stopper.set(.linger(milliseconds: 0))
        try stopper.connect(controlEndpoint)
        self.stopper = stopper

        let finished = self.finished
        // The sockets move to the new thread; Thread.start is the memory barrier libzmq asks for.
        let thread = Thread {
            Self.serve(replier: replier, control: control, authenticate: authenticate)
            // Unbinding inproc is synchronous, closing is not: free the endpoint before stop() returns.
            try? replier.unbind(Self.endpoint)
            replier.close()
            control.close()
            finished.signal()
        }
        thread.name = "zeromq.zap"
        thread.start()
    }

    deinit {
        stop()
    }

    /// Stops the handler and waits for its thread to end. Idempotent. Never call it from
    /// inside `authenticate`, which runs on that thread.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard let stopper else { return }
        // Fails with ETERM when the context is shut down: the thread is then exiting anyway.
        _ = try? stopper.send([[]])
        stopper.close()
        self.stopper = nil
        finished.wait()
    }

    private static func serve(
        replier: Socket, control: Socket, authenticate: @Sendable (ZAPRequest) -> ZAPDecision
    ) {
        var poller = Poller()
        let replierIndex = poller.register(replier)
        let controlIndex = poller.register(control)
        do {
            while true {
                let ready = try poller.poll(timeout: nil)
                if ready[controlIndex].contains(.readable) { return }
                guard ready[replierIndex].contains(.readable),
                      let request = try replier.receive(dontWait: true)
                else { continue }
                // libzmq talks to the handler like a REQ: routing id, empty delimiter, then ZAP frames.
                guard request.frames.count >= 2, request.frames[1].isEmpty else { continue }
                let envelope = Array(request.frames[..<2])
                try replier.send(envelope + reply(to: Array(request.frames.dropFirst(2)), authenticate: authenticate))
            }
        } catch {
            // ETERM (context shut down) or a broken socket: either way the handler ends.
            return
        }
    }

    /// The ZAP reply frames: version, request id, status code, status text, user id, metadata.
    static func reply(to frames: [[UInt8]], authenticate: (ZAPRequest) -> ZAPDecision) -> [[UInt8]] {
        let requestID = frames.count > 1 ? frames[1] : []
        func answer(_ status: Int, _ text: String, userID: String = "") -> [[UInt8]] {
            [Array("1.0".utf8), requestID, Array(String(status).utf8), Array(text.utf8), Array(userID.utf8), []]
        }
        guard frames.count >= 6, frames[0] == Array("1.0".utf8) else {
            return answer(500, "malformed ZAP request")
        }
        let mechanism = String(decoding: frames[5], as: UTF8.self)
        let credentials = Array(frames.dropFirst(6))
        var publicKey: String?
        if mechanism == "CURVE" {
            guard credentials.count == 1, credentials[0].count == 32 else {
                return answer(500, "malformed CURVE credentials")
            }
            publicKey = Z85.encode(credentials[0])
        }
        let request = ZAPRequest(
            domain: String(decoding: frames[2], as: UTF8.self),
            address: String(decoding: frames[3], as: UTF8.self),
            routingID: frames[4],
            mechanism: mechanism,
            publicKey: publicKey,
            credentials: credentials
        )
        switch authenticate(request) {
        case .allow(let userID):
            return answer(200, "OK", userID: userID)
        case .deny(let status, let reason):
            return answer(status, reason)
        }
    }
}
