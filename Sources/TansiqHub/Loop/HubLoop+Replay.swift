#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import TansiqMessages
import ZeroMQ

/// The replay endpoint: a ROUTER that answers "every journaled message on these prefixes after
/// sequence N", one page per request, in the Clone pattern of the ZeroMQ Guide.
///
/// The loop reads one page from the journal per request and sends it without waiting. The
/// ROUTER is `ROUTER_MANDATORY` with a send high-water mark of two whole pages: a client that
/// asks for one page at a time always has room, and a client that stops reading makes the send
/// fail at once (EAGAIN) instead of blocking forwarding or having messages dropped silently in
/// the middle of a page; the rest of that page is abandoned and counted as `client-too-slow`.
extension HubLoop {
    /// The page size when a request names none.
    static let replayDefaultLimit: UInt64 = 500
    /// The largest page a request may ask for.
    static let replayMaximumLimit: UInt64 = 5000
    /// The most requests answered in one poll round, so that forwarding keeps its turn.
    static let replayRequestsPerRound = 4

    static func makeReplaySocket(context: Context, configuration: HubConfiguration) throws(ZMQError) -> Socket {
        let socket = try context.makeSocket(.router)
        // The same CURVE server settings as the ingress and egress: replay serves the same data.
        try configuration.security.configureServer(socket)
        try socket.set(.routerMandatory(true))
        try socket.set(.sendHighWaterMark(Int32(2 * (replayMaximumLimit + 1))))
        try socket.set(.linger(milliseconds: 0))
        try socket.set(.maxMessageSize(Int64(max(configuration.maxMessageBytes * 4, 1 << 20))))
        return socket
    }

    func drainReplay() throws {
        guard let replay else { return }
        // Pages are read from the journal: no batch may be in flight meanwhile.
        settleJournal()
        for _ in 0..<Self.replayRequestsPerRound {
            guard let message = try replay.receive(dontWait: true) else { return }
            guard let routingID = message.frames.first else { continue }
            counters.replayRequests += 1
            // A connection whose key was rotated out is answered as an unauthenticated one.
            let connection = gatekeeper.connection(message.userID)
            try answer(message.frames.dropFirst(), from: routingID, userID: connection.keyCurrent ? connection.agency : nil, on: replay)
        }
    }

