/// The identifier rule shared by topology names, agency ids, agent ids and hub ids.
enum TopologyIdentifier {
    /// The rule in words, for error messages.
    static let rule = "expected lowercase letters, digits and '-', starting with a letter or digit, 1–63 characters"

    static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...63).contains(bytes.count) else { return false }
        func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        return isLowerAlphanumeric(bytes[0]) && bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }
}

extension Topology {
    /// True when `text` is a valid agency, agent, hub or topology identifier:
    /// `[a-z0-9][a-z0-9-]*`, 1–63 characters.
    public static func isValidIdentifier(_ text: String) -> Bool { TopologyIdentifier.isValid(text) }
}
