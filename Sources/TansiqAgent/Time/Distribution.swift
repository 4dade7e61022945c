import Foundation

/// How long a stakeholder takes to do something (acknowledge, decide, serve), as a probability
/// distribution over ``SimulatedDuration``: the one family of delays, read from topology files,
/// given to agents (`--ack-delay`, launch settings) and fitted from journals.
///
/// Every parameter is a duration, so a file reads the way a planner talks: "most answers come
/// within 2 hours, nine in ten within 8 hours" is `lognormal` with `median: 2h, p90: 8h`.
public enum Distribution: Sendable, Hashable {
    /// Always `value`.
    case fixed(SimulatedDuration)
    /// Equally likely anywhere in `min...max`.
    case uniform(min: SimulatedDuration, max: SimulatedDuration)
    /// Memoryless waiting with the given `mean` (the usual model of service times).
    case exponential(mean: SimulatedDuration)
    /// Skewed to the right: half the draws are below `median`, nine in ten below `p90`.
    ///
    /// With `z = 1.2815515655446004` (the standard normal's 90th percentile), the underlying
    /// normal has `mu = ln(median)` and `sigma = (ln(p90) - ln(median)) / z`.
    case lognormal(median: SimulatedDuration, p90: SimulatedDuration)

    /// The standard normal distribution's 90th percentile.
    public static let z90 = 1.2815515655446004

    /// The expected value of a draw.
    public var mean: SimulatedDuration {
        switch self {
        case .fixed(let value):
            return value
        case .uniform(let min, let max):
            return .seconds((min.seconds + max.seconds) / 2)
        case .exponential(let mean):
            return mean
        case .lognormal(let median, let p90):
            let sigma = Self.lognormalSigma(median: median, p90: p90)
            return .seconds(median.seconds * exp(sigma * sigma / 2))
        }
    }

    /// Draws one duration from `generator`; the same generator state always gives the same draw.
    ///
    /// The draw uses only ``RandomNumberGenerator/next()`` (not the standard library's
    /// `random(in:)`), so sequences stay identical across platforms and toolchains.
    public func sample(using generator: inout some RandomNumberGenerator) -> SimulatedDuration {
        switch self {
        case .fixed(let value):
            return value
        case .uniform(let min, let max):
            let unit = Self.unitInterval(&generator)
            return .seconds(min.seconds + (max.seconds - min.seconds) * unit)
        case .exponential(let mean):
            // 1 - u lies in (0, 1], so the logarithm is finite.
            let unit = Self.unitInterval(&generator)
            return .seconds(-mean.seconds * log(1 - unit))
        case .lognormal(let median, let p90):
            let sigma = Self.lognormalSigma(median: median, p90: p90)
            let normal = Self.standardNormal(&generator)
            return .seconds(median.seconds * exp(sigma * normal))
        }
    }

    public static func lognormalSigma(median: SimulatedDuration, p90: SimulatedDuration) -> Double {
        guard median.seconds > 0, p90.seconds > median.seconds else { return 0 }
        return (log(p90.seconds) - log(median.seconds)) / z90
    }

    /// A uniform draw in `[0, 1)` from the top 53 bits of one 64-bit output.
    public static func unitInterval(_ generator: inout some RandomNumberGenerator) -> Double {
        Double(generator.next() >> 11) * 0x1p-53
    }

    /// A standard normal draw (Box–Muller, cosine branch; two outputs per draw).
    public static func standardNormal(_ generator: inout some RandomNumberGenerator) -> Double {
        let u1 = 1 - unitInterval(&generator)  // (0, 1], keeps log finite
        let u2 = unitInterval(&generator)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

extension Distribution {
    /// The distribution stretched by `factor` (a slow partner takes `factor` times longer).
    public func scaled(by factor: Double) -> Distribution {
        let factor = Swift.max(0, factor)
        switch self {
        case .fixed(let value): return .fixed(value * factor)
        case let .uniform(min, max): return .uniform(min: min * factor, max: max * factor)
        case .exponential(let mean): return .exponential(mean: mean * factor)
        case let .lognormal(median, p90): return .lognormal(median: median * factor, p90: p90 * factor)
        }
    }

    /// One draw in seconds.
    public func seconds(using generator: inout some RandomNumberGenerator) -> TimeInterval {
        sample(using: &generator).seconds
    }
}

/// The topology file's spelling: `{distribution: lognormal, median: 2h, p90: 8h}`.
extension Distribution: Codable {
    private enum CodingKeys: String, CodingKey {
        case distribution, value, min, max, mean, median, p90
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .distribution) {
        case "fixed": self = .fixed(try container.decode(SimulatedDuration.self, forKey: .value))
        case "uniform":
            self = .uniform(min: try container.decode(SimulatedDuration.self, forKey: .min), max: try container.decode(SimulatedDuration.self, forKey: .max))
        case "exponential": self = .exponential(mean: try container.decode(SimulatedDuration.self, forKey: .mean))
        case "lognormal":
            self = .lognormal(median: try container.decode(SimulatedDuration.self, forKey: .median), p90: try container.decode(SimulatedDuration.self, forKey: .p90))
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .distribution, in: container, debugDescription: "unknown distribution \"\(other)\"; expected fixed, uniform, exponential or lognormal")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .fixed(let value):
            try container.encode("fixed", forKey: .distribution)
            try container.encode(value, forKey: .value)
        case let .uniform(min, max):
            try container.encode("uniform", forKey: .distribution)
            try container.encode(min, forKey: .min)
            try container.encode(max, forKey: .max)
        case .exponential(let mean):
            try container.encode("exponential", forKey: .distribution)
            try container.encode(mean, forKey: .mean)
        case let .lognormal(median, p90):
            try container.encode("lognormal", forKey: .distribution)
            try container.encode(median, forKey: .median)
            try container.encode(p90, forKey: .p90)
        }
    }
}

extension Distribution: CustomStringConvertible {
    /// The distribution as a planner would write it, e.g. `lognormal(median 2h, p90 8h)`.
    public var description: String {
        switch self {
        case .fixed(let value): return "fixed(\(value))"
        case .uniform(let min, let max): return "uniform(\(min)…\(max))"
        case .exponential(let mean): return "exponential(mean \(mean))"
        case .lognormal(let median, let p90): return "lognormal(median \(median), p90 \(p90))"
        }
    }
}
