import Foundation

/// How urgent a referral is (HL7 FHIR request priority), and the default deadlines it implies.
public enum Priority: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Normal: acknowledge within 72 hours, decide within 7 days.
    case routine
    /// Sooner than routine: acknowledge within 24 hours, decide within 72 hours.
    case urgent
    /// As soon as possible: acknowledge within 4 hours, decide within 24 hours.
    case asap
    /// Immediately (risk to life or safety): acknowledge within 1 hour, decide within 4 hours.
    case stat

    /// Default time the receiver has to acknowledge (`received` or a decision).
    public var acknowledgementTime: TimeInterval {
        switch self {
        case .routine: 72 * 3600
        case .urgent: 24 * 3600
        case .asap: 4 * 3600
        case .stat: 3600
        }
    }

    /// Default time the receiver has to accept or reject.
    public var decisionTime: TimeInterval {
        switch self {
        case .routine: 7 * 24 * 3600
        case .urgent: 72 * 3600
        case .asap: 24 * 3600
        case .stat: 4 * 3600
        }
    }

    /// The wire value.
    public var description: String { rawValue }
}
