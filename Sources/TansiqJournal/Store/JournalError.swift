import TansiqMessages

/// An error of the hub's journal: what went wrong, and during which operation.
public struct JournalError: CodedError {
    public typealias Code = ErrorCode<JournalError>

    /// The kind of failure.
    public let code: Code
    /// A human-readable explanation.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}

extension ErrorCode where Domain == JournalError {
    /// The database could not be opened, configured or migrated.
    public static var openFailed: Self { Self("openFailed") }
    /// SQLite failed while reading or writing (the message names the operation).
    public static var storageFailed: Self { Self("storageFailed") }
    /// An appended sequence is not above the last one (stream or topic), or is out of range.
    public static var sequenceNotIncreasing: Self { Self("sequenceNotIncreasing") }
    /// A query argument (prefix, limit) is outside the accepted bounds.
    public static var invalidQuery: Self { Self("invalidQuery") }
    /// The journal changed under this connection: another writer appended to the file.
    public static var concurrentWriter: Self { Self("concurrentWriter") }
    /// The journal was closed.
    public static var closed: Self { Self("closed") }
}
