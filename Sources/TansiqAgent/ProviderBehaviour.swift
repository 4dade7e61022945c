import Foundation
import TansiqMessages

/// How a provider answers referrals: what it offers, at what capacity, and how fast.
public struct ProviderPolicy: Sendable, Equatable, Codable {
    /// One service offered.
    public struct Offer: Sendable, Equatable, Codable {
        /// Cases (or beds, places) it can hold at once.
        public var capacity: Int
        /// What capacity counts (`cases`, `beds`, `places`).
        public var unit: String

        /// Creates an offer.
        public init(capacity: Int, unit: String = "cases") {
            self.capacity = capacity
            self.unit = unit
        }
    }

    /// The services offered, by category.
    public var offers: [ServiceCategory: Offer]
    /// Time from arrival to `received`.
    public var acknowledgeDelay: Distribution
    /// Time from `received` to `accepted` or `rejected`.
    public var decideDelay: Distribution
    /// Time from `in-progress` to `completed` or `failed`.
    public var serviceTime: Distribution
    /// Chance of accepting a referral when capacity allows (otherwise `rejected`, not eligible).
    public var acceptProbability: Double
    /// Chance that an accepted referral ends `failed` rather than `completed`.
    public var failureProbability: Double
    /// Whether it takes open referrals for the categories it offers.
    public var takesOpenReferrals: Bool
    /// The offered categories whose open referrals it takes (`nil`: all of them). Taking them
    /// means following every hub view of the category (who claimed what first): a simulation
    /// leaves out the categories its plan sends no open referral of.
    public var openReferralCategories: Set<ServiceCategory>?
    /// Agent-clock seconds between two service-status publications (also sent on every change).
    public var serviceStatusInterval: TimeInterval
    /// Never answers anything: a silent partner, for escalation drills and fault injection.
    public var isUnresponsive: Bool

    /// Creates a policy.
    public init(
        offers: [ServiceCategory: Offer],
        acknowledgeDelay: Distribution = .fixed(.seconds(1)),
        decideDelay: Distribution = .fixed(.seconds(1)),
        serviceTime: Distribution = .fixed(.seconds(2)),
        acceptProbability: Double = 1,
        failureProbability: Double = 0,
        takesOpenReferrals: Bool = true,
        openReferralCategories: Set<ServiceCategory>? = nil,
        serviceStatusInterval: TimeInterval = 3600,
        isUnresponsive: Bool = false
    ) {
        self.offers = offers
        self.acknowledgeDelay = acknowledgeDelay
        self.decideDelay = decideDelay
        self.serviceTime = serviceTime
        self.acceptProbability = acceptProbability
        self.failureProbability = failureProbability
        self.takesOpenReferrals = takesOpenReferrals
        self.openReferralCategories = openReferralCategories
        self.serviceStatusInterval = serviceStatusInterval
        self.isUnresponsive = isUnresponsive
    }
}

/// A provider — a state service, an association, the municipal desk: acknowledges each
/// referral, accepts or rejects it by capacity, carries it through in-progress to completed,
/// and publishes its availability.
public final class ProviderBehaviour: AgentBehaviour {
    private let policy: ProviderPolicy
    private let pace: DelayFactor
    private var inUse: [ServiceCategory: Int] = [:]
    private var agency = ""

    /// Creates a provider with a policy; `pace` multiplies every delay it draws (a slow agency).
    public init(policy: ProviderPolicy, pace: DelayFactor = DelayFactor()) {
        self.policy = policy
        self.pace = pace
    }

    /// Its categories whose open referrals it takes.
    public var servedCategories: Set<ServiceCategory> {
        guard policy.takesOpenReferrals else { return [] }
        let offered = Set(policy.offers.keys)
        return policy.openReferralCategories.map(offered.intersection) ?? offered
    }

