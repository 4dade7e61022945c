/// An error of an agent's state file: what went wrong, and during which operation.
public struct AgentStoreError: Error, CustomStringConvertible {
    /// The kind of failure, stable for callers to match on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The file could not be opened, configured or migrated.
        public static let openFailed = Code("openFailed")
        /// Another running agent holds the file.
        public static let inUse = Code("inUse")
        /// The file belongs to another agent.
        public static let wrongOwner = Code("wrongOwner")
        /// SQLite failed while reading or writing (the message names the operation).
        public static let storageFailed = Code("storageFailed")
        /// A stored row could not be read back.
        public static let corruptRecord = Code("corruptRecord")
        /// A desk account with that worker id exists already.
        public static let accountExists = Code("accountExists")

        /// The code's name.
        public var description: String { name }
    }

    /// The kind of failure.
    public let code: Code
    /// A human-readable explanation.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
