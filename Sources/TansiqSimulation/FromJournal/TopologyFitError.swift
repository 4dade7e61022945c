/// Why a topology could not be fitted from a history.
public struct TopologyFitError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// Too few referrals, or all at one instant: nothing to fit arrivals and delays from.
        public static let tooLittleHistory = Code("too-little-history")
        /// No agency can be told to be the coordinator (no escalation acknowledged, no single commune).
        public static let noCoordinator = Code("no-coordinator")
        /// An option names an agency the history does not know, or gives it an impossible role.
        public static let badOption = Code("bad-option")
        /// The fitted file did not validate: a bug of the fit, reported with the file's mistakes.
        public static let invalidFit = Code("invalid-fit")

        public var description: String { name }
    }

    public let code: Code
    /// What is wrong, naming agencies and counts only.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