    /// Referrals addressed to it, and open referrals of what it offers.
    public var subscriptions: [String] {
        // The agency is known only at start; the runtime adds `status/<agency>/`.
        // The hub's views of a category show when another provider claimed an open referral first.
        servedCategories.sorted { $0.rawValue < $1.rawValue }.flatMap { ["referral/open/\($0.rawValue)/", "hub/view/\($0.rawValue)/"] }
    }

    /// Resumes the referrals a restarted agent holds, publishes its availability and keeps doing so.
    public func start(_ agent: AgentContext) {
        agency = agent.agency
        guard !policy.isUnresponsive else { return }
        resume(agent)
        publishAvailability(agent)
        agent.schedule(after: policy.serviceStatusInterval) { [weak self] in self?.periodicAvailability($0) }
    }

    /// Answers referrals and cancellations.
    public func handle(_ envelope: Envelope, agent: AgentContext) {
        guard !policy.isUnresponsive else { return }
        switch envelope.payload {
        case .referral(let referral):
            guard let tracked = agent.referrals[referral.referralId], tracked.part == .receiver else { return }
            // With people deciding, `received` is the delivery receipt: sent at once.
            let delay = agent.configuration.decisions == .people ? 0 : policy.acknowledgeDelay.seconds(using: &agent.random) * pace.value
            let cause = envelope.header.id
            plan(referral.referralId, after: delay, agent) { [weak self] agent in self?.acknowledge(referral.referralId, cause: cause, agent) }
        case .referralStatus(let update) where update.state == .cancelled:
            // The book already applied the cancellation; free what the referral held.
            release(update.referralId, agent)
        default:
            break
        }
    }

    private func acknowledge(_ id: UUID, cause: UUID, _ agent: AgentContext) {
        guard agent.referrals[id]?.state == .requested else { return }
        agent.publishStatus(of: id, to: .received, causationID: cause)
        guard agent.configuration.decisions == .automatic else {
            // The referral now waits for a worker at the desk.
            agent.referrals.setNextStep(id, at: nil)
            return
        }
        let delay = policy.decideDelay.seconds(using: &agent.random) * pace.value
        plan(id, after: delay, agent) { [weak self] agent in self?.decide(id, agent) }
    }

    private func decide(_ id: UUID, _ agent: AgentContext) {
        guard let tracked = agent.referrals[id], tracked.state == .received else { return }
        let category = tracked.referral.category
        agent.referrals.setNextStep(id, at: nil)
        guard let offer = policy.offers[category] else {
            agent.publishStatus(of: id, to: .rejected, reason: .notEligible)
            return
        }
        guard inUse[category, default: 0] < offer.capacity else {
            agent.publishStatus(of: id, to: .rejected, reason: .atCapacity)
            return
        }
        guard agent.random.unit() < policy.acceptProbability else {
            agent.publishStatus(of: id, to: .rejected, reason: .notEligible)
            return
        }
        inUse[category, default: 0] += 1
        agent.publishStatus(of: id, to: .accepted)
        publishAvailability(agent, only: category)
        begin(id, agent)
    }

    /// Moves an accepted referral in progress and plans its end.
    private func begin(_ id: UUID, _ agent: AgentContext, after time: TimeInterval? = nil) {
        if agent.referrals[id]?.state == .accepted { agent.publishStatus(of: id, to: .inProgress) }
        let time = time ?? policy.serviceTime.seconds(using: &agent.random) * pace.value
        let fails = agent.random.unit() < policy.failureProbability
        plan(id, after: time, agent) { [weak self] agent in self?.finish(id, failed: fails, agent) }
    }

    /// Schedules the next step on a referral and notes when it is due, so that a restarted
    /// agent takes it at the same time.
    private func plan(_ id: UUID, after delay: TimeInterval, _ agent: AgentContext, _ step: @escaping (AgentContext) -> Void) {
        agent.referrals.setNextStep(id, at: agent.now().addingTimeInterval(delay))
        agent.schedule(after: delay, step)
    }