    private func answer(_ frames: ArraySlice<[UInt8]>, from client: [UInt8], userID: String?, on replay: Socket) throws {
        let validator = ReplayRequestValidator(hubID: configuration.hubID, maxMessageBytes: configuration.maxMessageBytes)
        let head = journal?.lastSequence ?? counters.lastSequence
        let accepted: AcceptedReplayRequest
        switch validator.validate(frames) {
        case .success(let request):
            accepted = request
        case .failure(let refusal):
            let end = ReplayEnd(
                lastSequence: refusal.afterSequence ?? 0, count: 0, more: false, headSequence: head,
                error: .init(code: ReplayEnd.Failure.badRequest, message: Self.capped(refusal.message)))
            // Secure: answer the agency that really asked, never the one the request claims.
            let agency = gatekeeper.isSecure ? userID : refusal.agency
            try sendEnd(end, agency: agency ?? "unknown", causationID: refusal.messageID, to: client, on: replay)
            return
        }
        let request = accepted.request
        func refuse(_ code: String, _ message: String) throws {
            let end = ReplayEnd(
                lastSequence: request.afterSequence, count: 0, more: false, headSequence: head,
                error: .init(code: code, message: message))
            let agency = gatekeeper.isSecure ? userID ?? "unknown" : accepted.agency
            try sendEnd(end, agency: agency, causationID: accepted.header.id, to: client, on: replay)
        }
        // An agency may read back what it published itself, whatever topic it went to (1.2).
        let ownOnly = request.sentBy != nil
        if let sentBy = request.sentBy, sentBy != accepted.agency {
            return try refuse(ReplayEnd.Failure.notAuthorized, "'\(accepted.agency)' may replay its own messages only, not those of '\(sentBy)'")
        }
        if gatekeeper.isSecure {
            // The same rules as live delivery: an agency replays only as itself, only what it may read.
            guard let userID, userID == accepted.agency else {
                return try refuse(ReplayEnd.Failure.notAuthorized, "the request names agency '\(accepted.agency)' but the connection is authenticated as '\(userID ?? "nobody")'")
            }
            if !ownOnly, let denied = request.prefixes.first(where: { !replayPermits(prefix: $0, for: userID) }) {
                return try refuse(ReplayEnd.Failure.notAuthorized, "'\(userID)' may not read '\(denied)'")
            }
        }
        let limit = request.limit ?? Self.replayDefaultLimit
        guard limit <= Self.replayMaximumLimit else {
            return try refuse(ReplayEnd.Failure.limitTooLarge, "limit \(limit) is above the hub's maximum page of \(Self.replayMaximumLimit); ask for at most \(Self.replayMaximumLimit) and page with afterSequence")
        }
        guard request.afterSequence <= head else {
            return try refuse(ReplayEnd.Failure.sequenceInFuture, "afterSequence \(request.afterSequence) is above the hub's last sequence \(head)")
        }
        guard let journal else {
            return try refuse(ReplayEnd.Failure.journalUnavailable, "this hub runs without a journal")
        }
        let records: [JournalRecord]
        let firstStored: UInt64?
        let erased: Int
        do {
            // One more than the page tells whether more matching messages exist.
            let read = try journal.page(after: request.afterSequence, prefixes: request.prefixes, limit: Int(limit) + 1, source: request.sentBy)
            records = read.records
            erased = read.erased
            firstStored = try journal.firstStoredSequence()
        } catch {
            logger.error("replay: cannot read the journal", metadata: ["agency": "\(accepted.agency)", "error": "\(error)"])
            return try refuse(ReplayEnd.Failure.journalUnavailable, "the hub could not read its journal (\(error.code)); ask again later")
        }
        let page = records.prefix(Int(limit))
        var failure: ReplayEnd.Failure?
        // Retention deleted messages after afterSequence: the page still goes, with a warning.
        let historyStart = firstStored ?? (head + 1)
        if request.afterSequence + 1 < historyStart {
            failure = .init(
                code: ReplayEnd.Failure.historyTruncated,
                message: "retention deleted messages after sequence \(request.afterSequence); history starts at sequence \(historyStart)")
        }
        var sent: UInt64 = 0
        for record in page where ownOnly || replayPermits(topic: record.topic, to: userID) {
            let frames = [client, Array(record.topic.utf8), record.header, record.body,
                MessageCodec.encodeStamp(HubStamp(hub: configuration.hubID, seq: record.sequence, topicSeq: record.topicSequence))]
            guard try send(frames, on: replay, agency: accepted.agency) else { return }
            sent += 1
        }
        counters.replayedMessages += sent
        let end = ReplayEnd(
            lastSequence: page.last?.sequence ?? request.afterSequence,
            count: sent,
            more: records.count > page.count,
            headSequence: head,
            error: failure,
            erased: erased > 0 ? UInt64(erased) : nil)
        try sendEnd(end, agency: accepted.agency, causationID: accepted.header.id, to: client, on: replay)
        logger.debug(
            "replayed",
            metadata: ["agency": "\(accepted.agency)", "after": "\(request.afterSequence)", "count": "\(sent)", "more": "\(end.more)"])
    }

    private func sendEnd(_ end: ReplayEnd, agency: String, causationID: UUID?, to client: [UInt8], on replay: Socket) throws {
        if let error = end.error { counters.replayErrors[error.code, default: 0] += 1 }
        if let error = end.error, error.code != ReplayEnd.Failure.historyTruncated {
            logger.warning("replay refused", metadata: ["agency": "\(agency)", "code": "\(error.code)", "detail": "\(error.message)"])
        }
        let frames: [[UInt8]]
        do {
            let envelope = Envelope(
                topic: try Topic.replayEnd(agency: agency), source: configuration.hubID, agent: configuration.hubID,
                payload: .replayEnd(end), causationID: causationID)
            frames = try MessageCodec.encode(envelope)
        } catch {
            logger.error("replay end marker failed to encode", metadata: ["error": "\(error)"])
            return
        }
        _ = try send([client] + frames, on: replay, agency: agency)
    }

    /// Sends without waiting; `false` (and counted) when the client is gone or not reading.
    private func send(_ frames: [[UInt8]], on replay: Socket, agency: String) throws(ZMQError) -> Bool {
        let delivered: Bool
        do {
            delivered = try replay.send(frames, dontWait: true)
        } catch {
            guard error.code == EHOSTUNREACH else { throw error }
            counters.replayErrors["client-gone", default: 0] += 1
            logger.info("replay client disconnected", metadata: ["agency": "\(agency)"])
            return false
        }
        if !delivered {
            counters.replayErrors["client-too-slow", default: 0] += 1
            logger.warning("replay client too slow: page abandoned", metadata: ["agency": "\(agency)"])
        }
        return delivered
    }

    /// An explanation fits the end marker's 1024 characters.
    private static func capped(_ message: String) -> String {
        message.count <= 1000 ? message : String(message.prefix(1000)) + "…"
    }
}
