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

    private let state = Mutex(State())

    /// The observer to give every agent.
    var observer: AgentObserver {
        { [self] agent, event, at in record(agent, event, at) }
    }

    /// Referrals sent and completed so far, for progress lines.
    var progress: (sent: Int, completed: Int) {
        state.withLock { ($0.sent, $0.completed) }
    }

    /// Everything recorded.
    var snapshot: State { state.withLock { $0 } }

    private func record(_ identity: AgentIdentity, _ event: AgentEvent, _ at: Date) {
        let agency = identity.agency
        switch event {
        case .referralSent(let referral):
            state.withLock {
                let id = referral.referralId
                guard !$0.sentIDs.contains(id) else { return }
                $0.sentIDs.insert(id)
                $0.referrals[id, default: Record()].from = referral.referringAgency
                $0.referrals[id]?.to = referral.receivingAgency
                $0.referrals[id]?.category = referral.category.rawValue
                $0.referrals[id]?.sentAt = at
                $0.referrals[id]?.sender = identity.agent
                $0.order.append(id)
                $0.sent += 1
            }
        case .referralReceived(let referral):
            state.withLock { _ = $0.referrals[referral.referralId, default: Record()].receivedBy.insert(agency) }
        case .statusPublished(let update):
            state.withLock { Self.apply(update, by: agency, at: at, &$0) }
        case .statusObserved(let update):
            state.withLock {
                guard var record = $0.referrals[update.referralId], record.to == nil, record.assignee == nil,
                      record.sender == identity.agent, update.changedBy != record.from else { return }
                record.assignee = update.changedBy
                $0.referrals[update.referralId] = record
            }
        case .escalationRaised(let escalation):
            state.withLock { _ = $0.referrals[escalation.referralId, default: Record()].escalations.insert(escalation.deadline.rawValue) }
        default:
            break
        }
    }

    private static func apply(_ update: ReferralStatusUpdate, by agency: String, at: Date, _ state: inout State) {
        let id = update.referralId
        var record = state.referrals[id] ?? Record()
        defer { state.referrals[id] = record }
        if update.state == .cancelled {
            // The referrer withdraws a losing claim on an open referral: free what that claimant held.
            for holder in state.holders[id] ?? [] where holder != record.answerer {
                release(id, holder, &state)
            }
            return
        }
        if update.state == .received, record.firstClaimant == nil { record.firstClaimant = agency }
        if update.state == .accepted {
            state.holders[id, default: []].insert(agency)
            let now = state.inUse[agency, default: 0] + 1
            state.inUse[agency] = now
            state.peak[agency] = max(state.peak[agency, default: 0], now)
        }
        if update.state == .completed || update.state == .failed || update.state == .rejected {
            release(id, agency, &state)
        }
        guard record.statesBy[agency]?[update.state] == nil else { return }
        record.statesBy[agency, default: [:]][update.state] = at
        if update.state == .rejected { record.rejectionBy[agency] = update.reason?.rawValue ?? "unspecified" }
        if update.state == .completed { state.completed += 1 }
    }

    private static func release(_ id: UUID, _ agency: String, _ state: inout State) {
        guard state.holders[id]?.remove(agency) != nil else { return }
        state.inUse[agency, default: 1] -= 1
    }
}
