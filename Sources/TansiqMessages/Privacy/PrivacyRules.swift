import Foundation

/// The checks on values that keep personal data off the bus, as one deployment sets them.
///
/// ``MessageCodec`` applies them when it encodes (so an agent refuses before sending) and when
/// it decodes a body (so a hub with full body validation refuses). Every refusal names the key
/// path and the rule, never the value.
public struct PrivacyRules: Sendable, Equatable {
    /// What the hub does with the free-text `note` of referrals and status updates.
    public enum NotePolicy: String, Sendable, Equatable, CaseIterable {
        /// Notes are screened for contact details, document numbers and birth dates.
        case screened
        /// Any note is refused.
        case refused
    }

    /// What happens to notes.
    public var notes: NotePolicy
    /// What a case reference must look like.
    public var caseReferences: CaseReferenceRule
    /// The codes accepted in open vocabularies, and the roles of worker ids.
    public var vocabulary: Vocabulary
    /// A full date in free text with a year before this one is taken for a birth date.
    public var birthYearBefore: Int

    /// The protocol's rules: notes screened, the default case-reference rule, the protocol's codes.
    public static let standard = PrivacyRules()

    /// Creates rules; the defaults are the protocol's.
    public init(
        notes: NotePolicy = .screened,
        caseReferences: CaseReferenceRule = .standard,
        vocabulary: Vocabulary = .standard,
        birthYearBefore: Int = PrivacyRules.defaultBirthYearBefore
    ) {
        self.notes = notes
        self.caseReferences = caseReferences
        self.vocabulary = vocabulary
        self.birthYearBefore = birthYearBefore
    }

    /// Last year: dates of this year and the last are taken for appointments, older ones for birth dates.
    public static var defaultBirthYearBefore: Int {
        Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date()).year! - 1
    }

    // MARK: - Checks

    /// Checks every value of a body the rules cover.
    func check(_ payload: Payload) throws(ProtocolError) {
        switch payload {
        case .referral(let referral):
            try checkReferral(referral, at: "body")
        case .referralStatus(let update):
            if let outcome = update.outcome {
                try vocabulary.check(outcome.code.rawValue, in: .outcomeCodes, at: "body.outcome.code")
            }
            try checkNote(update.note, at: "body.note")
        case .escalationAcknowledgement(let acknowledgement):
            try vocabulary.check(acknowledgement.action.rawValue, in: .escalationActions, at: "body.action")
            try checkNote(acknowledgement.note, at: "body.note")
        default:
            return
        }
    }

    private func checkReferral(_ referral: Referral, at path: String) throws(ProtocolError) {
        guard caseReferences.accepts(referral.caseReference) else {
            throw ProtocolError(
                .personalData,
                "a case reference must be a pseudonymous code (\(caseReferences)); a deployment sets its own with privacy.case_reference_pattern",
                keyPath: path + ".caseReference"
            )
        }
        try checkWorker(referral.referringWorker, at: path + ".referringWorker")
        try checkWorker(referral.consent.recordedBy, at: path + ".consent.recordedBy")
        try vocabulary.check(referral.category.rawValue, in: .serviceCategories, at: path + ".category")
        for (index, code) in referral.reasonCodes.enumerated() {
            try vocabulary.check(code.rawValue, in: .reasonCodes, at: path + ".reasonCodes[\(index)]")
        }
        for (index, scope) in referral.consent.scope.enumerated() {
            try vocabulary.check(scope.rawValue, in: .consentScopes, at: path + ".consent.scope[\(index)]")
        }
        for (index, flag) in (referral.subject?.needsFlags ?? []).enumerated() {
            try vocabulary.check(flag.rawValue, in: .needsFlags, at: path + ".subject.needsFlags[\(index)]")
        }
        try checkNote(referral.note, at: path + ".note")
    }

    /// A worker id is a role, optionally numbered: `caseworker`, `caseworker-3`, `social-worker-12`.
    func checkWorker(_ worker: String, at keyPath: @autoclosure () -> String) throws(ProtocolError) {
        // `role` or `role-<digits>`, read on the bytes and looked up without making a string of the role.
        var worker = worker
        let known = worker.withUTF8 { bytes -> Bool in
            var end = bytes.count
            if let dash = bytes.lastIndex(of: UInt8(ascii: "-")), dash + 1 < bytes.count,
               bytes[(dash + 1)...].allSatisfy(Identifier.isASCIIDigit) {
                end = dash
            }
            return vocabulary.contains(bytes: UnsafeBufferPointer(rebasing: bytes[..<end]), in: .workerRoles)
        }
        guard known else {
            throw ProtocolError(
                .personalData,
                "a worker id must be a role id like 'caseworker-3', never a name; a deployment adds roles under \(Vocabulary.List.workerRoles.configurationKey)",
                keyPath: keyPath()
            )
        }
    }

    func checkNote(_ note: String?, at keyPath: @autoclosure () -> String) throws(ProtocolError) {
        guard let note else { return }
        if notes == .refused {
            throw ProtocolError(.personalData, "this hub refuses free-text notes (privacy.notes: refused)", keyPath: keyPath())
        }
        if let finding = FreeTextScreen.finding(in: note, birthYearBefore: birthYearBefore) {
            throw ProtocolError(
                .personalData,
                "the note holds \(finding.words); notes never carry names, contact details, document numbers or birth dates",
                keyPath: keyPath()
            )
        }
    }
}
