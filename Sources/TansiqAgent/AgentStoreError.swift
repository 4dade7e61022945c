import TansiqMessages

/// An error of an agent's state file: what went wrong, and during which operation.
public struct AgentStoreError: CodedError {
    public typealias Code = ErrorCode<AgentStoreError>

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

extension ErrorCode where Domain == AgentStoreError {
    /// The file could not be opened, configured or migrated.
    public static var openFailed: Self { Self("openFailed") }
    /// Another running agent holds the file.
    public static var inUse: Self { Self("inUse") }
    /// The file belongs to another agent.
    public static var wrongOwner: Self { Self("wrongOwner") }
    /// SQLite failed while reading or writing (the message names the operation).
    public static var storageFailed: Self { Self("storageFailed") }
    /// A stored row could not be read back.
    public static var corruptRecord: Self { Self("corruptRecord") }
    /// A desk account with that worker id exists already.
    public static var accountExists: Self { Self("accountExists") }
}
