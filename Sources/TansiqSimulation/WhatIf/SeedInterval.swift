/// A figure over several seeds: its mean and its spread, the lowest and highest value seen.
/// Planners read the spread, not one number: a difference inside it may be chance.
public struct SeedInterval: Codable, Sendable, Equatable {
    /// One value per seed, in seed order.
    public var values: [Double]
    public var mean: Double
    public var low: Double
    public var high: Double

    public init(_ values: [Double]) {
        self.values = values
        mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
        low = values.min() ?? 0
        high = values.max() ?? 0
    }

    /// Whether `value` lies within the spread.
    public func contains(_ value: Double) -> Bool { value >= low - 1e-9 && value <= high + 1e-9 }

    /// `mean [low–high]`, or `mean [low to high]` when the low end shows negative ("[-2–-1]"
    /// reads as a typo).
    public var text: String {
        let lowest = Self.format(low)
        return "\(Self.format(mean)) [\(lowest)\(lowest.hasPrefix("-") ? " to " : "–")\(Self.format(high))]"
    }

    public static func format(_ value: Double) -> String {
        let text = value == value.rounded() && abs(value) < 1e9 ? "\(Int(value))" : String(format: "%.1f", value)
        // No "-0.0": a difference that rounds to nothing is 0.
        return text == "-0.0" ? "0" : text
    }
}

/// The outcomes a what-if report compares, read from one run's report.
public struct OutcomeMetric: Sendable {
    /// Its name in reports (`completed`, `ack p50 h` …).
    public var name: String
    /// Whether more is better (for the colour of a difference).
    public var higherIsBetter: Bool
    public var value: @Sendable (SimulationReport) -> Double

    /// Referral counts, deadlines, the referral-weighted medians of the categories' times, and
    /// the backlog (referrals neither completed, failed nor rejected at the end) per category.
    public static func all(categories: [String]) -> [OutcomeMetric] {
        func weighted(_ percentiles: @escaping @Sendable (SimulationReport.Group) -> Double?) -> @Sendable (SimulationReport) -> Double {
            { report in
                let rows = report.categories.compactMap { group in percentiles(group).map { ($0, Double(group.counts.created)) } }
                let total = rows.reduce(0) { $0 + $1.1 }
                return total > 0 ? rows.reduce(0) { $0 + $1.0 * $1.1 } / total : 0
            }
        }
        var metrics = [
            OutcomeMetric(name: "referrals created", higherIsBetter: true) { Double($0.referrals.created) },
            OutcomeMetric(name: "completed", higherIsBetter: true) { Double($0.referrals.completed) },
            OutcomeMetric(name: "failed", higherIsBetter: false) { Double($0.referrals.failed) },
            OutcomeMetric(name: "rejected", higherIsBetter: false) { Double($0.referrals.rejected) },
            OutcomeMetric(name: "rejected at capacity", higherIsBetter: false) { Double($0.referrals.rejectedByReason["at-capacity"] ?? 0) },
            OutcomeMetric(name: "rejected not eligible", higherIsBetter: false) { Double($0.referrals.rejectedByReason["not-eligible"] ?? 0) },
            OutcomeMetric(name: "escalated", higherIsBetter: false) { Double($0.referrals.escalated) },
            OutcomeMetric(name: "deadlines met %", higherIsBetter: true) { report in
                let missed = report.referrals.escalatedByDeadline.values.reduce(0, +)
                let deadlines = 2 * report.referrals.created
                return deadlines > 0 ? 100 * Double(deadlines - missed) / Double(deadlines) : 100
            },
            OutcomeMetric(name: "lost", higherIsBetter: false) { Double($0.referrals.lost) },
            OutcomeMetric(name: "ack p50 h", higherIsBetter: false, value: weighted { $0.acknowledge?.p50 }),
            OutcomeMetric(name: "decide p50 h", higherIsBetter: false, value: weighted { $0.decide?.p50 }),
            OutcomeMetric(name: "complete p50 h", higherIsBetter: false, value: weighted { $0.complete?.p50 }),
        ]
        for category in categories {
            metrics.append(OutcomeMetric(name: "backlog \(category)", higherIsBetter: false) { report in
                guard let group = report.categories.first(where: { $0.name == category }) else { return 0 }
                let c = group.counts
                return Double(c.created - c.completed - c.failed - c.rejected)
            })
        }
        return metrics
    }
}
