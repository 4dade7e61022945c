import Foundation
import TansiqMessages

/// What the registry says of a message.
enum RegistryVerdict: Equatable {
    /// Forward it; `changed` is the referral whose record it changed, if any.
    case forward(changed: UUID?)
    /// Refuse it, with a reason of docs/PROTOCOL.md and a message naming the recorded facts.
    case refuse(HubRejection.Reason, String)
}

extension ReferralRegistry {
    /// Checks a referral, status update or escalation sent by `sender` (the authenticated
    /// agency, or the declared `source` on an insecure hub) against the registry, and records
    /// what it changes. `mayClaim(agency, openTopic)` says whether an agency is entitled to an
    /// open referral published on a topic (the access policy; always true on an insecure hub).
    /// `bodyDigest(kind)` is the message body's digest of that kind, computed only when a
    /// referral needs it (read in place: the body is not copied).
    func admit(
        _ payload: Payload, topic: Topic, sender: String, bodyDigest: (ReferralRecord.DigestKind) -> UInt64, now: Date,
        mayClaim: (String, String) -> Bool
    ) -> RegistryVerdict {
        switch payload {
        case .referral(let referral):
            return admit(referral, topic: topic, sender: sender, bodyDigest: bodyDigest, now: now)
        case .referralStatus(let update):
            return admit(update, topic: topic, sender: sender, now: now, mayClaim: mayClaim)
        case .escalation(let escalation):
            guard let record = self[escalation.referralId] else {
                return .refuse(.unknownReferral, "no referral \(Self.text(escalation.referralId)) was ever accepted by this hub")
            }
            guard sender == record.referrer else {
                return .refuse(.notAParty, "only the hub and the referrer '\(record.referrer)' raise escalations of referral \(Self.text(record.referralId)); '\(sender)' may not")
            }
            guard escalation.category == record.category else {
                return .refuse(.bodyTopicMismatch, "referral \(Self.text(record.referralId)) is a '\(record.category)' referral, not '\(escalation.category)'")
            }
            return .forward(changed: nil)
        case .escalationAcknowledgement(let acknowledgement):
            return admit(acknowledgement, sender: sender, now: now)
        default:
            return .forward(changed: nil)
        }
    }

    /// The coordinator, and only it, acknowledges a deadline the hub escalated, once (1.2).
    private func admit(_ acknowledgement: EscalationAcknowledgement, sender: String, now: Date) -> RegistryVerdict {
        var id: String { Self.text(acknowledgement.referralId) }
        guard var record = self[acknowledgement.referralId] else {
            return .refuse(.unknownReferral, "no referral \(id) was ever accepted by this hub (or it was closed long ago)")
        }
        guard let coordinator = rules.coordinator else {
            return .refuse(.notAParty, "this hub names no coordinator (--coordinator), so nobody acknowledges escalations")
        }
        guard sender == coordinator else {
            return .refuse(.notAParty, "only the coordinator '\(coordinator)' acknowledges escalations; '\(sender)' may not")
        }
        guard acknowledgement.referrer == record.referrer, acknowledgement.category == record.category else {
            return .refuse(
                .bodyTopicMismatch,
                "referral \(id) is a '\(record.category)' referral of '\(record.referrer)', not a '\(acknowledgement.category)' one of '\(acknowledgement.referrer)'")
        }
        guard record.escalated.contains(acknowledgement.deadline) else {
            let escalated = record.escalated.isEmpty ? "none" : record.escalated.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            return .refuse(
                .notEscalated,
                "referral \(id) was not escalated for its '\(acknowledgement.deadline.rawValue)' deadline (escalated: \(escalated))")
        }
        if let earlier = record.acknowledgements.first(where: { $0.deadline == acknowledgement.deadline }) {
            return .refuse(
                .alreadyAcknowledged,
                "the '\(acknowledgement.deadline.rawValue)' escalation of referral \(id) was acknowledged at \(earlier.acknowledgedAt.protocolText) ('\(earlier.action)')")
        }
        record.acknowledgements.append(EscalationAcknowledgementRecord(
            deadline: acknowledgement.deadline, acknowledgedBy: sender, acknowledgedAt: now, action: acknowledgement.action))
        record.updatedAt = now
        put(record)
        return .forward(changed: record.referralId)
    }

