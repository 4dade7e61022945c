import TansiqAgent
extension Topology {
    /// A set of values with relative weights, in file order, from which a run draws
    /// reproducibly (needs, priorities, referrers).
    public struct WeightedChoice<Value: Sendable & Hashable>: Sendable, Hashable {
        /// One value and its weight.
        public struct Entry: Sendable, Hashable {
            /// The value.
            public var value: Value
            /// Its relative weight, not negative.
            public var weight: Double
        }

        /// The values in file order; the total weight is positive.
        public var entries: [Entry]

        /// Creates a choice from `(value, weight)` pairs.
        ///
        /// - Precondition: every weight is finite and not negative, and the total is positive.
        public init(_ pairs: [(Value, Double)]) {
            precondition(pairs.allSatisfy { $0.1.isFinite && $0.1 >= 0 }, "weights are finite and not negative")
            precondition(pairs.reduce(0) { $0 + $1.1 } > 0, "the total weight is positive")
            entries = pairs.map { Entry(value: $0.0, weight: $0.1) }
        }

        /// The values with a positive weight, in file order.
        public var values: [Value] { entries.filter { $0.weight > 0 }.map(\.value) }

        /// The share of `value`, between 0 and 1.
        public func probability(of value: Value) -> Double {
            let total = entries.reduce(0) { $0 + $1.weight }
            return entries.filter { $0.value == value }.reduce(0) { $0 + $1.weight } / total
        }

        /// Draws one value in proportion to its weight, using one output of `generator`.
        public func pick(using generator: inout some RandomNumberGenerator) -> Value {
            let total = entries.reduce(0) { $0 + $1.weight }
            var target = Distribution.unitInterval(&generator) * total
            for entry in entries where entry.weight > 0 {
                if target < entry.weight { return entry.value }
                target -= entry.weight
            }
            // Rounding can leave target just above the last weight.
            return entries.last { $0.weight > 0 }!.value
        }
    }
}
