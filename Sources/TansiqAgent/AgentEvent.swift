import Foundation
import TansiqMessages

/// Something an agent did or saw, reported to an observer (the simulator's report, the
/// `--print-events` output of the agent executables, tests).
public enum AgentEvent: Sendable {
    /// The agent's publications and subscriptions both go through the hub.
    case ready
    /// This agent sent a referral.
    case referralSent(Referral)
    /// A referral addressed to this agent's agency, or open for a category it serves, arrived.
    case referralReceived(Referral)
    /// This agent published a status change.
    case statusPublished(ReferralStatusUpdate)
    /// A status change made by another agency reached this agent.
    case statusObserved(ReferralStatusUpdate)
    /// This agent raised an escalation.
    case escalationRaised(Escalation)
    /// An escalation reached this agent.
    case escalationObserved(Escalation)
    /// Messages are missing on a topic: the hub's per-topic sequence jumped.
    case gap(topic: String, expected: UInt64, received: UInt64)
    /// The hub refused something this agency sent.
    case rejectedByHub(HubRejection)
    /// The hub confirmed a message of ours: it is journaled at `seq` (`duplicate`: it had been
    /// journaled before, this was a re-send).
    case publishConfirmed(messageID: UUID, seq: UInt64, duplicate: Bool)
    /// The hub refused a message of ours for good (or it was too large to send): it is not in
    /// the outbox any more and will not be sent again.
    /// `correlationID` is the referral the message belongs to, if any.
    case publishRefused(messageID: UUID, topic: String, reason: HubRejection.Reason, message: String, correlationID: UUID?)
    /// The hub gave an open referral this agency claimed to another provider that claimed it
    /// first (`already-claimed`): a lost race, not an error; the agent let the referral go.
    /// `messageID` is our refused message, when the hub named it.
    case claimLost(referralID: UUID, messageID: UUID?)
    /// Every referral of a case has reached a final state.
    case caseClosed(caseReference: String)
    /// This agent published its service availability.
    case serviceStatusPublished(ServiceStatus)
    /// The hub said an agency went silent or came back (the coordinator hears it).
    case presenceChanged(HubPresence)
    /// The hub's de-identified view of a referral arrived (its state as the hub recorded it).
    case referralViewed(ReferralView)
    /// The agent started on a saved state holding this many referrals.
    case resumed(referrals: Int)
    /// The agent replayed what it missed from the hub's journal and goes live.
    case caughtUp(replayed: UInt64, lastSequence: UInt64)
    /// This agent published a referral again: nobody acknowledged it in time.
    case referralRepublished(Referral, attempt: Int)
    /// A referral this agent already processed arrived again; it re-sent its statuses on it.
    case referralDuplicate(Referral, resentStatuses: Int)
}

/// Receives an agent's events on the agent's own thread: keep it quick and thread-safe.
public typealias AgentObserver = @Sendable (_ agent: AgentIdentity, _ event: AgentEvent, _ at: Date) -> Void

/// The agency and agent an event comes from.
public struct AgentIdentity: Sendable, Hashable {
    /// The agency (`health-delegation-agadir`).
    public var agency: String
    /// The agent within it.
    public var agent: String

    /// Creates a value.
    public init(agency: String, agent: String) {
        self.agency = agency
        self.agent = agent
    }
}
