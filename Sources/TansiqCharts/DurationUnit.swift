/// The unit durations are shown in: hours, or days once the longest span of a chart, a table
/// column or an axis passes two days. One rule for every chart and table, so that "3.5 d" in
/// a table and on a chart mean the same thing.
public enum DurationUnit: Sendable {
    case minutes
    case hours
    case days

    /// Days when `longest` (in hours) passes two days, minutes when it stays under an hour
    /// (a 1-minute median is not "0.0 h"), hours otherwise.
    public init(fittingHours longest: Double) {
        self = longest > 48 ? .days : longest > 0 && longest < 1 ? .minutes : .hours
    }

    /// Hours in one unit.
    public var hoursPer: Double {
        switch self {
        case .minutes: 1.0 / 60
        case .hours: 1
        case .days: 24
        }
    }

    /// `min`, `h` or `d`.
    public var symbol: String {
        switch self {
        case .minutes: "min"
        case .hours: "h"
        case .days: "d"
        }
    }

    /// `hours` in this unit, one decimal (`3.5`).
    public func value(hours: Double) -> String {
        String(format: "%.1f", hours / hoursPer)
    }

    /// `hours` in this unit with its symbol (`3.5 d`).
    public func text(hours: Double) -> String { "\(value(hours: hours)) \(symbol)" }
}