    /// Carries on with the referrals a restarted agent was answering: each next step at the
    /// time it was planned (at once if that time has passed), capacity held as before.
    private func resume(_ agent: AgentContext) {
        let now = agent.now()
        let open = agent.referrals.held.filter { $0.part == .receiver && !$0.isFinal }
            .sorted { ($0.nextStepAt ?? $0.updatedAt) < ($1.nextStepAt ?? $1.updatedAt) }
        for tracked in open {
            let id = tracked.referral.referralId
            let delay = max(0, (tracked.nextStepAt ?? now).timeIntervalSince(now))
            if agent.configuration.decisions == .people {
                // Only the delivery receipt is ours to send; every other move waits for a worker.
                if tracked.state == .requested {
                    let cause = tracked.messageID ?? id
                    plan(id, after: 0, agent) { [weak self] agent in self?.acknowledge(id, cause: cause, agent) }
                }
                continue
            }
            switch tracked.state {
            case .requested:
                let cause = tracked.messageID ?? id
                plan(id, after: delay, agent) { [weak self] agent in self?.acknowledge(id, cause: cause, agent) }
            case .received:
                plan(id, after: delay, agent) { [weak self] agent in self?.decide(id, agent) }
            case .accepted, .inProgress, .onHold:
                inUse[tracked.referral.category, default: 0] += 1
                begin(id, agent, after: tracked.nextStepAt == nil ? nil : delay)
            default:
                break
            }
        }
    }

    private func finish(_ id: UUID, failed: Bool, _ agent: AgentContext) {
        guard agent.referrals[id]?.state == .inProgress else { return }
        agent.referrals.setNextStep(id, at: nil)
        let outcome = failed
            ? ReferralStatusUpdate.Outcome(successful: false, code: .serviceUnavailable)
            : ReferralStatusUpdate.Outcome(successful: true, code: .serviceProvided)
        agent.publishStatus(of: id, to: failed ? .failed : .completed, outcome: outcome)
        release(id, agent)
    }

    private var released: Set<UUID> = []

    /// Gives back the capacity an accepted referral held, once.
    private func release(_ id: UUID, _ agent: AgentContext) {
        guard let tracked = agent.referrals[id], released.insert(id).inserted else { return }
        let category = tracked.referral.category
        // Only referrals that reached `accepted` hold capacity; a final state now tells us if it did.
        guard let held = inUse[category], held > 0, tracked.wasAccepted else { return }
        inUse[category] = held - 1
        publishAvailability(agent, only: category)
    }

    private func periodicAvailability(_ agent: AgentContext) {
        publishAvailability(agent)
        agent.schedule(after: policy.serviceStatusInterval) { [weak self] in self?.periodicAvailability($0) }
    }

    private func publishAvailability(_ agent: AgentContext, only category: ServiceCategory? = nil) {
        let categories = category.map { [$0] } ?? policy.offers.keys.sorted { $0.rawValue < $1.rawValue }
        for category in categories {
            guard let offer = policy.offers[category] else { continue }
            if agent.configuration.decisions == .people, var set = agent.ownServiceStatus(category) {
                // What a worker set on the service page stands until they change it.
                set.updatedAt = agent.now()
                publish(set, agent)
                continue
            }
            let available = max(0, offer.capacity - inUse[category, default: 0])
            let status = ServiceStatus(
                agency: agency,
                category: category,
                status: .active,
                accepting: available > 0 ? .yes : .no,
                capacity: ServiceStatus.Capacity(unit: .init(rawValue: offer.unit), available: available, maximum: offer.capacity),
                updatedAt: agent.now()
            )
            publish(status, agent)
        }
    }

    private func publish(_ status: ServiceStatus, _ agent: AgentContext) {
        do {
            let topic = try Topic.service(category: status.category, agency: agency)
            if agent.publish(.serviceStatus(status), on: topic) != nil {
                agent.emit(.serviceStatusPublished(status))
            }
        } catch {
            agent.logger.error("no topic for service status", metadata: ["error": "\(error)"])
        }
    }
}
