import Foundation

/// What a pseudonymous case reference looks like in a deployment.
///
/// The default refuses words: every hyphen-separated segment must hold a digit, except one
/// leading tag of at most three letters (`AGA-2026-0042`, `C12345-00007`), so a name spelled in
/// capitals (`FATIMA-ZAHRA-AMRANI`) is refused. A deployment with its own scheme gives a
/// regular expression the whole reference must match.
public struct CaseReferenceRule: Sendable, Equatable, CustomStringConvertible {
    /// The deployment's regular expression; `nil` for the default rule.
    public let pattern: String?
    private let expression: Expression?

    /// The default rule.
    public static let standard = CaseReferenceRule()

    private init() {
        pattern = nil
        expression = nil
    }

    /// A rule matching `pattern` (anchored: the whole reference must match), on top of the
    /// protocol's `[A-Z0-9-]`, 4 to 32 characters.
    public init(pattern: String) throws(ProtocolError) {
        do {
            expression = Expression(try NSRegularExpression(pattern: "^(?:" + pattern + ")$"))
        } catch {
            throw ProtocolError(.invalidValue, "not a valid regular expression", keyPath: "privacy.case_reference_pattern")
        }
        self.pattern = pattern
    }

    /// Whether `reference` is a pseudonymous code under this rule.
    public func accepts(_ reference: String) -> Bool {
        guard Identifier.isValidCaseReference(reference) else { return false }
        if let expression {
            let range = NSRange(reference.startIndex..., in: reference)
            return expression.regex.firstMatch(in: reference, range: range) != nil
        }
        return Self.isCode(reference)
    }

    /// The rule in words, for errors and documentation.
    public var description: String {
        if let pattern { return "a code matching the deployment's pattern \(pattern)" }
        return "a code, not words: [A-Z0-9-], 4 to 32 characters, each segment holding a digit except a leading tag of at most 3 letters"
    }

    private static func isCode(_ reference: String) -> Bool {
        // One pass over the bytes: per segment, its length and whether it holds a digit.
        var segment = 0, length = 0, sawDigit = false, anyDigit = false
        func segmentIsCode() -> Bool { sawDigit || (segment == 0 && (1...3).contains(length)) }
        for byte in reference.utf8 {
            if byte == UInt8(ascii: "-") {
                guard segmentIsCode() else { return false }
                segment += 1
                length = 0
                sawDigit = false
            } else {
                length += 1
                if byte &- UInt8(ascii: "0") < 10 { sawDigit = true; anyDigit = true }
            }
        }
        return segmentIsCode() && anyDigit
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.pattern == rhs.pattern }

    /// A compiled expression: immutable once built, so shared across threads.
    private final class Expression: @unchecked Sendable {
        let regex: NSRegularExpression
        init(_ regex: NSRegularExpression) { self.regex = regex }
    }
}
