/// A value of an *open* vocabulary: a code the protocol lists, where a later minor version
/// may add codes.
///
/// Any identifier decodes (so a newer sender is understood), and ``isKnown`` tells whether
/// this version of the protocol lists it. Vocabularies that drive behaviour (states,
/// priorities, consent) are Swift enums instead and refuse unknown values.
public protocol CodedValue: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible
where RawValue == String {
    /// Every code this version of the protocol lists, in documentation order.
    static var knownValues: [Self] { get }
}

extension CodedValue {
    /// Whether this version of the protocol lists the code.
    public var isKnown: Bool { Self.knownValues.contains(self) }

    /// The code as written on the wire.
    public var description: String { rawValue }

    /// Refuses a code that is not an identifier.
    func check(_ what: String, at keyPath: @autoclosure () -> String) throws(ProtocolError) {
        try Identifier.check(rawValue, what, at: keyPath())
    }
}
