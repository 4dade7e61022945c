import Hummingbird
import TansiqMessages

/// Why the desk refused a request or could not start: a code, a message for people (never
/// repeating a value they typed) and the HTTP status it is answered with.
public struct DeskError: CodedError {
    public typealias Code = ErrorCode<DeskError>

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var status: HTTPResponse.Status {
        switch code {
        case .unauthenticated, .loginFailed: .unauthorized
        case .throttled: .tooManyRequests
        case .csrf, .forbidden: .forbidden
        case .notFound: .notFound
        case .refused: .unprocessableContent
        case .unavailable, .bindFailed: .serviceUnavailable
        default: .badRequest
        }
    }
}

extension ErrorCode where Domain == DeskError {
    public static var invalidConfiguration: Self { Self("invalid-configuration") }
    public static var bindFailed: Self { Self("bind-failed") }
    /// No valid session.
    public static var unauthenticated: Self { Self("unauthenticated") }
    /// Wrong worker id or password.
    public static var loginFailed: Self { Self("login-failed") }
    /// Too many failed logins.
    public static var throttled: Self { Self("throttled") }
    /// The form or request lacks its CSRF token.
    public static var csrf: Self { Self("csrf") }
    /// The worker's role may not do this.
    public static var forbidden: Self { Self("forbidden") }
    /// No such referral, action or page.
    public static var notFound: Self { Self("not-found") }
    /// The request is malformed or a value is not one the desk offers.
    public static var invalidRequest: Self { Self("invalid-request") }
    /// Refused by the protocol's rules (the hub's own message).
    public static var refused: Self { Self("refused") }
    /// The agent is not running.
    public static var unavailable: Self { Self("unavailable") }
}
