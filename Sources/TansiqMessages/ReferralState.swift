/// The state of a referral: HL7 FHIR Task status as profiled by the SDOH Clinical Care guide.
public enum ReferralState: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Sent by the referrer, not yet seen by the receiver.
    case requested
    /// The receiver has seen it and is deciding.
    case received
    /// The receiver will provide the service.
    case accepted
    /// The receiver will not provide the service (terminal).
    case rejected
    /// The service is being provided.
    case inProgress = "in-progress"
    /// Provision is paused (the person is unreachable for a while, a waiting list).
    case onHold = "on-hold"
    /// The service was provided (terminal).
    case completed
    /// Provision was attempted and did not succeed (terminal).
    case failed
    /// The referrer withdrew the referral (terminal).
    case cancelled

    /// Whether no transition leaves this state.
    public var isTerminal: Bool {
        switch self {
        case .rejected, .cancelled, .completed, .failed: true
        default: false
        }
    }

    /// The wire value.
    public var description: String { rawValue }
}
