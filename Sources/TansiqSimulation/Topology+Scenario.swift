import TansiqAgent
import TansiqMessages
extension Topology {
    /// The stream of cases a run plays (`scenario:`).
    public struct Scenario: Sendable, Equatable {
        /// Who opens cases, with relative shares (default: every `iom` node, equally).
        public var referrers: WeightedChoice<String>
        /// When cases arrive.
        public var arrivals: Arrivals
        /// The mix of needs (weights, normalised).
        public var needs: WeightedChoice<ServiceCategory>
        /// How many distinct needs one case has (default 1...1).
        public var needsPerCase: ClosedRange<Int>
        /// The mix of priorities (default: all `routine`).
        public var priorities: WeightedChoice<Priority>
        /// The most cases a run opens, if capped.
        public var cases: Int?
    }

    /// When new cases arrive during `general.stop_time`.
    public enum Arrivals: Sendable, Equatable {
        /// Independent arrivals at `rate` (exponential gaps with mean `1 / rate`).
        case poisson(rate: Rate)
        /// One case every `interval`, the first after one interval.
        case fixed(interval: SimulatedDuration)
        /// `count` cases at once, at simulated time `at`.
        case burst(count: Int, at: SimulatedDuration)
    }

    /// A number of events per span of simulated time, written `12/d`, `0.5/h` or `3/2h`.
    public struct Rate: Sendable, Hashable, CustomStringConvertible {
        /// How many events.
        public var events: Double
        /// In how much time.
        public var per: SimulatedDuration

        /// Creates a rate of `events` per `per`.
        public init(events: Double, per: SimulatedDuration) {
            self.events = events
            self.per = per
        }

        /// Events per simulated second.
        public var perSecond: Double { events / per.seconds }

        /// The mean gap between two events.
        public var meanInterval: SimulatedDuration { .seconds(per.seconds / events) }

        /// The rate as written, e.g. `12/d`.
        public var description: String {
            let count = events == events.rounded() && abs(events) < 1e15 ? "\(Int(events))" : "\(events)"
            let span = per.description
            return span.hasPrefix("1") && span.dropFirst().allSatisfy(\.isLetter)
                ? "\(count)/\(span.dropFirst())" : "\(count)/\(span)"
        }

        /// Reads `N/unit` or `N/duration` (`12/d`, `0.5/h`, `3/2h`); `nil` when malformed or not positive.
        public init?(parsing text: String) {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let events = Double(parts[0].trimmingWhitespace()),
                  events.isFinite, events > 0 else { return nil }
            var span = parts[1].trimmingWhitespace()
            if span.first?.isLetter == true { span = "1" + span }
            guard let per = try? SimulatedDuration(parsing: span), per.seconds > 0 else { return nil }
            self.init(events: events, per: per)
        }
    }
}
