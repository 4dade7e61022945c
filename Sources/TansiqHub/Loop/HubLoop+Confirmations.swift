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

/// Confirmed publishing (protocol 1.1): a DEALER sends the same three frames as to the ingress
/// to the publish ROUTER; the hub answers each message with one `hub.publish-ack` frame once
/// the group commit holding it is done (accepted, with its sequence) or when it refuses it
/// (with the reason and whether it may be sent again). A message id already journaled is
/// acknowledged again with its original sequence and not forwarded twice.
extension HubLoop {
    /// Reads this round's confirmed messages into the batch; refusals are answered at once.
    func drainConfirmed() throws {
        guard let confirmations else { return }
        // Each new id is looked up in the journal: no batch may be in flight meanwhile.
        settleJournal()
        for _ in 0..<Self.batchLimit {
            guard let message = try confirmations.socket.receive(dontWait: true) else { return }
            var frames = message.frames
            guard !frames.isEmpty else { continue }
            let routingID = frames.removeFirst()
            counters.messagesIn += 1
            counters.bytesIn += UInt64(frames.reduce(0) { $0 + $1.count })
            var address = ConfirmationAddress(routingID: routingID, delimiter: false)
            if frames.count == 4, frames[0].isEmpty {
                frames.removeFirst()
                address.delimiter = true
            }
            let (userID, keyCurrent) = gatekeeper.isSecure ? gatekeeper.connection(message.userID) : (nil, true)
            guard frames.count <= configuration.maxFrames else {
                try refuseConfirmed(IngressRejection(
                    reason: .malformedFrames, message: "\(frames.count) frames; a message has 3", topic: nil), to: address, userID: userID)
                continue
            }
            let accepted: AcceptedMessage
            switch validator.validate(frames) {
            case .success(let valid): accepted = valid
            case .failure(var rejection):
                // Refused before its header was read (too large): the client still needs its id.
                if rejection.messageID == nil, frames.count == 3,
                   let header = try? frames[1].withUnsafeBytes({ bytes throws(ProtocolError) in try MessageCodec.decodeHeader(bytes: bytes) }) {
                    rejection.messageID = header.id
                    rejection.agency = rejection.agency ?? header.source
                }
                try refuseConfirmed(rejection, to: address, userID: userID)
                continue
            }
            let id = accepted.header.id
            // Secure: only the sender itself learns what became of its message id.
            if !gatekeeper.isSecure || accepted.header.source == userID {
                // The first copy's acknowledgement answers this one (same round, same client).
                if confirmations.waiting.contains(id) {
                    counters.confirmedDuplicates += 1
                    continue
                }
                switch journaledStamp(of: id) {
                case .success(let stamp?):
                    counters.confirmedDuplicates += 1
                    acknowledge(.accepted(messageId: id, hub: configuration.hubID, seq: stamp.seq, topicSeq: stamp.topicSeq, duplicate: true, limits: confirmations.limits), to: address)
                    continue
                case .success(nil):
                    break
                case .failure(let error):
                    try refuseConfirmed(IngressRejection(
                        reason: .journalUnavailable,
                        message: "the hub could not read its journal (\(error.code)); send it again",
                        messageID: id, agency: accepted.header.source, topic: accepted.topic.rawValue), to: address, userID: userID)
                    continue
                }
            }
            // The same admission and registry checks as the plain ingress.
            if let refusal = admit(accepted, frames: .encoded(frames), userID: userID, keyCurrent: keyCurrent, confirmTo: address) {
                try refuseConfirmed(refusal, to: address, userID: userID)
            }
        }
    }

    /// Where an id was stored before: the recent memory, then the journal's index.
    private func journaledStamp(of id: UUID) -> Result<(seq: UInt64, topicSeq: UInt64)?, JournalError> {
        if let stamp = confirmations?.recentStamp(of: id) { return .success(stamp) }
        guard let journal else { return .success(nil) }
        do {
            return .success(try journal.confirmedStamp(ofMessage: Identifier.text(id)).map { ($0.sequence, $0.topicSequence) })
        } catch {
            return .failure(error)
        }
    }

    /// Counts, logs and answers a refusal; a confirmed publisher hears it in its
    /// acknowledgement, not on `hub/rejected/<agency>`.
    func refuseConfirmed(_ rejection: IngressRejection, to address: ConfirmationAddress, userID: String?) throws {
        guard let confirmations else { return }
        counters.rejections[rejection.reason.rawValue, default: 0] += 1
        let agency = gatekeeper.isSecure ? userID : rejection.agency
        noteRefusal(of: agency)
        // A flood of rate-limited messages is logged once a second.
        if rejection.notify {
            logger.warning("confirmed message refused", metadata: [
                "reason": "\(rejection.reason.rawValue)",
                "agency": "\(agency ?? "unknown")",
                "message-id": "\(rejection.messageID?.uuidString.lowercased() ?? "-")",
                "detail": "\(rejection.message)",
            ])
        }
        var retryAfter: Int?
        if rejection.reason == .rateLimited, let rate = configuration.rateLimit?.messagesPerSecond, rate > 0 {
            retryAfter = max(1, Int((1000 / rate).rounded(.up)))
        } else if rejection.reason == .journalUnavailable {
            retryAfter = 500
        }
        acknowledge(.refused(
            messageId: rejection.messageID, hub: configuration.hubID, reason: rejection.reason,
            message: rejection.message, retryAfterMs: retryAfter, limits: confirmations.limits), to: address)
    }

    /// After the group commit: acknowledges the confirmed messages of `batch` with their stamps.
    func acknowledgeStored(_ batch: [OutgoingMessage], stamps: [(seq: UInt64, topicSeq: UInt64)]) {
        guard let confirmations else { return }
        for (message, stamp) in zip(batch, stamps) {
            guard let address = message.confirmTo else { continue }
            let id = message.header.id
            confirmations.waiting.remove(id)
            confirmations.remember(id, seq: stamp.seq, topicSeq: stamp.topicSeq)
            counters.confirmedAccepted += 1
            acknowledge(.accepted(messageId: id, hub: configuration.hubID, seq: stamp.seq, topicSeq: stamp.topicSeq, duplicate: false, limits: confirmations.limits), to: address)
        }
    }

    /// The journal refused the batch holding this confirmed message: the publisher may retry.
    func refuseUnstored(_ message: OutgoingMessage, to address: ConfirmationAddress, because error: JournalError) {
        guard let confirmations else { return }
        confirmations.waiting.remove(message.header.id)
        acknowledge(.refused(
            messageId: message.header.id, hub: configuration.hubID, reason: .journalUnavailable,
            message: "the hub could not store this message in its journal (\(error.code)); it was not forwarded: send it again",
            retryAfterMs: 500, limits: confirmations.limits), to: address)
    }

    /// Sends without waiting; a client gone or not reading is counted (it sends again and is
    /// answered from the journal).
    private func acknowledge(_ acknowledgement: PublishAcknowledgement, to address: ConfirmationAddress) {
        guard let confirmations else { return }
        var frames = [address.routingID]
        if address.delimiter { frames.append([]) }
        frames.append(acknowledgement.encoded())
        do {
            if try !confirmations.socket.send(frames, dontWait: true) { counters.undeliveredAcknowledgements += 1 }
        } catch {
            counters.undeliveredAcknowledgements += 1
            if error.code != EHOSTUNREACH {
                logger.warning("acknowledgement not sent", metadata: ["error": "\(error)"])
            }
        }
    }
}
