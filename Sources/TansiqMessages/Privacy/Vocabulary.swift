/// The codes a hub accepts in the open vocabularies: the protocol's own codes plus the
/// deployment's additions from configuration.
///
/// Open-vocabulary codes are the one place a sender could spell free text as an identifier
/// (`fatima-amrani-0612345678`, `born-1990-conakry`), so a code outside the vocabulary is
/// refused with the configuration key that would add it.
public struct Vocabulary: Sendable, Equatable {
    /// One open vocabulary, named as in configuration.
    public enum List: String, Sendable, CaseIterable {
        /// `referral.reasonCodes`.
        case reasonCodes = "reason_codes"
        /// `referral.subject.needsFlags`.
        case needsFlags = "needs_flags"
        /// `referral.status.outcome.code`.
        case outcomeCodes = "outcome_codes"
        /// `referral.consent.scope`.
        case consentScopes = "consent_scopes"
        /// `referral.category`.
        case serviceCategories = "service_categories"
        /// The role part of worker ids (`caseworker` in `caseworker-3`).
        case workerRoles = "worker_roles"
        /// `escalation.ack.action` (1.2).
        case escalationActions = "escalation_actions"

        /// The key a deployment adds codes under, in the hub's YAML configuration.
        public var configurationKey: String { "privacy.vocabulary." + rawValue }

        /// How an error names one code of the list.
        var what: String {
            switch self {
            case .reasonCodes: "reason code"
            case .needsFlags: "needs flag"
            case .outcomeCodes: "outcome code"
            case .consentScopes: "consent scope"
            case .serviceCategories: "service category"
            case .workerRoles: "worker role"
            case .escalationActions: "escalation action"
            }
        }

        /// Its place in ``Vocabulary``'s storage: a list is looked up on every code a hub
        /// checks, and hashing the raw value cost more than the code's own lookup.
        fileprivate var ordinal: Int {
            switch self {
            case .reasonCodes: 0
            case .needsFlags: 1
            case .outcomeCodes: 2
            case .consentScopes: 3
            case .serviceCategories: 4
            case .workerRoles: 5
            case .escalationActions: 6
            }
        }
    }

    /// The codes of each list, at its ``List/ordinal``.
    private let codes: [Set<String>]
    /// The same codes by their bytes, for lists short enough to compare one by one (every
    /// protocol list, and most deployments'): a lookup without hashing.
    private let tables: [CodeTable<Void>?]

    /// The roles of the protocol's worker ids; a deployment adds its own.
    public static let protocolWorkerRoles: [String] = [
        "caseworker", "social-worker", "coordinator", "intake", "intake-officer", "nurse", "doctor", "midwife",
        "psychologist", "counsellor", "teacher", "trainer", "lawyer", "paralegal", "interpreter", "mediator",
        "volunteer", "officer", "focal-point", "desk", "agent", "protection-officer", "outreach-worker",
    ]

    /// The protocol's codes only.
    public static let standard = Vocabulary(codes: [
        .reasonCodes: Set(Referral.ReasonCode.knownValues.map(\.rawValue)),
        .needsFlags: Set(Referral.Subject.NeedsFlag.knownValues.map(\.rawValue)),
        .outcomeCodes: Set(ReferralStatusUpdate.Outcome.Code.knownValues.map(\.rawValue)),
        .consentScopes: Set(Referral.Consent.Scope.knownValues.map(\.rawValue)),
        .serviceCategories: Set(ServiceCategory.knownValues.map(\.rawValue)),
        .workerRoles: Set(protocolWorkerRoles),
        .escalationActions: Set(EscalationAcknowledgement.Action.knownValues.map(\.rawValue)),
    ])

    private init(codes: [List: Set<String>]) {
        var stored = [Set<String>](repeating: [], count: List.allCases.count)
        for (list, set) in codes { stored[list.ordinal] = set }
        self.codes = stored
        tables = stored.map(Self.table)
    }

    private static func table(_ codes: Set<String>) -> CodeTable<Void>? {
        CodeTable(codes.map { ($0, ()) })
    }

    /// The protocol's codes plus `additions`; every addition must be an identifier.
    public init(adding additions: [List: [String]]) throws(ProtocolError) {
        var codes = Self.standard.codes
        for (list, added) in additions {
            for (index, code) in added.enumerated() {
                try Identifier.check(code, list.what, at: list.configurationKey + "[\(index)]")
                codes[list.ordinal].insert(code)
            }
        }
        self.codes = codes
        tables = codes.map(Self.table)
    }

    /// Whether `code` is in `list`.
    public func contains(_ code: String, in list: List) -> Bool {
        if let table = tables[list.ordinal] { return table.value(for: code) != nil }
        return codes[list.ordinal].contains(code)
    }

    /// Whether the code spelled by `bytes` (UTF-8) is in `list`.
    func contains(bytes: UnsafeBufferPointer<UInt8>, in list: List) -> Bool {
        if let table = tables[list.ordinal] { return table.value(for: bytes) != nil }
        return codes[list.ordinal].contains(String(decoding: bytes, as: UTF8.self))
    }

    public static func == (lhs: Vocabulary, rhs: Vocabulary) -> Bool { lhs.codes == rhs.codes }

    /// Every code of `list`, sorted.
    public func codes(of list: List) -> [String] {
        codes[list.ordinal].sorted()
    }

    func check(_ code: String, in list: List, at keyPath: @autoclosure () -> String) throws(ProtocolError) {
        guard contains(code, in: list) else {
            throw ProtocolError(
                .unknownCode,
                "this \(list.what) is not in the hub's vocabulary; a deployment that needs it adds it under \(list.configurationKey)",
                keyPath: keyPath()
            )
        }
    }
}
