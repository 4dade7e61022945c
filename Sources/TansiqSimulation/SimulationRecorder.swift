import Foundation
import Synchronization
import TansiqAgent
import TansiqMessages

/// Gathers the events of every agent of a run, from the agents' threads, into what the report
/// needs: each referral's sending, arrivals and answers, escalations, and each agency's load.
final class SimulationRecorder: Sendable {
    /// Events of one referral; an arrival or answer may be recorded before the sending, as the
    /// sender's and the receiver's threads race to the recorder.
    struct Record {
        var from = ""
        var to: String?
        var category = ""
        var sentAt = Date.distantPast
        /// The agent that sent it: the one whose book assigns an open referral.
        var sender = ""
        var receivedBy: Set<String> = []
        /// For an open referral, the provider the sender assigned it to: the first claimant it heard.
        var assignee: String?
        /// The first claimant to publish `received`, in case the sender's view is missing.
        var firstClaimant: String?
        /// When each agency first moved it to each state.
        var statesBy: [String: [ReferralState: Date]] = [:]
        var rejectionBy: [String: String] = [:]
        var escalations: Set<String> = []

        /// The agency that answers it: the addressee, or the provider an open referral went to.
        var answerer: String? { to ?? assignee ?? firstClaimant }
        /// When the answerer first moved it to each state.
        var states: [ReferralState: Date] { answerer.flatMap { statesBy[$0] } ?? [:] }
        /// The answerer's rejection reason, if it rejected.
        var rejection: String? { answerer.flatMap { rejectionBy[$0] } }
    }

    struct State {
        var referrals: [UUID: Record] = [:]
        var order: [UUID] = []
        var sentIDs: Set<UUID> = []
        var inUse: [String: Int] = [:]
        var peak: [String: Int] = [:]
        var holders: [UUID: Set<String>] = [:]
        var sent = 0
        var completed = 0
    }

    /// What the report needs of one agent event, from a thread's `AgentEvent` or from a
    /// process's `--print-events` line.
    enum Event {
        case sent(id: UUID, from: String, to: String?, category: String)
        case received(UUID)
        case published(id: UUID, state: ReferralState, reason: String?)
        case observed(id: UUID, changedBy: String)
        case escalated(id: UUID, deadline: String)

        /// The event's part of an agent event; nil for what the report does not count.
        init?(_ event: AgentEvent) {
            switch event {
            case .referralSent(let referral):
                self = .sent(id: referral.referralId, from: referral.referringAgency, to: referral.receivingAgency, category: referral.category.rawValue)
            case .referralReceived(let referral):
                self = .received(referral.referralId)
            case .statusPublished(let update):
                self = .published(id: update.referralId, state: update.state, reason: update.reason?.rawValue)
            case .statusObserved(let update):
                self = .observed(id: update.referralId, changedBy: update.changedBy)
            case .escalationRaised(let escalation):
                self = .escalated(id: escalation.referralId, deadline: escalation.deadline.rawValue)
            default:
                return nil
            }
        }
    }

    private let state = Mutex(State())

    /// The observer to give every agent.
    var observer: AgentObserver {
        { [self] agent, event, at in
            guard let event = Event(event) else { return }
            record(agent, event, at)
        }
    }

    /// Referrals sent and completed so far, for progress lines.
    var progress: (sent: Int, completed: Int) {
        state.withLock { ($0.sent, $0.completed) }
    }

    /// Everything recorded.
    var snapshot: State { state.withLock { $0 } }

    /// Records one event of one agent.
    func record(_ identity: AgentIdentity, _ event: Event, _ at: Date) {
        let agency = identity.agency
        switch event {
        case let .sent(id, from, to, category):
            state.withLock {
                guard !$0.sentIDs.contains(id) else { return }
                $0.sentIDs.insert(id)
                $0.referrals[id, default: Record()].from = from
                $0.referrals[id]?.to = to
                $0.referrals[id]?.category = category
                $0.referrals[id]?.sentAt = at
                $0.referrals[id]?.sender = identity.agent
                $0.order.append(id)
                $0.sent += 1
            }
        case .received(let id):
            state.withLock { _ = $0.referrals[id, default: Record()].receivedBy.insert(agency) }
        case let .published(id, newState, reason):
            state.withLock { Self.apply(id, newState, reason, by: agency, at: at, &$0) }
        case let .observed(id, changedBy):
            state.withLock {
                guard var record = $0.referrals[id], record.to == nil, record.assignee == nil,
                      record.sender == identity.agent, changedBy != record.from else { return }
                record.assignee = changedBy
                $0.referrals[id] = record
            }
        case let .escalated(id, deadline):
            state.withLock { _ = $0.referrals[id, default: Record()].escalations.insert(deadline) }
        }
    }

    private static func apply(
        _ id: UUID, _ newState: ReferralState, _ reason: String?, by agency: String, at: Date, _ state: inout State
    ) {
        var record = state.referrals[id] ?? Record()
        defer { state.referrals[id] = record }
        if newState == .cancelled {
            // The referrer withdraws a losing claim on an open referral: free what that claimant held.
            for holder in state.holders[id] ?? [] where holder != record.answerer {
                release(id, holder, &state)
            }
            return
        }
        if newState == .received, record.firstClaimant == nil { record.firstClaimant = agency }
        if newState == .accepted {
            state.holders[id, default: []].insert(agency)
            let now = state.inUse[agency, default: 0] + 1
            state.inUse[agency] = now
            state.peak[agency] = max(state.peak[agency, default: 0], now)
        }
        if newState == .completed || newState == .failed || newState == .rejected {
            release(id, agency, &state)
        }
        guard record.statesBy[agency]?[newState] == nil else { return }
        record.statesBy[agency, default: [:]][newState] = at
        if newState == .rejected { record.rejectionBy[agency] = reason ?? "unspecified" }
        if newState == .completed { state.completed += 1 }
    }

    private static func release(_ id: UUID, _ agency: String, _ state: inout State) {
        guard state.holders[id]?.remove(agency) != nil else { return }
        state.inUse[agency, default: 1] -= 1
    }
}
