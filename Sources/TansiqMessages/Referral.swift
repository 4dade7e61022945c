import Foundation

/// A referral of a person to a service, named only by a pseudonymous case reference.
///
/// A referral is addressed to one agency (``receivingAgency``) or open to any provider of
/// its ``category`` (``receivingAgency`` is `nil`). It must carry the person's ``consent``.
public struct Referral: Sendable, Equatable {
    /// The referral's id; every status update and escalation carries it.
    public var referralId: UUID
    /// The pseudonymous case reference the referrer files the case under (`[A-Z0-9-]`, 4–32).
    public var caseReference: String
    /// The referring agency.
    public var referringAgency: String
    /// The referring worker's role id within the agency (e.g. `caseworker-3`), never a name.
    public var referringWorker: String
    /// The agency the referral is addressed to; `nil` for an open referral.
    public var receivingAgency: String?
    /// The service needed.
    public var category: ServiceCategory
    /// How urgent it is.
    public var priority: Priority
    /// Why the person is referred (1 to 8 codes).
    public var reasonCodes: [ReasonCode]
    /// Free text for the receiver, at most 280 characters, never personal data.
    public var note: String?
    /// The person's consent to share the referral.
    public var consent: Consent
    /// When the receiver must have acknowledged it.
    public var acknowledgeBy: Date
    /// When the receiver must have accepted or rejected it.
    public var decideBy: Date
    /// When the referrer follows up on the outcome.
    public var followUpOn: Date
    /// Coarse, non-identifying facts about the person that help the receiver prepare.
    public var subject: Subject?

    /// Creates a referral.
    public init(
        referralId: UUID,
        caseReference: String,
        referringAgency: String,
        referringWorker: String,
        receivingAgency: String?,
        category: ServiceCategory,
        priority: Priority,
        reasonCodes: [ReasonCode],
        note: String? = nil,
        consent: Consent,
        acknowledgeBy: Date,
        decideBy: Date,
        followUpOn: Date,
        subject: Subject? = nil
    ) {
        self.referralId = referralId
        self.caseReference = caseReference
        self.referringAgency = referringAgency
        self.referringWorker = referringWorker
        self.receivingAgency = receivingAgency
        self.category = category
        self.priority = priority
        self.reasonCodes = reasonCodes
        self.note = note
        self.consent = consent
        self.acknowledgeBy = acknowledgeBy
        self.decideBy = decideBy
        self.followUpOn = followUpOn
        self.subject = subject
    }

    /// Whether the referral is open to any provider of its category.
    public var isOpen: Bool { receivingAgency == nil }

    /// Why a person is referred (open vocabulary).
    public struct ReasonCode: CodedValue {
        /// The code.
        public let rawValue: String
        /// Wraps a code.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Needs a medical consultation.
        public static let medicalConsultation = Self(rawValue: "medical-consultation")
        /// Pregnancy, birth or young-child care.
        public static let maternalCare = Self(rawValue: "maternal-care")
        /// Vaccination.
        public static let vaccination = Self(rawValue: "vaccination")
        /// Signs of psychological distress.
        public static let psychologicalDistress = Self(rawValue: "psychological-distress")
        /// A child to enrol in school.
        public static let schoolEnrolment = Self(rawValue: "school-enrolment")
        /// Wants a language course.
        public static let languageCourse = Self(rawValue: "language-course")
        /// Looks for work.
        public static let jobSearch = Self(rawValue: "job-search")
        /// Wants vocational training.
        public static let vocationalTraining = Self(rawValue: "vocational-training")
        /// Residence status questions.
        public static let legalStatus = Self(rawValue: "legal-status")
        /// Missing civil documents (birth registration, identity papers).
        public static let civilDocumentation = Self(rawValue: "civil-documentation")
        /// Without safe housing.
        public static let housingNeed = Self(rawValue: "housing-need")
        /// Not enough food.
        public static let foodInsecurity = Self(rawValue: "food-insecurity")
        /// A protection concern (violence, exploitation, trafficking).
        public static let protectionConcern = Self(rawValue: "protection-concern")
        /// Wants assisted voluntary return information.
        public static let voluntaryReturn = Self(rawValue: "voluntary-return")

        /// The codes of this protocol version.
        public static let knownValues: [Self] = [
            .medicalConsultation, .maternalCare, .vaccination, .psychologicalDistress, .schoolEnrolment,
            .languageCourse, .jobSearch, .vocationalTraining, .legalStatus, .civilDocumentation,
            .housingNeed, .foodInsecurity, .protectionConcern, .voluntaryReturn,
        ]
    }

