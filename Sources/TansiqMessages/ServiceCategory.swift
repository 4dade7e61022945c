/// A service category of the referral network's taxonomy; a topic segment.
public struct ServiceCategory: CodedValue {
    /// The code, e.g. `mhpss`.
    public let rawValue: String

    /// Wraps a code; ``Identifier`` syntax is checked when a message is validated.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Primary health care, maternal and child health, vaccination.
    public static let health = Self(rawValue: "health")
    /// Mental health and psychosocial support.
    public static let mhpss = Self(rawValue: "mhpss")
    /// School enrolment and non-formal education.
    public static let education = Self(rawValue: "education")
    /// Language classes (Darija, Arabic, French).
    public static let language = Self(rawValue: "language")
    /// Vocational training and employment.
    public static let employment = Self(rawValue: "employment")
    /// Legal aid and civil documentation.
    public static let legal = Self(rawValue: "legal")
    /// Shelter and housing.
    public static let shelter = Self(rawValue: "shelter")
    /// Social assistance and cash support.
    public static let socialAssistance = Self(rawValue: "social-assistance")
    /// Protection: child protection, gender-based violence, trafficking.
    public static let protection = Self(rawValue: "protection")
    /// Food and basic needs (hygiene kits, clothing).
    public static let basicNeeds = Self(rawValue: "basic-needs")

    /// The taxonomy of this protocol version.
    public static let knownValues: [Self] = [
        .health, .mhpss, .education, .language, .employment, .legal, .shelter, .socialAssistance, .protection, .basicNeeds,
    ]
}

extension ServiceCategory: CaseIterable {
    /// The categories this protocol version lists (``knownValues``), for pickers and topology files.
    public static var allCases: [ServiceCategory] { knownValues }
}

extension ServiceCategory: CodingKeyRepresentable {
    /// A map keyed by category encodes as an object (`{"health": …}`).
    public var codingKey: any CodingKey { Key(stringValue: rawValue) }

    public init?<T: CodingKey>(codingKey: T) { self.init(rawValue: codingKey.stringValue) }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
