import Hummingbird

/// Why the desk refused a request or could not start: a code, a message for people (never
/// repeating a value they typed) and the HTTP status it is answered with.
public struct DeskError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure, stable for callers (and the JSON API's `error` field).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }

        public static let invalidConfiguration = Code("invalid-configuration")
        public static let bindFailed = Code("bind-failed")
        /// No valid session.
        public static let unauthenticated = Code("unauthenticated")
        /// Wrong worker id or password.
        public static let loginFailed = Code("login-failed")
        /// Too many failed logins.
        public static let throttled = Code("throttled")
        /// The form or request lacks its CSRF token.
        public static let csrf = Code("csrf")
        /// The worker's role may not do this.
        public static let forbidden = Code("forbidden")
        /// No such referral, action or page.
        public static let notFound = Code("not-found")
        /// The request is malformed or a value is not one the desk offers.
        public static let invalidRequest = Code("invalid-request")
        /// Refused by the protocol's rules (the hub's own message).
        public static let refused = Code("refused")
        /// The agent is not running.
        public static let unavailable = Code("unavailable")

        public var description: String { name }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

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
