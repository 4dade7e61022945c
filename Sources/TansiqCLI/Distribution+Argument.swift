import ArgumentParser
import TansiqAgent

/// A delay on the command line: seconds (`2.5`, fixed) or a distribution of seconds,
/// `exponential:MEAN`, `uniform:MIN:MAX`, `lognormal:MEDIAN:P90`.
extension Distribution: ExpressibleByArgument {
    /// Parses the argument; nil when it is not one of the accepted forms.
    public init?(argument: String) {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let numbers = parts.dropFirst().compactMap(Double.init)
        guard numbers.count == parts.count - 1, numbers.allSatisfy({ $0 >= 0 && $0.isFinite }) else { return nil }
        let spans = numbers.map(SimulatedDuration.seconds)
        switch (parts[0], numbers.count) {
        case ("fixed", 1): self = .fixed(spans[0])
        case ("exponential", 1): self = .exponential(mean: spans[0])
        case ("uniform", 2) where numbers[0] <= numbers[1]: self = .uniform(min: spans[0], max: spans[1])
        case ("lognormal", 2) where numbers[0] <= numbers[1]: self = .lognormal(median: spans[0], p90: spans[1])
        case (let text, 0):
            guard let seconds = Double(text), seconds >= 0, seconds.isFinite else { return nil }
            self = .fixed(.seconds(seconds))
        default:
            return nil
        }
    }
}