    private func admit(
        _ referral: Referral, topic: Topic, sender: String, bodyDigest: (ReferralRecord.DigestKind) -> UInt64, now: Date
    ) -> RegistryVerdict {
        if let known = self[referral.referralId] {
            // The referrer's agent publishes a referral nobody acknowledged again, unchanged.
            guard known.referrer == sender, known.matches(body: bodyDigest) else {
                let id = Self.text(referral.referralId)
                return .refuse(
                    .duplicateReferral,
                    known.referrer == sender
                        ? "referral \(id) was already sent with other content; a new referral needs a new id"
                        : "referral \(id) already exists (sent by '\(known.referrer)'); a new referral needs a new id")
            }
            return .forward(changed: nil)
        }
        let skew = rules.clockSkew
        guard referral.acknowledgeBy > now.addingTimeInterval(-skew) else {
            return .refuse(.invalidDeadline, "acknowledgeBy \(referral.acknowledgeBy.protocolText) has already passed (hub time \(now.protocolText))")
        }
        let window = rules.decisionWindow(for: referral.priority)
        guard referral.decideBy <= now.addingTimeInterval(window + skew) else {
            return .refuse(
                .invalidDeadline,
                "decideBy \(referral.decideBy.protocolText) is later than a '\(referral.priority)' referral allows: at most \(Self.duration(window)) after it is sent")
        }
        put(ReferralRecord(
            referralId: referral.referralId, referrer: sender, receiver: referral.receivingAgency, open: referral.isOpen,
            category: referral.category, priority: referral.priority, acknowledgeBy: referral.acknowledgeBy,
            decideBy: referral.decideBy, followUpOn: referral.followUpOn, consentScope: referral.consent.scope,
            state: .requested, createdSequence: 0, lastSequence: 0, updatedAt: now, escalated: [], createdAt: now,
            bodyDigest: bodyDigest(.xxh64)))
        return .forward(changed: referral.referralId)
    }

    private func admit(
        _ update: ReferralStatusUpdate, topic: Topic, sender: String, now: Date, mayClaim: (String, String) -> Bool
    ) -> RegistryVerdict {
        var id: String { Self.text(update.referralId) }
        guard var record = self[update.referralId] else {
            return .refuse(.unknownReferral, "no referral \(id) was ever accepted by this hub (or it was closed long ago)")
        }
        guard !record.isClosed else {
            return .refuse(.referralClosed, "referral \(id) is closed: it was '\(record.state)' at \(record.updatedAt.protocolText)")
        }
        guard topic.category == record.category else {
            return .refuse(.bodyTopicMismatch, "referral \(id) is a '\(record.category)' referral; the topic says '\(topic.category?.rawValue ?? "none")'")
        }
        let actor: ReferralActor
        var claims = false
        if sender == record.referrer {
            actor = .referrer
        } else if sender == record.receiver {
            actor = .receiver
        } else if record.open {
            let openTopic = (try? Topic.openReferral(category: record.category, referrer: record.referrer).rawValue) ?? ""
            guard mayClaim(sender, openTopic) else {
                return .refuse(.notAParty, "'\(sender)' may not claim open referral \(id) ('\(openTopic)')")
            }
            if let claimant = record.receiver {
                return .refuse(.alreadyClaimed, "open referral \(id) was claimed by '\(claimant)' first; '\(sender)' may not move it")
            }
            actor = .receiver
            claims = true
        } else {
            return .refuse(.notAParty, "'\(sender)' is not a party to referral \(id) (from '\(record.referrer)' to '\(record.receiver ?? "nobody")')")
        }
        // The party's own last move sent again (an agent answering a re-published referral): forwarded, nothing changes.
        if update.state == record.state, update.previousState != update.state,
           ReferralLifecycle.isAllowed(from: update.previousState, to: update.state, by: actor), !claims {
            return .forward(changed: nil)
        }
        guard update.previousState == record.state else {
            return .refuse(
                .illegalTransition,
                "referral \(id) is '\(record.state)' at the hub, not '\(update.previousState)': the move '\(update.previousState)' → '\(update.state)' does not apply")
        }
        guard ReferralLifecycle.isAllowed(from: record.state, to: update.state, by: actor) else {
            let allowed = ReferralLifecycle.allowedTransitions(from: record.state).filter { $0.actor == actor }.map { "'\($0.to)'" }
            return .refuse(
                .illegalTransition,
                "illegal transition from '\(record.state)' to '\(update.state)' by the \(actor) of referral \(id)"
                    + (allowed.isEmpty ? ": the \(actor) makes no move from '\(record.state)'" : "; the \(actor) may move it to \(allowed.joined(separator: ", "))"))
        }
        let addressee: String? = actor == .receiver ? record.referrer : (record.receiver ?? rules.coordinator)
        if let addressee, topic.addressee != addressee {
            return .refuse(.wrongAddressee, "this update of referral \(id) goes to '\(addressee)', the other party, not '\(topic.addressee ?? "none")'")
        }
        if claims { record.receiver = sender }
        record.state = update.state
        record.updatedAt = now
        record.noteMove(to: update.state, reason: update.reason?.rawValue ?? update.outcome?.code.rawValue, at: now)
        put(record)
        return .forward(changed: record.referralId)
    }

    static func text(_ id: UUID) -> String { Identifier.text(id) }

    static func duration(_ seconds: TimeInterval) -> String {
        seconds.truncatingRemainder(dividingBy: 86_400) == 0 ? "\(Int(seconds / 86_400)) d" : "\(Int(seconds / 3600)) h"
    }
}
