/// The Tansiq protocol version carried in every header as `specversion`, e.g. `"1.0"`.
///
/// A receiver refuses a major version it does not speak and accepts any minor version of
/// its major: minor versions only add optional fields and open-vocabulary codes, which
/// receivers ignore or treat as opaque.
public struct ProtocolVersion: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Incompatible changes.
    public let major: Int
    /// Compatible additions.
    public let minor: Int

    /// The version this implementation writes.
    public static let current = ProtocolVersion(major: 1, minor: 2)

    /// Creates a version.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses `major.minor` (each 1 to 4 decimal digits); `nil` otherwise.
    public init?(_ string: String) {
        var numbers = [0, 0]
        var part = 0
        var digits = 0
        for byte in string.utf8 {
            if byte == UInt8(ascii: "."), part == 0, digits > 0 {
                part = 1
                digits = 0
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10, digits < 4 else { return nil }
            numbers[part] = numbers[part] * 10 + Int(digit)
            digits += 1
        }
        guard part == 1, digits > 0 else { return nil }
        self.init(major: numbers[0], minor: numbers[1])
    }

    /// Whether this implementation can read messages of this version (same major).
    public var isSupported: Bool { major == Self.current.major }

    /// Whether this implementation knows every field of the version (same major, same or lower
    /// minor): a key such a message carries that the protocol does not define is refused.
    public var isFullyKnown: Bool { major == Self.current.major && minor <= Self.current.minor }

    /// `major.minor`.
    public var description: String { "\(major).\(minor)" }

    /// Decodes from the string form.
    public init(from decoder: any Decoder) throws {
        let string = try decoder.singleValueContainer().decode(String.self)
        guard let version = ProtocolVersion(string) else {
            throw ProtocolError(.invalidValue, "the value is not a version like \"1.0\"", keyPath: "header.specversion")
        }
        self = version
    }

    /// Encodes as the string form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
