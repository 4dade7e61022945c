import Foundation
import TansiqMessages

extension ReferralRecord {
    /// The registry's record of a referral as the coordinator rebuilds it from the hub's views
    /// (`hub/view/`, one at every move the hub accepted, stamped with the hub's time), so that the
    /// coordinator's facts are ``ReferralFacts``' own, computed from the registry's own times.
    /// `trail` is every view's state and time, oldest first; the first is the creation.
    public init(
        latest view: ReferralView, trail: [(state: ReferralState, at: Date)], closeReason: String?, escalated: [Escalation.Deadline],
        acknowledgements: [EscalationAcknowledgementRecord]
    ) {
        self.init(
            referralId: view.referralId, referrer: view.referrer, receiver: view.receiver, open: view.open, category: view.category,
            priority: view.priority, acknowledgeBy: view.acknowledgeBy, decideBy: view.decideBy, followUpOn: view.followUpOn,
            consentScope: [], state: view.state, createdSequence: 0, lastSequence: 0, updatedAt: view.updatedAt, escalated: escalated,
            acknowledgements: acknowledgements, createdAt: trail.first { $0.state == .requested }?.at ?? trail.first?.at)
        for move in trail where move.state != .requested {
            noteMove(to: move.state, reason: move.state.isTerminal ? closeReason : nil, at: move.at)
        }
    }
}
