/// The part a stakeholder plays in a referral network.
public enum AgentRole: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// The municipal council: the coordinator, and a municipal social-assistance desk.
    case commune
    /// IOM: opens pseudonymous cases, refers them, follows up.
    case iom
    /// A deconcentrated state service (health, education, employment, social assistance).
    case service
    /// An association: legal aid, psychosocial support, language classes, shelter…
    case civilSociety = "civil-society"

    /// The code written in topology files and options.
    public var description: String { rawValue }
}
