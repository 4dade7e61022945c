import Foundation
import Logging
import TansiqMessages
import ZeroMQ

/// Asks a hub's replay endpoint for the journaled messages after a sequence number, page by
/// page, as docs/PROTOCOL.md's replay exchange says: a DEALER sends a `hub.replay.request`,
/// the hub answers with the stamped messages in sequence order and an end marker.
///
/// Owns one socket: use it from one thread at a time. After a timeout or any failure the
/// socket is replaced, so a late answer to an abandoned request is never read as the next one's.
public final class ReplayClient {
    /// The hub's replay endpoint.
    public let endpoint: String
    /// The agency asking.
    public let agency: String
    private let agent: String
    private let context: Context
    private let logger: Logger
    private var socket: Socket?
    private let keys: HubClientKeys?
    /// Whether the connection stays open after an exchange (`false`: closed at the end of each
    /// ``replay(prefixes:after:pageSize:timeout:sentBy:deliver:)``, opened again by the next).
    public var keepsConnection = true

    /// The most pages one ``replay(prefixes:after:pageSize:timeout:deliver:)`` asks for: a
    /// hub that always says `more` cannot keep a client looping.
    public static let maximumPages = 100_000

    /// Creates a client; it connects on first use. `agent` defaults to the agency; `keys`
    /// make it a CURVE client of a secure hub.
    public init(
        context: Context, endpoint: String, agency: String, agent: String? = nil, keys: HubClientKeys? = nil, logger: Logger
    ) throws(ReplayError) {
        do {
            _ = try Topic.replayRequest(agency: agency)
        } catch {
            throw ReplayError(.badRequest, "agency '\(agency)': \(error.message)")
        }
        self.context = context
        self.endpoint = endpoint
        self.agency = agency
        self.agent = agent ?? agency
        self.keys = keys
        self.logger = logger
    }

    /// Replays every message whose topic starts with one of `prefixes` and whose sequence is
    /// above `after`, asking page after page until the hub says there is no more, and hands
    /// each to `deliver` in sequence order. `timeout` bounds each wait for the hub's next frame.
    public func replay(
        prefixes: [String],
        after: UInt64,
        pageSize: Int = 500,
        timeout: Duration,
        sentBy: String? = nil,
        deliver: (ReplayedMessage) throws -> Void
    ) throws(ReplayError) -> ReplayOutcome {
        defer { if !keepsConnection { close() } }
        var after = after
        var outcome = ReplayOutcome(hub: "", lastSequence: after, headSequence: after, count: 0, pages: 0)
        do throws(ReplayError) {
            while outcome.pages < Self.maximumPages {
                outcome.pages += 1
                let (end, hub) = try page(prefixes: prefixes, after: after, limit: pageSize, timeout: timeout, sentBy: sentBy, deliver: { message throws(ReplayError) in
                    do {
                        try deliver(message)
                    } catch {
                        throw ReplayError(.delivery, "delivering sequence \(message.stamp.seq): \(error)")
                    }
                    outcome.count += 1
                })
                outcome.hub = hub
                outcome.headSequence = end.headSequence
                if let error = end.error {
                    guard error.code == "history-truncated" else {
                        throw ReplayError(
                            error.code == "sequence-in-future" ? .sequenceInFuture : .refused,
                            "the hub refused the replay after \(after): \(error.code): \(error.message)",
                            hubError: error, headSequence: end.headSequence, hub: hub)
                    }
                    logger.warning("replay history truncated", metadata: ["detail": "\(error.message)"])
                    outcome.historyTruncated = outcome.historyTruncated ?? error
                }
                outcome.lastSequence = max(outcome.lastSequence, end.lastSequence)
                guard end.more else { return outcome }
                guard end.lastSequence > after else {
                    throw ReplayError(.protocolViolation, "the hub said more but the page did not advance past \(after)", hub: hub)
                }
                after = end.lastSequence
            }
            throw ReplayError(.protocolViolation, "the hub still had more after \(Self.maximumPages) pages")
        } catch {
            // Whatever is still in flight belongs to an abandoned request.
            socket?.close()
            socket = nil
            throw error
        }
    }

    /// Closes the socket.
    public func close() {
        socket?.close()
        socket = nil
    }

    /// One request and its answer; returns the end marker and the hub that sent it.
    private func page(
        prefixes: [String],
        after: UInt64,
        limit: Int,
        timeout: Duration,
        sentBy: String?,
        deliver: (ReplayedMessage) throws(ReplayError) -> Void
    ) throws(ReplayError) -> (ReplayEnd, String) {
        let request: [[UInt8]]
        do {
            let body = ReplayRequest(prefixes: prefixes, afterSequence: after, limit: UInt64(max(1, limit)), sentBy: sentBy)
            request = try MessageCodec.encode(Envelope(
                topic: try Topic.replayRequest(agency: agency), source: agency, agent: agent, payload: .replayRequest(body)))
        } catch {
            throw ReplayError(.badRequest, "the replay request is not valid: \(error.message)")
        }
        let socket = try connectedSocket(timeout: timeout)
        do {
            guard try socket.send(request) else {
                throw ReplayError(.timeout, "the replay endpoint \(endpoint) did not take the request within \(timeout)")
            }
        } catch let error as ReplayError {
            throw error
        } catch {
            throw ReplayError(.transport, "sending the replay request: \(error)")
        }
        var previous = after
        while true {
            let message: Multipart?
            do {
                message = try socket.receive()
            } catch {
                throw ReplayError(.transport, "receiving the replay: \(error)")
            }
            guard let frames = message?.frames else {
                throw ReplayError(.timeout, "the replay endpoint \(endpoint) did not answer within \(timeout)")
            }
            let decoded: (envelope: Envelope, stamp: HubStamp?)
            do {
                decoded = try MessageCodec.decode(frames)
            } catch {
                throw ReplayError(.protocolViolation, "an undecodable message in the replay: \(error)")
            }
            if let stamp = decoded.stamp {
                let topic = decoded.envelope.topic.description
                guard stamp.seq > previous, prefixes.contains(where: { topic.hasPrefix($0) }) else {
                    throw ReplayError(.protocolViolation, "the hub replayed sequence \(stamp.seq) on '\(topic)' after \(previous), outside the request")
                }
                previous = stamp.seq
                try deliver(ReplayedMessage(envelope: decoded.envelope, stamp: stamp))
                continue
            }
            guard case .replayEnd(let end) = decoded.envelope.payload, decoded.envelope.topic.agency == agency else {
                throw ReplayError(.protocolViolation, "expected the replay's end marker, got '\(decoded.envelope.topic)'")
            }
            return (end, decoded.envelope.header.source)
        }
    }

    private func connectedSocket(timeout: Duration) throws(ReplayError) -> Socket {
        if let socket { return socket }
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        do {
            let socket = try context.makeSocket(.dealer)
            try socket.set(.linger(milliseconds: 0))
            try socket.set(.receiveTimeout(milliseconds: max(1, milliseconds)))
            try socket.set(.sendTimeout(milliseconds: max(1, milliseconds)))
            try keys?.configureClient(socket)
            try socket.connect(endpoint)
            self.socket = socket
            return socket
        } catch {
            throw ReplayError(.transport, "cannot connect to the replay endpoint \(endpoint): \(error)")
        }
    }
}
