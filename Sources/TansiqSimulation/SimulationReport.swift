import TansiqCharts

/// What a simulated run did: referral outcomes, latencies, load, bottlenecks and hub traffic.
///
/// Durations are in simulated hours. A referral is **lost** when it was sent but never reached
/// its receiving agency (for an open referral: no provider of its category received it). A
/// referral that arrived but has no answer at the end of the run is **unanswered**, not lost.
/// A status change a receiver published is **lost** when no agent of the referring agency saw
/// it by the end of the run (unless it was published in the run's last real second).
public struct SimulationReport: Codable, Sendable, Equatable {
    /// The topology's name.
    public var topology: String
    /// The seed the plan was drawn from.
    public var seed: UInt64
    /// Simulated seconds per real second.
    public var timeScale: Double
    /// How the agents ran: `threads` of one process, or `processes` of the agent executables.
    public var mode: String
    /// Simulated hours played: `stop_time + drain`.
    public var simulatedHours: Double
    /// Real seconds the whole run took, start-up and shut-down included.
    public var wallSeconds: Double
    /// Agents started.
    public var agents: Int
    /// Cases the plan opened.
    public var cases: Int
    /// Referral counts over the whole network.
    public var referrals: Counts
    /// Per service category, in category order.
    public var categories: [Group]
    /// Per agency, in topology order.
    public var agencies: [Group]
    /// The agencies that held things up most, worst first.
    public var bottlenecks: [Bottleneck]
    /// What went through the hub.
    public var hub: HubTraffic
    /// The lost referrals themselves (at most 50).
    public var lostReferrals: [LostReferral]
    /// The lost status updates themselves (at most 50).
    public var lostStatusUpdates: [LostStatusUpdate] = []
    /// The faults injected, in file order, with when they took effect and what they cost.
    public var faults: [FaultRun]
    /// Faults the topology declares that this runner does not inject.
    public var faultsNotExecuted: [String]
    /// Arrivals per simulated day (or hour) and the backlog at each one's end, per category;
    /// `nil` in reports written before it existed.
    public var timeline: ArrivalsAndBacklog?
    /// What else a reader should know about the run: agents killed because they would not stop,
    /// referrers that started late.
    public var notes: [String]

    /// One fault as the run carried it out. Times are simulated hours since the scenario started.
    public struct FaultRun: Codable, Sendable, Equatable {
        /// The fault as the topology declares it, e.g. `offline association-demo from 1d until 2d (SIGKILL)`.
        public var fault: String
        /// `offline` or `slow`.
        public var kind: String
        /// The node it strikes.
        public var node: String
        /// When the file says it starts and ends.
        public var fromHours: Double
        /// The planned end; the end of the run when the file gives none.
        public var untilHours: Double
        /// When it took effect (the agents stopped, the delays stretched).
        public var startedHours: Double?
        /// When it ended (new agents ready, delays back); nil when it lasted to the end of the run.
        public var endedHours: Double?
        /// What the run did: signals sent, runtimes stopped, agents started again, delay factors.
        public var actions: [String]
        /// Referrals for the node sent while the fault was on: addressed to it, or open in a
        /// category it offers.
        public var referralsDuring: Int
        /// Of those, the referrals lost (sent but never received by anyone).
        public var lostDuring: Int
    }

