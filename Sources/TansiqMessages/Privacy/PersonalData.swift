import Foundation

/// The rule that keeps personal data off the bus.
///
/// The protocol defines no field for a person's name, birth date, contact details or
/// document numbers. A message of a newer minor version may carry fields this implementation
/// does not know, so a sender could smuggle such data in an extra field; a key that looks like
/// one, in English, French, Spanish or Arabic, is refused wherever it appears, at any depth, in
/// a header or a body.
public enum PersonalData {
    /// Normalised keys (lowercase letters and digits only) that are refused outright.
    static let exactKeys: [[UInt8]] = [
        "dob", "mobile", "tel", "cin", "nin", "ssn", "street", "gps", "latitude", "longitude",
        "geolocation", "iban", "photo", "fingerprint", "biometrics",
        // French, Spanish
        "nom", "cni", "cne", "rib", "nir", "sexe", "portable", "dni", "nie", "movil", "celular", "calle", "rue",
    ].map { Array($0.utf8) }

    /// Fragments that make a normalised key refused wherever they appear in it.
    static let fragments: [[UInt8]] = [
        "birth", "phone", "email", "address", "passport", "documentnumber", "idnumber",
        "nationalid", "idcard", "identitycard", "residencepermit", "whatsapp",
        "nationality", "diagnos", "hiv", "disease", "illness", "religion", "ethnic", "surname",
        // French (accents folded: prénom → prenom)
        "prenom", "nomdefamille", "nomcomplet", "adresse", "telephone", "naissance", "nationalite", "courriel",
        "domicile", "maladie", "vih", "ethnie", "cartedesejour", "carteidentite", "numerodepiece",
        // Spanish
        "nombre", "apellido", "direccion", "telefono", "nacimiento", "nacionalidad", "pasaporte", "correo",
        "domicilio", "enfermedad", "documento",
    ].map { Array($0.utf8) }

    /// Arabic fragments, matched in the key with its diacritics removed.
    static let arabicFragments: [String] = [
        "اسم", "لقب", "عنوان", "هاتف", "جوال", "محمول", "ميلاد", "ولادة", "مولود", "جنسية", "جواز",
        "بطاقة", "بريد", "سكن", "إقامة", "اقامة", "تشخيص", "مرض", "ديانة", "دين",
    ]

    /// Every key the protocol defines: known safe, so the common case costs one set lookup. For a
    /// message of a protocol version this implementation knows, any other key is refused
    /// (`unknown-field`): a field added in a minor version must be listed here.
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
        "agency", "headSequence", "more", "erased", "open",
        "lastSeen", "silentForSeconds", "prefixes", "afterSequence", "limit", "count", "error", "seq", "topicSeq",
        // 1.2: escalation acknowledgements.
        "action", "acknowledgedBy", "acknowledgedAt",
        // 1.2: hub statistics, replay of one's own messages.
        "ingressDisconnects", "sentBy",
    ]

    private static let nameSuffix = Array("name".utf8)
    private static let nomPrefix = Array("nom".utf8)

    /// Whether a JSON object key looks like it names personal data.
    ///
    /// The key is normalised (case folded, everything but ASCII letters and digits dropped),
    /// then refused if it ends in `name` (name, firstName, last_name, fullName, surname…),
    /// contains a fragment such as `birth`, `phone`, `email`, `address`, `passport`,
    /// `documentnumber`, `idnumber` (birthDate, dateOfBirth, phoneNumber…) or is a short
    /// identifier such as `dob`, `tel`, `cin`, `mobile`, `street`, `latitude`.
    public static func looksPersonal(_ key: String) -> Bool {
        !protocolKeys.contains(key) && looksPersonal(unknownKey: key)
    }

    /// ``looksPersonal(_:)`` for a key already known not to be a protocol key.
    static func looksPersonal(unknownKey key: String) -> Bool {
        // Byte-level on purpose: the hub runs this on every key of every header.
        var folded = key
        if !key.utf8.allSatisfy({ $0 < 0x80 }) {
            folded = key.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
            if arabicFragments.contains(where: { folded.contains($0) }) { return true }
        }
        var normalised: [UInt8] = []
        normalised.reserveCapacity(folded.utf8.count)
        for byte in folded.utf8 {
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
        // nom, nom_famille, nomComplet; words merely containing "nom" (economy) are left alone.
        if normalised.starts(with: nomPrefix), normalised.count > 3, ["f", "c", "d", "p", "u"].contains(Character(Unicode.Scalar(normalised[3]))) {
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

    static let unknownFieldRefusal =
        "the protocol version the message declares defines no such key; fields of a newer minor version need that version in specversion"

    static func refusal(_ key: String) -> String {
        "key '\(key)' looks like personal data; names, birth dates, contact details and document numbers may never appear on the bus"
    }
}
