import Foundation
import Logging
import ZeroMQ

/// The loop's bookkeeping for the hub's monitoring: per-agency activity and journal health.
extension HubLoop {
    /// An accepted message from `agency` (the authenticated one when the hub is secure).
    func noteAccepted(from agency: String) {
        guard counters.agencies[agency] != nil || counters.agencies.count < HubAgencyActivity.agencyLimit else { return }
        counters.agencies[agency, default: HubAgencyActivity()].messagesIn += 1
        counters.agencies[agency]?.lastMessageAt = Date()
    }

    /// A refused message or subscription of `agency`; unknown senders are not tracked.
    func noteRefusal(of agency: String?) {
        guard let agency, counters.agencies[agency] != nil || counters.agencies.count < HubAgencyActivity.agencyLimit else { return }
        counters.agencies[agency, default: HubAgencyActivity()].refusals += 1
    }

    /// A heartbeat, or a change of presence, of `agency`.
    func noteAgencyPresence(of agency: String, silent: Bool, heartbeat: Bool) {
        guard counters.agencies[agency] != nil || counters.agencies.count < HubAgencyActivity.agencyLimit else { return }
        if heartbeat { counters.agencies[agency, default: HubAgencyActivity()].lastHeartbeatAt = Date() }
        counters.agencies[agency, default: HubAgencyActivity()].silent = silent
    }

    /// The depths of the hub's own queues, read at the end of a round (each is O(1)).
    func noteQueueDepths() {
        counters.queues.deadlinesWatched = registry.watchedDeadlines
        counters.queues.referralsInMemory = registry.count
        counters.queues.awaitingConfirmation = confirmations?.waiting.count ?? 0
        counters.queues.confirmedIDsRemembered = confirmations?.rememberedCount ?? 0
    }

    /// A batch the journal stored (`failure == nil`) or refused.
    func noteCommit(messages: Int, duration: Duration, failure: String?) {
        counters.journalError = failure
        guard failure == nil else { return }
        counters.lastJournalCommitAt = Date()
        observer?.journalCommitted(messages: messages, duration: duration)
    }
}

extension HubLoop {
    /// A connection to the plain ingress ended. libzmq 4.3 reports a peer it dropped for a
    /// frame over `ZMQ_MAXMSGSIZE` exactly as one that closed (`ZMQ_EVENT_DISCONNECTED`, the
    /// descriptor as value, no cause), so both are counted and logged together: a count rising
    /// while agents stay up is the sign of a peer sending oversized frames.
    func noteIngressDisconnect(_ event: MonitorEvent) {
        counters.ingressDisconnects += 1
        let cause = "the peer closed its connection, or libzmq dropped it for a frame over \(ingressFrameLimit) bytes"
        guard let repeated = warningThrottle.admit("ingress-disconnect", now: clock.now) else { return }
        var metadata: Logger.Metadata = [
            "endpoint": "\(event.endpoint)", "cause": "\(cause)", "disconnects": "\(counters.ingressDisconnects)",
        ]
        if repeated > 0 { metadata["repeated"] = "\(repeated)" }
        logger.notice("ingress peer disconnected", metadata: metadata)
    }

    /// The largest frame libzmq lets a peer send to the ingress before dropping it; the hub's
    /// own counted check (`too-large`) is the real limit.
    var ingressFrameLimit: Int { Self.ingressFrameLimit(maxMessageBytes: configuration.maxMessageBytes) }

    static func ingressFrameLimit(maxMessageBytes: Int) -> Int { max(maxMessageBytes * 4, 1 << 20) }

    /// Logs a handshake refused before the ZAP handler was asked, naming the cause; a client
    /// that retries every few hundred milliseconds is logged once per interval with a count.
    func noteFailedHandshake(_ event: MonitorEvent) {
        let cause = event.kind.contains(.handshakeFailedProtocol)
            ? HandshakeFailureDescription.hubSide(protocolError: event.value)
            : "a client closed the connection during the handshake: a plaintext client (no CURVE keys) or one with a wrong hub public key"
        guard let repeated = warningThrottle.admit(cause, now: clock.now) else { return }
        var metadata: Logger.Metadata = ["endpoint": "\(event.endpoint)", "cause": "\(cause)"]
        if repeated > 0 { metadata["repeated"] = "\(repeated)" }
        logger.warning("connection refused: handshake failed", metadata: metadata)
    }
}
