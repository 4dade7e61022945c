import Foundation

/// Arrivals per period and the backlog at each period's end, per group (a service category):
/// the time series a coordinator reads to see where people wait. Periods are days, or hours for
/// a span of two days or less. The backlog counts what arrived in the span and was not closed
/// by the period's end. Built by the desk from the registry's records and by the simulation
/// from its run, with the same code, so that a plan and its reality draw the same chart.
public struct ArrivalsAndBacklog: Codable, Sendable, Equatable {
    /// One referral: its group, when it arrived, when it was closed (any final state).
    public struct Item: Sendable {
        public var group: String
        public var arrived: Date
        public var closed: Date?
        public init(group: String, arrived: Date, closed: Date?) {
            self.group = group
            self.arrived = arrived
            self.closed = closed
        }
    }

    /// One group's series, one value per period.
    public struct Group: Codable, Sendable, Equatable {
        public var name: String
        public var arrivals: [Int]
        public var backlog: [Int]
        /// Arrivals over the span: the sample size.
        public var total: Int { arrivals.reduce(0, +) }
    }

    /// The span's start.
    public var start: Date
    /// Hours per period: 24, or 1 for short spans (more for spans over 400 days).
    public var periodHours: Double
    /// Groups in `order`'s order, then by name; only groups with an arrival.
    public var groups: [Group]

    /// The series of `items` arrived in `[start, end)`.
    public init(_ items: [Item], from start: Date, to end: Date, order: [String] = []) {
        self.start = start
        let spanHours = max(end.timeIntervalSince(start) / 3600, 1)
        var period = spanHours > 48 ? 24.0 : 1.0
        if spanHours / period > 400 { period = (spanHours / 400 / 24).rounded(.up) * 24 }
        periodHours = period
        let count = Int((spanHours / period).rounded(.up))
        let inSpan = items.filter { $0.arrived >= start && $0.arrived < end }
        let names = Set(inSpan.map(\.group))
        let ordered = order.filter(names.contains) + names.subtracting(order).sorted()
        groups = ordered.map { name in
            var arrivals = Array(repeating: 0, count: count)
            var backlog = Array(repeating: 0, count: count)
            for item in inSpan where item.group == name {
                let first = min(count - 1, Int(item.arrived.timeIntervalSince(start) / 3600 / period))
                arrivals[first] += 1
                // Open at the end of every period from its arrival's until the one it closed in.
                for index in first..<count {
                    let periodEnd = start.addingTimeInterval(Double(index + 1) * period * 3600)
                    if let closed = item.closed, closed < periodEnd { break }
                    backlog[index] += 1
                }
            }
            return Group(name: name, arrivals: arrivals, backlog: backlog)
        }
    }

    /// Whether periods are days (or longer): the axis says days.
    public var inDays: Bool { periodHours >= 24 }
}
