import Foundation

/// How long a stakeholder takes to do something, in agent-clock seconds: a fixed time, or a
/// distribution sampled from the agent's seeded random source.
public enum Delay: Sendable, Equatable {
    /// Always the same.
    case fixed(TimeInterval)
    /// Uniform between two bounds.
    case uniform(min: TimeInterval, max: TimeInterval)
    /// Exponential with the given mean (memoryless arrivals and service times).
    case exponential(mean: TimeInterval)
    /// Log-normal given by its median and 90th percentile (long-tailed human response times).
    case logNormal(median: TimeInterval, p90: TimeInterval)

    /// Draws one delay.
    public func sample(using random: inout some RandomNumberGenerator) -> TimeInterval {
        switch self {
        case .fixed(let value):
            return max(0, value)
        case .uniform(let low, let high):
            return low >= high ? max(0, low) : Double.random(in: low...high, using: &random)
        case .exponential(let mean):
            let u = Double.random(in: Double.ulpOfOne..<1, using: &random)
            return -log(u) * max(0, mean)
        case .logNormal(let median, let p90):
            guard median > 0 else { return 0 }
            // p90 = median · e^(1.2816·σ)
            let sigma = p90 > median ? log(p90 / median) / 1.281_551_565_5 : 0
            return median * exp(sigma * Self.standardNormal(using: &random))
        }
    }

    /// The mean of the distribution.
    public var mean: TimeInterval {
        switch self {
        case .fixed(let value): return value
        case .uniform(let low, let high): return (low + high) / 2
        case .exponential(let mean): return mean
        case .logNormal(let median, let p90):
            let sigma = p90 > median ? log(p90 / median) / 1.281_551_565_5 : 0
            return median * exp(sigma * sigma / 2)
        }
    }

    /// Box–Muller.
    private static func standardNormal(using random: inout some RandomNumberGenerator) -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &random)
        let u2 = Double.random(in: 0..<1, using: &random)
        return sqrt(-2 * log(u1)) * cos(2 * .pi * u2)
    }
}
