import Foundation
import Logging
import TansiqMessages

/// Admission, the stage after ingress validation: authentication, policy and rate (the
/// gatekeeper), then the registry; an admitted message joins the round's batch for the
/// sequencer, and a refused one is answered.
extension HubLoop {
    /// The admission both ingresses share, after validation: policy and rate, the registry,
    /// presence; an admitted message joins the round's group commit. Returns the refusal, which
    /// the caller answers its own way (`hub/rejected/<agency>` or the acknowledgement).
    func admit(
        _ accepted: AcceptedMessage, frames: OutgoingMessage.Frames, userID: String?, keyCurrent: Bool = true,
        confirmTo: ConfirmationAddress? = nil
    ) -> IngressRejection? {
        if let refusal = gatekeeper.admit(accepted, userID: userID, keyCurrent: keyCurrent, now: time.now()) { return refusal }
        let changed: UUID?
        switch checkRegistry(accepted, frames: frames, userID: userID) {
        case .success(let referral): changed = referral
        case .failure(let refusal): return refusal
        }
        if accepted.topic.family == .presence { notePresence(accepted, body: frames.frame(2)) }
        noteAccepted(from: accepted.header.source)
        if confirmTo != nil { confirmations?.waiting.insert(accepted.header.id) }
        outbox.append(OutgoingMessage(
            topic: accepted.topic.rawValue, header: accepted.header, frames: frames, fromPublisher: true,
            referral: changed, confirmTo: confirmTo))
        if let changed { publishView(of: changed) }
        return nil
    }

    /// Refuses a message: counts it, logs it and tells its sender on `hub/rejected/<agency>`:
    /// the header's `source` when the header parsed (docs/PROTOCOL.md); on a secure hub always
    /// the connection's agency, never the one a message claimed to be.
    func reject(_ rejection: IngressRejection, userID: String?) throws {
        var rejection = rejection
        if gatekeeper.isSecure { rejection.agency = userID }
        counters.rejections[rejection.reason.rawValue, default: 0] += 1
        noteRefusal(of: rejection.agency)
        guard rejection.notify else { return }
        logger.warning(
            "message rejected",
            metadata: [
                "reason": "\(rejection.reason.rawValue)",
                "agency": "\(rejection.agency ?? "unknown")",
                "message-id": "\(rejection.messageID?.uuidString.lowercased() ?? "-")",
                "detail": "\(rejection.message)",
            ]
        )
        let payload = HubRejection(
            rejectedMessageId: rejection.messageID,
            agency: rejection.agency,
            reason: rejection.reason,
            message: rejection.message,
            topic: rejection.topic,
            at: time.now(),
            referralId: rejection.referralID
        )
        publishOwn(topic: try Topic.hubRejection(agency: rejection.agency ?? "unknown"), payload: .hubRejection(payload))
    }
}
