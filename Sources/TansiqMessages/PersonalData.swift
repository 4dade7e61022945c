/// The rule that keeps personal data off the bus.
///
/// The protocol defines no field for a person's name, birth date, contact details or
/// document numbers. Unknown fields are otherwise ignored for forward compatibility, so a
/// sender could smuggle such data in an extra field; a key that looks like one is refused
/// wherever it appears, at any depth, in a header or a body.
public enum PersonalData {
    /// Normalised keys (lowercase letters and digits only) that are refused outright.
    static let exactKeys: Set<String> = [
        "dob", "mobile", "tel", "cin", "nin", "ssn", "street", "gps", "latitude", "longitude",
        "geolocation", "iban", "photo", "fingerprint", "biometrics",
    ]

    /// Fragments that make a normalised key refused wherever they appear in it.
    static let fragments: [String] = [
        "birth", "phone", "email", "address", "passport", "documentnumber", "idnumber",
        "nationalid", "idcard", "identitycard", "residencepermit", "whatsapp",
    ]

    /// Whether a JSON object key looks like it names personal data.
    ///
    /// The key is normalised (case folded, everything but letters and digits dropped), then
    /// refused if it ends in `name` (name, firstName, last_name, fullName, surname…), contains
    /// one of ``fragments`` (birthDate, dateOfBirth, phone, email, address, passport…) or is
    /// one of ``exactKeys``.
    public static func looksPersonal(_ key: String) -> Bool {
        var normalised = ""
        normalised.reserveCapacity(key.utf8.count)
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                normalised.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                normalised.unicodeScalars.append(Unicode.Scalar(byte + 32))
            default:
                continue
            }
        }
        if normalised.hasSuffix("name") || exactKeys.contains(normalised) {
            return true
        }
        return fragments.contains { normalised.contains($0) }
    }

    static func refusal(_ key: String) -> String {
        "key '\(key)' looks like personal data; names, birth dates, contact details and document numbers may never appear on the bus"
    }
}
