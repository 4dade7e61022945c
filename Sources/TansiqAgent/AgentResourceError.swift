#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TansiqMessages

/// An agent could not get what the operating system gives it: file descriptors, above all.
public struct AgentResourceError: CodedError {
    public typealias Code = ErrorCode<AgentResourceError>

    /// The kind of failure.
    public let code: Code
    /// A human-readable explanation.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `what` failed with `errno`; EMFILE and ENFILE say which limit was reached.
    static func descriptors(_ what: String, errno code: Int32) -> AgentResourceError {
        switch code {
        case EMFILE:
            var limit = rlimit()
            let soft = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? " (\(limit.rlim_cur))" : ""
            return AgentResourceError(.descriptorsExhausted, "\(what): the process has reached its limit of open files\(soft); raise it (ulimit -n) or run fewer agents")
        case ENFILE:
            return AgentResourceError(.descriptorsExhausted, "\(what): the system has reached its limit of open files (fs.file-max)")
        default:
            return AgentResourceError(.systemCallFailed, "\(what): \(String(cString: strerror(code))) (errno \(code))")
        }
    }
}

extension ErrorCode where Domain == AgentResourceError {
    /// The process (EMFILE) or the system (ENFILE) has no file descriptor left.
    public static var descriptorsExhausted: Self { Self("descriptorsExhausted") }
    /// Another system call failed.
    public static var systemCallFailed: Self { Self("systemCallFailed") }
}
