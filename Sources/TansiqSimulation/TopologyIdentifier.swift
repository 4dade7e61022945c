import TansiqMessages

/// The protocol's identifier rule (``TansiqMessages/Identifier``) in words, for topology errors.
enum TopologyIdentifier {
    static let rule = "expected lowercase letters, digits and '-', starting with a letter or digit, 1–63 characters"

    static func isValid(_ text: String) -> Bool { Identifier.isValid(text) }
}

extension Topology {
    /// True when `text` is a valid agency, agent, hub or topology identifier:
    /// `[a-z0-9][a-z0-9-]*`, 1–63 characters.
    public static func isValidIdentifier(_ text: String) -> Bool { Identifier.isValid(text) }
}
