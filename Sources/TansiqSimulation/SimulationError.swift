/// A run that could not be carried out: an agent process that failed, an executable missing,
/// agents that never became ready.
public struct SimulationError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure.
    public struct Code: Hashable, Sendable {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// An agent executable is not where the run looks for it.
        public static let executableMissing = Code("executableMissing")
        /// An agent could not be started, or never became ready.
        public static let agentNotReady = Code("agentNotReady")
        /// An agent process exited while the run needed it.
        public static let agentFailed = Code("agentFailed")
        /// A virtual-time run saw no way to settle: an agent never became quiet.
        public static let stalled = Code("stalled")
        /// The topology asks for something this way of running cannot do.
        public static let unsupported = Code("unsupported")
        /// The network needs more file descriptors than the process may open.
        public static let tooManyDescriptors = Code("tooManyDescriptors")
    }

    /// What kind of failure.
    public let code: Code
    /// What went wrong, for a person.
    public let message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
