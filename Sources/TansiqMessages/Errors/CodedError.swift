/// The one shape of Tansiq's errors: a stable code to match on and a message for people, which
/// never repeats a personal value. Printed as `code: message`.
public protocol CodedError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure.
    var code: ErrorCode<Self> { get }
    /// What happened and what to do.
    var message: String { get }
}

extension CodedError {
    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}

/// A kind of failure of one error type, `Domain`, whose codes are declared in an extension
/// `where Domain == ThatError`, so that each type matches only its own.
public struct ErrorCode<Domain>: Hashable, Sendable, CustomStringConvertible {
    /// The code as logs, exit messages and the desk's API write it.
    public let name: String

    public init(_ name: String) { self.name = name }

    public var description: String { name }
}
