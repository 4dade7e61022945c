import Foundation
import TansiqAgent

extension TopologyFit {
    /// Observed durations of one step, in seconds, with those still running at the end of the
    /// history (right-censored: the step took at least that long).
    struct Sample {
        var observed: [Double] = []
        var censored: [Double] = []

        var isEmpty: Bool { observed.isEmpty }

        static func + (lhs: Sample, rhs: Sample) -> Sample {
            Sample(observed: lhs.observed + rhs.observed, censored: lhs.censored + rhs.censored)
        }
    }

    /// A fitted distribution and how, for the file's comments.
    struct Fitted {
        var distribution: Distribution
        var how: String
    }

    /// Answer times (acknowledge, decide): people's response times are right-skewed and
    /// multiplicative, so a log-normal, fitted by the mean and standard deviation of the
    /// logarithms (its maximum-likelihood estimate), written as the planner's median and p90.
    /// The few answers still awaited at the end are left out: they are short next to the drain.
    static func answerTime(_ sample: Sample, pooled: String?) -> Fitted {
        let (distribution, spread) = logNormal(sample.observed)
        return Fitted(distribution: distribution, how: "\(spread) from \(sample.observed.count) times" + (pooled.map { " (\($0))" } ?? ""))
    }

    /// Service times (accepted to completed or failed): many are still running when a history
    /// ends, so an exponential whose maximum-likelihood mean counts them, `(Σ observed + Σ
    /// censored) / completions`; fitting the completed ones alone would make services look
    /// shorter than they are. When few are censored and the observed times are far from the
    /// exponential's coefficient of variation of 1 (much more regular, or heavier-tailed), a
    /// log-normal of the observed ones fits better and is used instead.
    static func serviceTime(_ sample: Sample, pooled: String?) -> Fitted {
        let observed = sample.observed
        let suffix = pooled.map { " (\($0))" } ?? ""
        let censoredShare = Double(sample.censored.count) / Double(observed.count + sample.censored.count)
        let mean = observed.reduce(0, +) / Double(observed.count)
        let variation = observed.count > 1 ? standardDeviation(observed) / mean : 1
        if observed.count >= 5, censoredShare < 0.1, abs(variation - 1) > 0.5 {
            let (distribution, spread) = logNormal(observed)
            return Fitted(
                distribution: distribution,
                how: "\(spread) from \(observed.count) completions (coefficient of variation \(String(format: "%.2f", variation)), \(sample.censored.count) still running)" + suffix)
        }
        let exposure = observed.reduce(0, +) + sample.censored.reduce(0, +)
        let fitted = Distribution.exponential(mean: duration(exposure / Double(observed.count)))
        return Fitted(
            distribution: fitted,
            how: "exponential from \(observed.count) completions and \(sample.censored.count) still running (censored)" + suffix)
    }

    private static func logNormal(_ values: [Double]) -> (Distribution, String) {
        let logs = values.map { log(max($0, 1)) }
        let mu = logs.reduce(0, +) / Double(logs.count)
        let sigma = logs.count > 1 ? standardDeviation(logs) : 0
        let median = duration(exp(mu))
        guard sigma > 0.01 else { return (.fixed(median), "fixed (no spread)") }
        let p90 = duration(exp(mu + Distribution.z90 * sigma))
        return (.lognormal(median: median, p90: max(p90, median)), "lognormal")
    }

    private static func standardDeviation(_ values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
    }

    /// Seconds rounded as a planner writes them: whole seconds, whole minutes from ten minutes.
    static func duration(_ seconds: Double) -> SimulatedDuration {
        let whole = max(1, seconds.rounded())
        return .seconds(whole >= 600 ? (whole / 60).rounded() * 60 : whole)
    }
}
