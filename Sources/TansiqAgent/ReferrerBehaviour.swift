import Foundation
import TansiqMessages

/// A case to open: when, what the person needs, and how urgently.
public struct PlannedCase: Sendable, Equatable, Codable {
    /// Agent-clock seconds after the agent starts (or after the policy's ``ReferrerPolicy/casesFrom``).
    public var at: TimeInterval
    /// The services needed, one referral each.
    public var needs: [ServiceCategory]
    /// How urgent.
    public var priority: Priority
    /// Receivers chosen for this case, overriding the routes.
    public var receivers: [ServiceCategory: String]

    /// Creates a planned case.
    public init(at: TimeInterval, needs: [ServiceCategory], priority: Priority = .routine, receivers: [ServiceCategory: String] = [:]) {
        self.at = at
        self.needs = needs
        self.priority = priority
        self.receivers = receivers
    }
}

/// How a referrer works: where it sends each need, which cases it opens, and its deadlines.
public struct ReferrerPolicy: Sendable, Equatable, Codable {
    /// The agency each category is referred to; a category without a route goes out as an open referral.
    public var routes: [ServiceCategory: String]
    /// The cases to open.
    public var cases: [PlannedCase]
    /// Overrides the priority's acknowledgement time (agent-clock seconds).
    public var acknowledgeWithin: TimeInterval?
    /// Overrides the priority's decision time (agent-clock seconds), counted from sending.
    public var decideWithin: TimeInterval?
    /// Follow-up date, counted from sending (agent-clock seconds).
    public var followUpAfter: TimeInterval
    /// Whether a referral rejected as `referred-onward` is sent again to the suggested agency.
    public var followsSuggestions: Bool
    /// The caseworker role id that signs referrals and records consent.
    public var worker: String
    /// The agent-clock time the cases' `at` counts from; nil: the agent's start. Agents of one
    /// simulated network share it, and an agent restarted mid-run keeps its schedule; a case
    /// already due when the agent starts opens at once.
    public var casesFrom: Date?
    /// The number of the first case this agent opens, in its case references (an agent
    /// restarted mid-run continues its predecessor's numbering).
    public var firstCaseNumber: Int
    /// Whether the agent keeps the network's service directory (every provider's `service/`
    /// status), which its desk shows workers choosing a receiver. A simulated referrer deciding
    /// automatically reads none of it: a thousand-agency network's directory broadcasts were most
    /// of its traffic.
    public var keepsServiceDirectory: Bool

    /// Creates a policy.
    public init(
        routes: [ServiceCategory: String] = [:],
        cases: [PlannedCase] = [],
        acknowledgeWithin: TimeInterval? = nil,
        decideWithin: TimeInterval? = nil,
        followUpAfter: TimeInterval = 30 * 86_400,
        followsSuggestions: Bool = true,
        worker: String = "caseworker-1",
        casesFrom: Date? = nil,
        firstCaseNumber: Int = 1,
        keepsServiceDirectory: Bool = true
    ) {
        self.routes = routes
        self.cases = cases
        self.acknowledgeWithin = acknowledgeWithin
        self.decideWithin = decideWithin
        self.followUpAfter = followUpAfter
        self.followsSuggestions = followsSuggestions
        self.worker = worker
        self.casesFrom = casesFrom
        self.firstCaseNumber = firstCaseNumber
        self.keepsServiceDirectory = keepsServiceDirectory
    }
}

/// A referrer — IOM, a commune: opens pseudonymous cases, refers each need, and follows what
/// happens (the runtime escalates silence and reports closed cases).
public final class ReferrerBehaviour: AgentBehaviour {
    private let policy: ReferrerPolicy
    private var opened: Int

    /// Creates a referrer with a policy.
    public init(policy: ReferrerPolicy) {
        self.policy = policy
        opened = max(0, policy.firstCaseNumber - 1)
    }

    /// Service availability, to know who is open (the desk's directory), unless the policy keeps none.
    public var subscriptions: [String] { policy.keepsServiceDirectory ? [SubscriptionPrefix.allServiceStatus.description] : [] }

