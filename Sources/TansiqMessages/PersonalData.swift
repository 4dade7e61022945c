/// The rule that keeps personal data off the bus.
///
/// The protocol defines no field for a person's name, birth date, contact details or
/// document numbers. Unknown fields are otherwise ignored for forward compatibility, so a
/// sender could smuggle such data in an extra field; a key that looks like one is refused
/// wherever it appears, at any depth, in a header or a body.
public enum PersonalData {
    /// Normalised keys (lowercase letters and digits only) that are refused outright.
    static let exactKeys: [[UInt8]] = [
        "dob", "mobile", "tel", "cin", "nin", "ssn", "street", "gps", "latitude", "longitude",
        "geolocation", "iban", "photo", "fingerprint", "biometrics",
    ].map { Array($0.utf8) }

    /// Fragments that make a normalised key refused wherever they appear in it.
    static let fragments: [[UInt8]] = [
        "birth", "phone", "email", "address", "passport", "documentnumber", "idnumber",
        "nationalid", "idcard", "identitycard", "residencepermit", "whatsapp",
    ].map { Array($0.utf8) }

    /// Every key the protocol defines: known safe, so the common case costs one set lookup.
    static let protocolKeys: Set<String> = [
        "specversion", "id", "type", "source", "agent", "time", "correlationid", "causationid",
        "referralId", "caseReference", "referringAgency", "referringWorker", "receivingAgency", "category",
        "priority", "reasonCodes", "note", "consent", "status", "overrideReason", "scope", "recordedBy",
        "recordedAt", "acknowledgeBy", "decideBy", "followUpOn", "subject", "ageBand", "language", "needsFlags",
        "state", "previousState", "changedBy", "changedAt", "reason", "suggestedAlternative", "outcome",
        "successful", "code", "accepting", "waitlistBand", "capacity", "unit", "available", "maximum",
        "updatedAt", "validUntil", "role", "version", "uptimeSeconds", "heartbeatInterval", "referrer",
        "receiver", "deadline", "dueAt", "detectedAt", "escalatedTo", "currentState", "rejectedMessageId",
        "message", "topic", "at", "hub", "startedAt", "messagesIn", "messagesOut", "bytesIn", "bytesOut",
        "rejections", "subscriptions", "peers", "secure", "journal", "backend", "lastSequence", "entries",
        "lastSeen", "silentForSeconds", "prefixes", "afterSequence", "limit", "count", "error", "seq", "topicSeq",
    ]

    private static let nameSuffix = Array("name".utf8)

    /// Whether a JSON object key looks like it names personal data.
    ///
    /// The key is normalised (case folded, everything but ASCII letters and digits dropped),
    /// then refused if it ends in `name` (name, firstName, last_name, fullName, surname…),
    /// contains a fragment such as `birth`, `phone`, `email`, `address`, `passport`,
    /// `documentnumber`, `idnumber` (birthDate, dateOfBirth, phoneNumber…) or is a short
    /// identifier such as `dob`, `tel`, `cin`, `mobile`, `street`, `latitude`.
    public static func looksPersonal(_ key: String) -> Bool {
        if protocolKeys.contains(key) {
            return false
        }
        // Byte-level on purpose: the hub runs this on every key of every header.
        var normalised: [UInt8] = []
        normalised.reserveCapacity(key.utf8.count)
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                normalised.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                normalised.append(byte + 32)
            default:
                continue
            }
        }
        if normalised.count >= nameSuffix.count, normalised.suffix(nameSuffix.count).elementsEqual(nameSuffix) {
            return true
        }
        if exactKeys.contains(normalised) {
            return true
        }
        return fragments.contains { contains(normalised, $0) }
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            var offset = 1
            while offset < needle.count, haystack[start + offset] == needle[offset] { offset += 1 }
            if offset == needle.count { return true }
        }
        return false
    }

    static func refusal(_ key: String) -> String {
        "key '\(key)' looks like personal data; names, birth dates, contact details and document numbers may never appear on the bus"
    }
}
