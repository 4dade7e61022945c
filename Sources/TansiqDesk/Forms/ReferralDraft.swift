import Foundation
import TansiqMessages

/// What a worker wrote on the new-referral form (or sent to the API), before it is a referral.
public struct ReferralDraft: Codable, Sendable, Equatable {
    /// An agency id, or `open:<category>` for a referral open to a category.
    public var receiver: String?
    public var category: String?
    public var priority: String?
    public var reasons: [String]
    public var consent: Bool
    public var consentScope: [String]
    public var caseReference: String?
    public var ageBand: String?
    public var language: String?
    public var needs: [String]
    public var note: String?

    public init(
        receiver: String? = nil, category: String? = nil, priority: String? = nil, reasons: [String] = [], consent: Bool = false,
        consentScope: [String] = [], caseReference: String? = nil, ageBand: String? = nil, language: String? = nil, needs: [String] = [],
        note: String? = nil
    ) {
        self.receiver = receiver
        self.category = category
        self.priority = priority
        self.reasons = reasons
        self.consent = consent
        self.consentScope = consentScope
        self.caseReference = caseReference
        self.ageBand = ageBand
        self.language = language
        self.needs = needs
        self.note = note
    }

    init(form: FormFields) {
        self.init(
            receiver: form["receiver"], category: form["category"], priority: form["priority"], reasons: form.all("reason"),
            consent: form["consent"] != nil, consentScope: form.all("scope"), caseReference: form["case"], ageBand: form["age-band"],
            language: form["language"], needs: form.all("needs"), note: form["note"])
    }

    enum CodingKeys: String, CodingKey {
        case receiver, category, priority, reasons, consent, consentScope, caseReference, ageBand, language, needs, note
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        receiver = try container.decodeIfPresent(String.self, forKey: .receiver)
        category = try container.decodeIfPresent(String.self, forKey: .category)
        priority = try container.decodeIfPresent(String.self, forKey: .priority)
        reasons = try container.decodeIfPresent([String].self, forKey: .reasons) ?? []
        consent = try container.decodeIfPresent(Bool.self, forKey: .consent) ?? false
        consentScope = try container.decodeIfPresent([String].self, forKey: .consentScope) ?? []
        caseReference = try container.decodeIfPresent(String.self, forKey: .caseReference)
        ageBand = try container.decodeIfPresent(String.self, forKey: .ageBand)
        language = try container.decodeIfPresent(String.self, forKey: .language)
        needs = try container.decodeIfPresent([String].self, forKey: .needs) ?? []
        note = try container.decodeIfPresent(String.self, forKey: .note)
    }

    /// The referral, signed by `worker`, or the first problem in the worker's language. Values
    /// the protocol checks (codes, case reference, note) are left to the agent's check, which
    /// answers with the hub's own message.
    func referral(from agency: String, worker: String, at now: Date, language l: Language) throws(DeskError) -> Referral {
        guard consent else { throw DeskError(.invalidRequest, l("error.consent")) }
        guard let receiver = receiver?.trimmingCharacters(in: .whitespaces), !receiver.isEmpty else {
            throw DeskError(.invalidRequest, l("error.receiver"))
        }
        var receivingAgency: String? = receiver
        var category = category.map(ServiceCategory.init(rawValue:))
        if receiver.hasPrefix("open:") {
            receivingAgency = nil
            let open = ServiceCategory(rawValue: String(receiver.dropFirst(5)))
            if let category, category != open { throw DeskError(.invalidRequest, l("error.openCategory")) }
            category = open
        }
        guard let category else { throw DeskError(.invalidRequest, l("error.category")) }
        guard let priority = Priority(rawValue: priority ?? "routine") else { throw DeskError(.invalidRequest, l("error.field")) }
        guard !reasons.isEmpty else { throw DeskError(.invalidRequest, l("error.reason")) }
        guard let caseReference, !caseReference.isEmpty else { throw DeskError(.invalidRequest, l("error.case")) }
        var scope = consentScope.map(Referral.Consent.Scope.init(rawValue:))
        if scope.isEmpty { scope = [receivingAgency == nil ? .shareWithCategoryProviders : .shareWithReceiver] }
        var subject: Referral.Subject?
        if ageBand != nil || language != nil || !needs.isEmpty {
            var facts = Referral.Subject()
            if let ageBand {
                guard let band = Referral.Subject.AgeBand(rawValue: ageBand) else { throw DeskError(.invalidRequest, l("error.field")) }
                facts.ageBand = band
            }
            facts.language = language
            facts.needsFlags = needs.map(Referral.Subject.NeedsFlag.init(rawValue:))
            subject = facts
        }
        return Referral(
            referralId: UUID(),
            caseReference: caseReference,
            referringAgency: agency,
            referringWorker: worker,
            receivingAgency: receivingAgency,
            category: category,
            priority: priority,
            reasonCodes: reasons.map(Referral.ReasonCode.init(rawValue:)),
            note: note,
            consent: Referral.Consent(status: .given, scope: scope, recordedBy: worker, recordedAt: now),
            acknowledgeBy: now.addingTimeInterval(priority.acknowledgementTime),
            decideBy: now.addingTimeInterval(priority.decisionTime),
            followUpOn: now.addingTimeInterval(30 * 86_400),
            subject: subject
        )
    }
}
