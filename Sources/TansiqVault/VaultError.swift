import TansiqMessages

/// A key, a sealed value or a private file that could not be made or read.
public struct VaultError: CodedError, Equatable {
    public typealias Code = ErrorCode<VaultError>

    /// What went wrong.
    public let code: Code
    /// What happened and what to do, never a key or a decrypted value.
    public let message: String

    /// An error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}

extension ErrorCode where Domain == VaultError {
    /// The master key is missing, malformed, or its file is readable by others.
    public static var badMasterKey: Self { Self("bad-master-key") }
    /// The data was sealed under another master key.
    public static var wrongMasterKey: Self { Self("wrong-master-key") }
    /// Sealed data does not open: altered, truncated, or sealed for another record.
    public static var unreadable: Self { Self("unreadable") }
    /// Encrypted data was found but no master key was given.
    public static var masterKeyNeeded: Self { Self("master-key-needed") }
    /// A private file or directory could not be created with owner-only permissions.
    public static var filePermissions: Self { Self("file-permissions") }
}
