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
        var receivedBy: Set<String> = []
        /// The agency that answers: the first to mark it received.
        var answerer: String?
        /// When the answerer first moved it to each state.
        var states: [ReferralState: Date] = [:]
        var rejection: String?
        var escalations: Set<String> = []
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
        { [self] agent, event, at in record(agent.agency, event, at) }
    }

    /// Referrals sent and completed so far, for progress lines.
    var progress: (sent: Int, completed: Int) {
        state.withLock { ($0.sent, $0.completed) }
    }

    /// Everything recorded.
    var snapshot: State { state.withLock { $0 } }

    private func record(_ agency: String, _ event: AgentEvent, _ at: Date) {
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
                $0.order.append(id)
                $0.sent += 1
            }
        case .referralReceived(let referral):
            state.withLock { _ = $0.referrals[referral.referralId, default: Record()].receivedBy.insert(agency) }
        case .statusPublished(let update):
            state.withLock { Self.apply(update, by: agency, at: at, &$0) }
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
        if update.state == .received, record.answerer == nil { record.answerer = agency }
        if update.state == .accepted {
            state.holders[id, default: []].insert(agency)
            let now = state.inUse[agency, default: 0] + 1
            state.inUse[agency] = now
            state.peak[agency] = max(state.peak[agency, default: 0], now)
        }
        if update.state == .completed || update.state == .failed || update.state == .rejected {
            release(id, agency, &state)
        }
        guard agency == record.answerer, record.states[update.state] == nil else { return }
        record.states[update.state] = at
        if update.state == .rejected { record.rejection = update.reason?.rawValue ?? "unspecified" }
        if update.state == .completed { state.completed += 1 }
    }

    private static func release(_ id: UUID, _ agency: String, _ state: inout State) {
        guard state.holders[id]?.remove(agency) != nil else { return }
        state.inUse[agency, default: 1] -= 1
    }
}