    /// The person's consent to share the referral.
    public struct Consent: Sendable, Equatable {
        /// Whether the person consented or a worker overrode the absence of consent.
        public var status: Status
        /// Why consent was overridden; required when ``status`` is ``Status/overridden``.
        public var overrideReason: OverrideReason?
        /// With whom the referral may be shared (at least one scope).
        public var scope: [Scope]
        /// The role id of the worker who recorded the consent.
        public var recordedBy: String
        /// When the consent was recorded.
        public var recordedAt: Date

        /// Creates a consent record.
        public init(status: Status, overrideReason: OverrideReason? = nil, scope: [Scope], recordedBy: String, recordedAt: Date) {
            self.status = status
            self.overrideReason = overrideReason
            self.scope = scope
            self.recordedBy = recordedBy
            self.recordedAt = recordedAt
        }

        /// How the sharing is justified.
        public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
            /// The person consented.
            case given
            /// Shared without consent for a coded legal reason.
            case overridden
        }

        /// The legal grounds to share without consent.
        public enum OverrideReason: String, Sendable, Hashable, Codable, CaseIterable {
            /// To protect the person's life (unconscious, in danger).
            case vitalInterest = "vital-interest"
            /// A child at risk.
            case childProtection = "child-protection"
            /// The law requires the referral.
            case legalObligation = "legal-obligation"
        }

        /// With whom the referral may be shared (open vocabulary).
        public struct Scope: CodedValue {
            /// The code.
            public let rawValue: String
            /// Wraps a code.
            public init(rawValue: String) { self.rawValue = rawValue }

            /// The receiving agency of an addressed referral.
            public static let shareWithReceiver = Self(rawValue: "share-with-receiver")
            /// Every provider of the category (required for an open referral).
            public static let shareWithCategoryProviders = Self(rawValue: "share-with-category-providers")
            /// The network coordinator (sees escalations).
            public static let shareWithCoordinator = Self(rawValue: "share-with-coordinator")

            /// The scopes of this protocol version.
            public static let knownValues: [Self] = [.shareWithReceiver, .shareWithCategoryProviders, .shareWithCoordinator]
        }
    }

    /// Coarse, non-identifying facts about the person.
    public struct Subject: Sendable, Equatable {
        /// The age band.
        public var ageBand: AgeBand?
        /// The preferred language, a BCP 47 tag (`ar`, `fr`, `wo`, `bm`).
        public var language: String?
        /// Needs the receiver should prepare for.
        public var needsFlags: [NeedsFlag]

        /// Creates a subject.
        public init(ageBand: AgeBand? = nil, language: String? = nil, needsFlags: [NeedsFlag] = []) {
            self.ageBand = ageBand
            self.language = language
            self.needsFlags = needsFlags
        }

        /// Age bands, coarse enough not to identify.
        public enum AgeBand: String, Sendable, Hashable, Codable, CaseIterable {
            /// 0 to 4 years.
            case infant = "0-4"
            /// 5 to 11 years.
            case child = "5-11"
            /// 12 to 17 years.
            case adolescent = "12-17"
            /// 18 to 24 years.
            case youngAdult = "18-24"
            /// 25 to 59 years.
            case adult = "25-59"
            /// 60 years and over.
            case older = "60+"
        }

        /// A need the receiver should prepare for (open vocabulary).
        public struct NeedsFlag: CodedValue {
            /// The code.
            public let rawValue: String
            /// Wraps a code.
            public init(rawValue: String) { self.rawValue = rawValue }

            /// A child without a parent or guardian.
            public static let unaccompaniedMinor = Self(rawValue: "unaccompanied-minor")
            /// Pregnant.
            public static let pregnant = Self(rawValue: "pregnant")
            /// Living with a disability.
            public static let disability = Self(rawValue: "disability")
            /// A chronic condition needing continued treatment.
            public static let chronicCondition = Self(rawValue: "chronic-condition")
            /// Needs an interpreter.
            public static let interpreter = Self(rawValue: "interpreter")
            /// A survivor of violence: needs a safe, private setting.
            public static let survivor = Self(rawValue: "survivor")

            /// The flags of this protocol version.
            public static let knownValues: [Self] = [.unaccompaniedMinor, .pregnant, .disability, .chronicCondition, .interpreter, .survivor]
        }
    }
}
