import Foundation
import Synchronization
import TansiqAgent
import TansiqMessages

/// Gathers the events of every agent of a run, from the agents' threads or the agent processes'
/// lines, into what the report needs: each referral's sending, arrivals and answers,
/// escalations, and each agency's load. Each agent appends to its own log; the logs are merged
/// in time order when the report is built.
final class SimulationRecorder: Sendable {
    /// Events of one referral; an arrival or answer may be recorded before the sending when
    /// their times tie.
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
        /// Every status another agency published on it, with when it first did.
        var published: [StatusKey: Date] = [:]
        /// The status changes the referring agency's agents saw, by who made them.
        var seenByReferrer: Set<StatusKey> = []
        /// Agencies whose messages on this referral the hub refused for good (a later claimant
        /// of an open referral): refused, reported, not lost.
        var refusedFrom: Set<String> = []
        /// Providers that claimed this open referral after another one did: the hub gave it to
        /// the first (`already-claimed`); a lost race, counted apart from refusals.
        var claimLostBy: Set<String> = []

        /// The agency that answers it: the addressee, or the provider an open referral went to.
        var answerer: String? { to ?? assignee ?? firstClaimant }
        /// When the answerer first moved it to each state.
        var states: [ReferralState: Date] { answerer.flatMap { statesBy[$0] } ?? [:] }
        /// The answerer's rejection reason, if it rejected.
        var rejection: String? { answerer.flatMap { rejectionBy[$0] } }
    }

    /// A status change by one agency.
    struct StatusKey: Hashable {
        var agency: String
        var state: ReferralState
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
        case sent(id: UUID, Sending)
        case received(UUID)
        case published(id: UUID, state: ReferralState, reason: String?)
        case observed(id: UUID, changedBy: String, state: ReferralState)
        case escalated(id: UUID, deadline: String)
        case refused(id: UUID)
        case claimLost(id: UUID)

        /// The event's part of an agent event; nil for what the report does not count.
        init?(_ event: AgentEvent) {
            switch event {
            case .referralSent(let referral):
                self = .sent(id: referral.referralId, Sending(from: referral.referringAgency, to: referral.receivingAgency, category: referral.category.rawValue))
            case .referralReceived(let referral):
                self = .received(referral.referralId)
            case .statusPublished(let update):
                self = .published(id: update.referralId, state: update.state, reason: update.reason?.rawValue)
            case .statusObserved(let update):
                self = .observed(id: update.referralId, changedBy: update.changedBy, state: update.state)
            case .escalationRaised(let escalation), .escalationObserved(let escalation):
                self = .escalated(id: escalation.referralId, deadline: escalation.deadline.rawValue)
            case .publishRefused(_, _, _, _, let correlationID?):
                self = .refused(id: correlationID)
            case .claimLost(let referralID, _):
                self = .claimLost(id: referralID)
            default:
                return nil
            }
        }

        var isSending: Bool {
            if case .sent = self { return true }
            return false
        }
    }

    /// What a sending carries beyond the referral's id, boxed so that every event stays small:
    /// a run keeps about ten events a referral until its report.
    final class Sending: Sendable {
        let from: String
        let to: String?
        let category: String

        init(from: String, to: String?, category: String) {
            self.from = from
            self.to = to
            self.category = category
        }
    }

    /// One agent's events, in the order it emitted them, and the agent (once, not in each event).
    private final class Log: Sendable {
        let entries = Mutex<(identity: AgentIdentity?, list: [Logged])>((nil, []))
    }

    private struct Logged {
        var event: Event
        var at: Date
    }

    private struct Entry {
        var identity: AgentIdentity
        var event: Event
        var at: Date
    }

    /// One log per agent, so that agents never wait for each other to record: a single lock
    /// shared by every agent thread made them queue behind whichever holder the scheduler had
    /// preempted, and fall behind the simulated clock.
    private let logs = Mutex<[String: Log]>([:])
    private let sentCount = Atomic<Int>(0)
    /// The deadlines of the referrals sent, ascending: instants a virtual-time run stops at, so
    /// that the hub escalates exactly when a deadline passes.
    private let deadlines = Mutex(Deadlines())

    /// Deadlines still able to pass: acknowledgement and decision of each referral sent, until answered.
    private struct Deadlines {
        var pending: [(due: Date, id: UUID, decision: Bool)] = []
        var acknowledged: Set<UUID> = []
        var decided: Set<UUID> = []
    }
    private let completedCount = Atomic<Int>(0)

    private func log(of agent: String) -> Log {
        logs.withLock { logs in
            if let log = logs[agent] { return log }
            let log = Log()
            logs[agent] = log
            return log
        }
    }

    /// The observer to give the agent `agent`.
    func observer(for agent: String) -> AgentObserver {
        let log = log(of: agent)
        return { [self] identity, event, at in
            switch event {
            case .referralSent(let referral): noteDeadlines(of: referral)
            case .statusPublished(let update): noteAnswer(update)
            default: break
            }
            guard let event = Event(event) else { return }
            append(Entry(identity: identity, event: event, at: at), to: log)
        }
    }

    private func noteDeadlines(of referral: Referral) {
        deadlines.withLock { list in
            for (due, decision) in [(referral.acknowledgeBy, false), (referral.decideBy, true)] {
                var low = 0
                var high = list.pending.count
                while low < high {
                    let middle = (low + high) / 2
                    if list.pending[middle].due <= due { low = middle + 1 } else { high = middle }
                }
                list.pending.insert((due, referral.referralId, decision), at: low)
            }
        }
    }

    private func noteAnswer(_ update: ReferralStatusUpdate) {
        guard update.state != .cancelled else { return }
        deadlines.withLock { list in
            list.acknowledged.insert(update.referralId)
            if update.state != .received { list.decided.insert(update.referralId) }
        }
    }

    /// The first deadline after `time` of a sent referral that may still pass unanswered.
    func nextDeadline(after time: Date) -> Date? {
        deadlines.withLock { list in
            let passed = list.pending.prefix { $0.due <= time }.count
            list.pending.removeFirst(passed)
            return list.pending.first { entry in
                !(entry.decision ? list.decided : list.acknowledged).contains(entry.id)
            }?.due
        }
    }

    /// Referrals sent and completed so far, for progress lines.
    var progress: (sent: Int, completed: Int) {
        (sentCount.load(ordering: .relaxed), completedCount.load(ordering: .relaxed))
    }

    /// Records one event of one agent (a line an agent process printed).
    func record(_ identity: AgentIdentity, _ event: Event, _ at: Date) {
        append(Entry(identity: identity, event: event, at: at), to: log(of: identity.agent))
    }

    private func append(_ entry: Entry, to log: Log) {
        log.entries.withLock { entries in
            if entries.identity == nil { entries.identity = entry.identity }
            entries.list.append(Logged(event: entry.event, at: entry.at))
        }
        switch entry.event {
        case .sent: sentCount.add(1, ordering: .relaxed)
        case .published(_, .completed, _): completedCount.add(1, ordering: .relaxed)
        default: break
        }
    }

    /// Everything recorded, every agent's events played in the order of their times (a
    /// sending before what it caused at the same instant, each agent's own events in order).
    var snapshot: State {
        let all = logs.withLock { Array($0.values) }
        var entries: [(entry: Entry, rank: Int)] = []
        for log in all {
            log.entries.withLock { logged in
                guard let identity = logged.identity else { return }
                entries += logged.list.enumerated().map { (Entry(identity: identity, event: $1.event, at: $1.at), $0) }
            }
        }
        entries.sort { left, right in
            if left.entry.at != right.entry.at { return left.entry.at < right.entry.at }
            let (l, r) = (left.entry.event.isSending ? 0 : 1, right.entry.event.isSending ? 0 : 1)
            if l != r { return l < r }
            if left.entry.identity.agent != right.entry.identity.agent { return left.entry.identity.agent < right.entry.identity.agent }
            return left.rank < right.rank
        }
        var state = State()
        for (entry, _) in entries { Self.apply(entry, to: &state) }
        return state
    }

    private static func apply(_ entry: Entry, to state: inout State) {
        let identity = entry.identity
        let agency = identity.agency
        let at = entry.at
        switch entry.event {
        case let .sent(id, sending):
            guard !state.sentIDs.contains(id) else { return }
            state.sentIDs.insert(id)
            state.referrals[id, default: Record()].from = sending.from
            state.referrals[id]?.to = sending.to
            state.referrals[id]?.category = sending.category
            state.referrals[id]?.sentAt = at
            state.referrals[id]?.sender = identity.agent
            state.order.append(id)
            state.sent += 1
        case .received(let id):
            state.referrals[id, default: Record()].receivedBy.insert(agency)
        case let .published(id, newState, reason):
            apply(id, newState, reason, by: agency, at: at, &state)
        case let .observed(id, changedBy, newState):
            if agency == state.referrals[id]?.from {
                state.referrals[id]?.seenByReferrer.insert(StatusKey(agency: changedBy, state: newState))
            }
            guard var record = state.referrals[id], record.to == nil, record.assignee == nil,
                  record.sender == identity.agent, changedBy != record.from else { return }
            record.assignee = changedBy
            state.referrals[id] = record
        case let .escalated(id, deadline):
            state.referrals[id, default: Record()].escalations.insert(deadline)
        case let .refused(id):
            state.referrals[id, default: Record()].refusedFrom.insert(agency)
        case let .claimLost(id):
            state.referrals[id, default: Record()].claimLostBy.insert(agency)
        }
    }

    private static func apply(
        _ id: UUID, _ newState: ReferralState, _ reason: String?, by agency: String, at: Date, _ state: inout State
    ) {
        var record = state.referrals[id] ?? Record()
        defer { state.referrals[id] = record }
        // A status for the referrer (the referrer's own moves go the other way).
        if agency != record.from, record.published[StatusKey(agency: agency, state: newState)] == nil {
            record.published[StatusKey(agency: agency, state: newState)] = at
        }
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