    /// Referral counts.
    public struct Counts: Codable, Sendable, Equatable {
        /// Referrals sent.
        public var created = 0
        /// Of them, open referrals (no receiving agency named).
        public var open = 0
        /// Referrals that reached their receiving agency (or, open, some provider).
        public var received = 0
        /// Referrals accepted.
        public var accepted = 0
        /// Referrals rejected.
        public var rejected = 0
        /// Rejections by reason code (`at-capacity`, `not-eligible`…).
        public var rejectedByReason: [String: Int] = [:]
        /// Referrals completed.
        public var completed = 0
        /// Referrals failed.
        public var failed = 0
        /// Referrals with at least one escalation.
        public var escalated = 0
        /// Escalations by missed deadline (`acknowledge`, `decide`…).
        public var escalatedByDeadline: [String: Int] = [:]
        /// Referrals received but not decided by the end of the run.
        public var unanswered = 0
        /// Referrals sent that never reached a receiver.
        public var lost = 0
        /// Referrals not received because their receiver (for an open one, every provider of
        /// its category) or the hub was still down when the run ended: kept for them, in the
        /// hub's journal or the referrer's outbox, not lost.
        public var waiting = 0
        /// Status changes the receiving (or claiming) agencies published for the referrer.
        public var statusUpdates = 0
        /// Of those, changes the referrer never saw, published early enough to have arrived,
        /// and that the hub did not refuse.
        public var lostStatusUpdates = 0
        /// Of those, changes the hub refused for good (a later claimant of an open referral, in
        /// a secure run), each reported to its sender.
        public var refusedStatusUpdates = 0
        /// Claims on open referrals the hub gave to another provider that claimed first
        /// (`already-claimed`): lost races, not refusals; their status changes are neither
        /// lost nor refused.
        public var claimsLost = 0
        /// Of those, changes published in the last real second of the run, not seen by its end:
        /// still on their way when the agents stopped, not counted as lost.
        public var statusUpdatesInFlight = 0

        /// Creates zero counts.
        public init() {}
    }

    /// The 50th, 90th and 99th percentiles of a latency, in simulated hours.
    public struct Percentiles: Codable, Sendable, Equatable {
        /// How many values.
        public var count: Int
        /// Median.
        public var p50: Double
        /// 90th percentile.
        public var p90: Double
        /// 99th percentile.
        public var p99: Double

        /// The percentiles of `values` (nearest rank); `nil` when there are none.
        public init?(_ values: [Double]) {
            guard !values.isEmpty else { return nil }
            let sorted = values.sorted()
            func rank(_ q: Double) -> Double {
                sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
            }
            count = sorted.count
            p50 = rank(0.5)
            p90 = rank(0.9)
            p99 = rank(0.99)
        }
    }

    /// Figures for one service category or one agency (as receiver).
    public struct Group: Codable, Sendable, Equatable {
        /// The category code or agency identifier.
        public var name: String
        /// Referrals in this group (sent for the category; received by the agency).
        public var counts: Counts
        /// Sending to `received`.
        public var acknowledge: Percentiles?
        /// Sending to `accepted` or `rejected`.
        public var decide: Percentiles?
        /// Sending to `completed`.
        public var complete: Percentiles?
        /// Agencies only: capacity over every offer.
        public var capacity: Int?
        /// Agencies only: the most referrals held accepted or in progress at once.
        public var peakInUse: Int?
        /// Agencies only: ``peakInUse`` over ``capacity``.
        public var peakUse: Double?
        /// Agencies only: referrals it sent.
        public var sent: Int?
    }

    /// An agency that held things up, and why.
    public struct Bottleneck: Codable, Sendable, Equatable {
        /// The agency.
        public var agency: String
        /// Rejections at capacity.
        public var rejectedAtCapacity: Int
        /// 90th percentile of the time to decide, in simulated hours.
        public var decideP90: Double?
        /// In words.
        public var reason: String
    }

    /// The hub's counters at the end of the run.
    public struct HubTraffic: Codable, Sendable, Equatable {
        /// Messages read from the ingress.
        public var messagesIn: UInt64
        /// Messages written to the egress.
        public var messagesOut: UInt64
        /// Messages the hub refused.
        public var rejected: UInt64
        /// Messages in per real second of the run.
        public var messagesPerSecond: Double
    }

    /// A referral that never reached a receiver.
    /// A status change published for a referrer that no agent of the referring agency saw.
    public struct LostStatusUpdate: Codable, Sendable, Equatable {
        /// The referral id.
        public var referral: String
        /// The referring agency, which never saw it.
        public var referrer: String
        /// Who published it.
        public var by: String
        /// The state it moved to.
        public var state: String
        /// When it was published, in simulated hours since the scenario started.
        public var publishedHours: Double
        /// Whether the referral was open (no receiving agency named).
        public var open: Bool
    }

    public struct LostReferral: Codable, Sendable, Equatable {
        /// The referral id.
        public var referral: String
        /// The referring agency.
        public var from: String
        /// The receiving agency; `nil` for an open referral.
        public var to: String?
        /// The category.
        public var category: String
    }
}