    /// Schedules the planned cases; a restarted agent skips those it already opened.
    public func start(_ agent: AgentContext) {
        let tag = Self.caseReference(agency: agent.agency, agent: agent.configuration.agent, number: 0).dropLast(5)
        let restored = Set(agent.referrals.all(in: [.referrer]).lazy
            .filter { $0.referral.caseReference.hasPrefix(tag) }
            .map(\.referral.caseReference)).count
        opened = max(0, policy.firstCaseNumber - 1) + restored
        let lateness = policy.casesFrom.map { agent.now().timeIntervalSince($0) } ?? 0
        for planned in policy.cases.dropFirst(restored) {
            agent.schedule(after: planned.at - lateness) { [weak self] agent in self?.open(planned, agent) }
        }
    }

    /// Follows suggestions on rejections.
    public func handle(_ envelope: Envelope, agent: AgentContext) {
        // With people deciding, a suggested alternative is shown to the worker, not followed.
        guard policy.followsSuggestions, agent.configuration.decisions == .automatic,
              case .referralStatus(let update) = envelope.payload,
              update.state == .rejected, update.reason == .referredOnward,
              let alternative = update.suggestedAlternative,
              let tracked = agent.referrals[update.referralId], tracked.part == .referrer
        else { return }
        refer(caseReference: tracked.referral.caseReference, need: tracked.referral.category,
              priority: tracked.referral.priority, receiver: alternative, agent)
    }

    private func open(_ planned: PlannedCase, _ agent: AgentContext) {
        opened += 1
        let caseReference = Self.caseReference(agency: agent.agency, agent: agent.configuration.agent, number: opened)
        for need in planned.needs {
            refer(caseReference: caseReference, need: need, priority: planned.priority,
                  receiver: planned.receivers[need] ?? policy.routes[need], agent)
        }
    }

    private func refer(caseReference: String, need: ServiceCategory, priority: Priority, receiver: String?, _ agent: AgentContext) {
        let now = agent.now()
        let referral = Referral(
            referralId: UUID(using: &agent.random),
            caseReference: caseReference,
            referringAgency: agent.agency,
            referringWorker: policy.worker,
            receivingAgency: receiver,
            category: need,
            priority: priority,
            reasonCodes: [Referral.ReasonCode.typical(for: need)],
            consent: Referral.Consent(
                status: .given,
                scope: [receiver == nil ? .shareWithCategoryProviders : .shareWithReceiver, .shareWithCoordinator],
                recordedBy: policy.worker,
                recordedAt: now
            ),
            acknowledgeBy: now.addingTimeInterval(policy.acknowledgeWithin ?? priority.acknowledgementTime),
            decideBy: now.addingTimeInterval(policy.decideWithin ?? priority.decisionTime),
            followUpOn: now.addingTimeInterval(policy.followUpAfter)
        )
        agent.refer(referral)
    }

    /// A pseudonymous case reference: no name, nothing that identifies the person outside
    /// the referrer's own records.
    static func caseReference(agency: String, agent: String, number: Int) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in agent.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        // Decimal, so every segment holds a digit (the hub refuses references made of words).
        return "C\(hash)-\(String(format: "%05d", number))"
    }
}

extension UUID {
    /// A version-4 UUID drawn from a seeded generator, so that simulated runs repeat.
    init(using random: inout some RandomNumberGenerator) {
        // Two raw outputs, not `UInt8.random(in:using:)`, whose draws a toolchain may change.
        let (high, low) = (random.next(), random.next())
        var bytes = (0..<16).map { UInt8(truncatingIfNeeded: ($0 < 8 ? high : low) >> (8 * UInt64($0 % 8))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        self = UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

extension Referral.ReasonCode {
    /// The reason code a referrer gives when it has nothing more precise: the commonest
    /// reason for a referral to that category.
    public static func typical(for category: ServiceCategory) -> Referral.ReasonCode {
        switch category {
        case .health: .medicalConsultation
        case .mhpss: .psychologicalDistress
        case .education: .schoolEnrolment
        case .language: .languageCourse
        case .employment: .jobSearch
        case .legal: .legalStatus
        case .shelter: .housingNeed
        case .protection: .protectionConcern
        default: .foodInsecurity
        }
    }
}
