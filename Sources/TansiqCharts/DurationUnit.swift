/// The unit durations are shown in: hours, or days once the longest span of a chart, a table
/// column or an axis passes two days. One rule for every chart and table, so that "3.5 d" in
/// a table and on a chart mean the same thing.
public enum DurationUnit: Sendable {
    case hours
    case days

    /// Days when `longest` (in hours) passes two days, hours otherwise.
    public init(fittingHours longest: Double) {
        self = longest > 48 ? .days : .hours
    }

    /// Hours in one unit.
    public var hoursPer: Double { self == .days ? 24 : 1 }

    /// `h` or `d`.
    public var symbol: String { self == .days ? "d" : "h" }

    /// `hours` in this unit, one decimal (`3.5`).
    public func value(hours: Double) -> String {
        String(format: "%.1f", hours / hoursPer)
    }

    /// `hours` in this unit with its symbol (`3.5 d`).
    public func text(hours: Double) -> String { "\(value(hours: hours)) \(symbol)" }
}
