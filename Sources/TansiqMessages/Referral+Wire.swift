import Foundation

extension Referral: WireObject, Codable {
    init(fields: JSONFields) throws(ProtocolError) {
        referralId = try fields.uuid("referralId")
        caseReference = try fields.string("caseReference")
        referringAgency = try fields.string("referringAgency")
        referringWorker = try fields.string("referringWorker")
        receivingAgency = try fields.optionalString("receivingAgency")
        category = ServiceCategory(rawValue: try fields.string("category"))
        priority = try fields.code("priority")
        reasonCodes = try fields.strings("reasonCodes").map(ReasonCode.init(rawValue:))
        note = try fields.optionalString("note")
        guard let consentFields = try fields.optionalObject("consent") else {
            throw ProtocolError(.missingConsent, "a referral without the person's consent is refused", keyPath: fields.path("consent"))
        }
        consent = try Consent(fields: consentFields)
        acknowledgeBy = try fields.time("acknowledgeBy")
        decideBy = try fields.time("decideBy")
        followUpOn = try fields.time("followUpOn")
        subject = try fields.optionalObject("subject").map { fields throws(ProtocolError) in try Subject(fields: fields) }
        try validate(at: fields.path)
    }

    func validate(at path: String) throws(ProtocolError) {
        guard Identifier.isValidCaseReference(caseReference) else {
            throw ProtocolError(
                .invalidValue,
                "the case reference is not pseudonymous ([A-Z0-9-], 4 to 32 characters)",
                keyPath: path + ".caseReference"
            )
        }
        try Identifier.check(referringAgency, "agency id", at: path + ".referringAgency")
        try Identifier.check(referringWorker, "worker role id", at: path + ".referringWorker")
        if let receivingAgency {
            try Identifier.check(receivingAgency, "agency id", at: path + ".receivingAgency")
            guard receivingAgency != referringAgency else {
                throw ProtocolError(.invalidValue, "an agency cannot refer to itself", keyPath: path + ".receivingAgency")
            }
        }
        try category.check("service category", at: path + ".category")
        try FreeText.checkCodes(reasonCodes, "reason code", count: 1...8, at: path + ".reasonCodes")
        try FreeText.checkNote(note, at: path + ".note")
        try consent.validate(at: path + ".consent", open: isOpen)
        guard acknowledgeBy <= decideBy else {
            throw ProtocolError(.invalidValue, "decideBy is before acknowledgeBy", keyPath: path + ".decideBy")
        }
        guard decideBy <= followUpOn else {
            throw ProtocolError(.invalidValue, "followUpOn is before decideBy", keyPath: path + ".followUpOn")
        }
        try subject?.validate(at: path + ".subject")
    }

    func wireValue(at path: String) throws(ProtocolError) -> JSONValue {
        var object = JSONObjectBuilder(path: path)
        object.set("referralId", referralId)
        object.set("caseReference", caseReference)
        object.set("referringAgency", referringAgency)
        object.set("referringWorker", referringWorker)
        object.set("receivingAgency", receivingAgency)
        object.set("category", category)
        object.set("priority", priority)
        object.set("reasonCodes", strings: reasonCodes.map(\.rawValue))
        object.set("note", note)
        object.set("consent", try consent.wireValue(at: path + ".consent"))
        try object.set("acknowledgeBy", time: acknowledgeBy)
        try object.set("decideBy", time: decideBy)
        try object.set("followUpOn", time: followUpOn)
        object.set("subject", subject?.wireValue)
        return object.value
    }

    /// Decodes with the wire rules through any `Decoder`.
    public init(from decoder: any Decoder) throws { self = try .decode(from: decoder) }

    /// Encodes exactly as on the wire through any `Encoder`.
    public func encode(to encoder: any Encoder) throws {
        try validate(at: "body")
        try wireValue(at: "body").encode(to: encoder)
    }
}

extension Referral.Consent {
    init(fields: JSONFields) throws(ProtocolError) {
        status = try fields.code("status")
        overrideReason = try fields.optionalCode("overrideReason")
        scope = try fields.strings("scope").map(Scope.init(rawValue:))
        recordedBy = try fields.string("recordedBy")
        recordedAt = try fields.time("recordedAt")
    }

    func validate(at path: @autoclosure () -> String, open: Bool) throws(ProtocolError) {
        switch (status, overrideReason) {
        case (.overridden, nil):
            throw ProtocolError(
                .missingField,
                "an overridden consent needs an overrideReason ('vital-interest', 'child-protection' or 'legal-obligation')",
                keyPath: path() + ".overrideReason"
            )
        case (.given, .some):
            throw ProtocolError(.invalidValue, "overrideReason is only given when status is 'overridden'", keyPath: path() + ".overrideReason")
        default:
            break
        }
        try FreeText.checkCodes(scope, "consent scope", count: 1...8, at: path() + ".scope")
        let needed: Scope = open ? .shareWithCategoryProviders : .shareWithReceiver
        guard scope.contains(needed) else {
            let what = open ? "an open referral" : "an addressed referral"
            throw ProtocolError(.missingConsent, "the consent scope does not include '\(needed)', which \(what) needs", keyPath: path() + ".scope")
        }
        try Identifier.check(recordedBy, "worker role id", at: path() + ".recordedBy")
    }

    func wireValue(at path: String) throws(ProtocolError) -> JSONValue {
        var object = JSONObjectBuilder(path: path)
        object.set("status", status)
        object.set("overrideReason", overrideReason)
        object.set("scope", strings: scope.map(\.rawValue))
        object.set("recordedBy", recordedBy)
        try object.set("recordedAt", time: recordedAt)
        return object.value
    }
}

extension Referral.Subject {
    init(fields: JSONFields) throws(ProtocolError) {
        ageBand = try fields.optionalCode("ageBand")
        language = try fields.optionalString("language")
        needsFlags = try fields.optionalStrings("needsFlags").map(NeedsFlag.init(rawValue:))
    }

    func validate(at path: @autoclosure () -> String) throws(ProtocolError) {
        if let language, !Identifier.isValidLanguageTag(language) {
            throw ProtocolError(
                .invalidValue,
                "the value is not a BCP 47 language tag like 'ar', 'fr' or 'wo'",
                keyPath: path() + ".language"
            )
        }
        try FreeText.checkCodes(needsFlags, "needs flag", count: 0...8, at: path() + ".needsFlags")
    }

    var wireValue: JSONValue {
        var object = JSONObjectBuilder(path: "")
        object.set("ageBand", ageBand)
        object.set("language", language)
        if !needsFlags.isEmpty {
            object.set("needsFlags", strings: needsFlags.map(\.rawValue))
        }
        return object.value
    }
}
