/// A key, a sealed value or a private file that could not be made or read.
public struct VaultError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code as written in logs.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// The master key is missing, malformed, or its file is readable by others.
        public static let badMasterKey = Code("bad-master-key")
        /// The data was sealed under another master key.
        public static let wrongMasterKey = Code("wrong-master-key")
        /// Sealed data does not open: altered, truncated, or sealed for another record.
        public static let unreadable = Code("unreadable")
        /// Encrypted data was found but no master key was given.
        public static let masterKeyNeeded = Code("master-key-needed")
        /// A private file or directory could not be created with owner-only permissions.
        public static let filePermissions = Code("file-permissions")

        public var description: String { rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// What happened and what to do, never a key or a decrypted value.
    public let message: String

    /// An error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
