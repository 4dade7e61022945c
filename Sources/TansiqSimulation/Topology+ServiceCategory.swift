extension Topology {
    /// A category of service a case may need and an agency may offer.
    public enum ServiceCategory: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// Health care.
        case health
        /// Mental health and psychosocial support.
        case mhpss
        /// Schooling.
        case education
        /// Language classes.
        case language
        /// Jobs and vocational training.
        case employment
        /// Legal aid and documentation.
        case legal
        /// Shelter and housing.
        case shelter
        /// Social assistance.
        case socialAssistance = "social-assistance"
        /// Protection (children, survivors of violence).
        case protection
        /// Food, clothing, hygiene.
        case basicNeeds = "basic-needs"

        /// The code written in topology files.
        public var description: String { rawValue }
    }

    /// How urgent a referral is.
    public enum Priority: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// Normal.
        case routine
        /// Sooner than routine.
        case urgent
        /// As soon as possible.
        case asap
        /// Immediately.
        case stat

        /// The code written in topology files.
        public var description: String { rawValue }
    }
}
