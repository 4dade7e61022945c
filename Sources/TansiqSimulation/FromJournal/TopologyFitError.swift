import TansiqMessages

/// Why a topology could not be fitted from a history.
public struct TopologyFitError: CodedError {
    public typealias Code = ErrorCode<TopologyFitError>

    public let code: Code
    /// What is wrong, naming agencies and counts only.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}

extension ErrorCode where Domain == TopologyFitError {
    /// Too few referrals, or all at one instant: nothing to fit arrivals and delays from.
    public static var tooLittleHistory: Self { Self("too-little-history") }
    /// No agency can be told to be the coordinator (no escalation acknowledged, no single commune).
    public static var noCoordinator: Self { Self("no-coordinator") }
    /// An option names an agency the history does not know, or gives it an impossible role.
    public static var badOption: Self { Self("bad-option") }
    /// The fitted file did not validate: a bug of the fit, reported with the file's mistakes.
    public static var invalidFit: Self { Self("invalid-fit") }
}
