import ArgumentParser
import Foundation
import TansiqAgent
import TansiqMessages
import ZeroMQ

/// A CLI's SUB socket on a hub's egress, whose handshakes are watched so that a refused key, a
/// wrong hub key or a plaintext client is named instead of waiting in silence. Used on one
/// thread only (the command's `SocketThread`).
final class HubSubscriber {
    /// How long a client waits for its first handshake before it says the hub is unreachable.
    static let patience: Duration = .seconds(3)

    let socket: Socket
    let watch: HubConnectionWatch
    private var poller = Poller()
    private var later: [String]

    /// Subscribes to `prefixes` on `egress`. `after` are subscribed once the handshake has
    /// succeeded: libzmq sends a new connection's subscriptions in lexicographic order, and
    /// those that must reach the hub first (`hub/rejected/<agency>`) go in `prefixes`.
    init(context: Context, egress: String, keys: HubClientKeys?, prefixes: [String], after: [String] = []) throws {
        socket = try context.makeSocket(.sub)
        try socket.set(.linger(milliseconds: 0))
        try keys?.configureClient(socket)
        watch = try HubConnectionWatch(socket: socket, context: context, endpoint: egress, keys: keys)
        for prefix in prefixes { try socket.set(.subscribe(Array(prefix.utf8))) }
        later = after
        try socket.connect(egress)
        _ = poller.register(socket)
        _ = poller.register(watch.socket)
    }

    /// Waits up to `timeout` for a message; `nil` on timeout. Throws ``Failure`` when the
    /// handshake failed for a reason that waiting will not cure (a key problem).
    func next(timeout: Duration) throws -> Multipart? {
        if let message = try socket.receive(dontWait: true) { return message }
        let ready = try poller.poll(timeout: timeout)
        if ready[1].contains(.readable), let problem = try watch.update(), problem.cause != .unreachable {
            throw Failure(problem: problem)
        }
        if !later.isEmpty, watch.isConnected {
            for prefix in later { try socket.set(.subscribe(Array(prefix.utf8))) }
            later = []
        }
        return ready[0].contains(.readable) ? try socket.receive(dontWait: true) : nil
    }

    /// The reason to give when nothing came: the handshake's problem, or unreachable.
    func silenceProblem() throws -> HubConnectionProblem? {
        try watch.update()
        return watch.problem(after: .zero)
    }

    func close() {
        watch.close()
        socket.close()
    }

    /// A problem that ends the command.
    struct Failure: Error {
        var problem: HubConnectionProblem

        /// 77 (EX_NOPERM) for a key the hub refuses or does not match; 69 (EX_UNAVAILABLE) when unreachable.
        var exitCode: ExitCode { problem.cause == .unreachable ? ExitCode(69) : ExitCode(77) }
    }
}

extension HubKeyOptions {
    /// The agency named by `--secret-key` (its certificate's `agency`, or the file's name).
    func agency() -> String? {
        guard let secretKey else { return nil }
        if let certificate = try? CurveCertificate.load(contentsOf: secretKey), let agency = certificate.metadata["agency"] { return agency }
        return URL(fileURLWithPath: secretKey).deletingPathExtension().lastPathComponent
    }
}
