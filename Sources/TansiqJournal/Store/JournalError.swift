/// An error of the hub's journal: what went wrong, and during which operation.
public struct JournalError: Error, CustomStringConvertible {
    /// The kind of failure, stable for callers to match on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The database could not be opened, configured or migrated.
        public static let openFailed = Code("openFailed")
        /// SQLite failed while reading or writing (the message names the operation).
        public static let storageFailed = Code("storageFailed")
        /// An appended sequence is not above the last one (stream or topic), or is out of range.
        public static let sequenceNotIncreasing = Code("sequenceNotIncreasing")
        /// A query argument (prefix, limit) is outside the accepted bounds.
        public static let invalidQuery = Code("invalidQuery")
        /// The journal changed under this connection: another writer appended to the file.
        public static let concurrentWriter = Code("concurrentWriter")
        /// The journal was closed.
        public static let closed = Code("closed")

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
