import Foundation

/// The syntax of the protocol's identifiers.
///
/// Agency, agent and hub ids, service-category codes and every other code value are
/// *identifiers*: `[a-z0-9][a-z0-9-]*`, 1 to 63 characters, so that they can be topic
/// segments and be compared byte for byte.
public enum Identifier {
    /// The longest identifier.
    public static let maximumLength = 63

    /// Whether `string` is an identifier.
    public static func isValid(_ string: String) -> Bool {
        // On the contiguous bytes: every code of every message is checked, and the UTF8View's
        // iteration cost more than the check.
        var string = string
        return string.withUTF8 { bytes in
            guard let first = bytes.first, bytes.count <= maximumLength, isLowerAlphanumeric(first) else { return false }
            for byte in bytes where !(isLowerAlphanumeric(byte) || byte == UInt8(ascii: "-")) { return false }
            return true
        }
    }

    /// Whether `string` is a pseudonymous case reference: `[A-Z0-9-]`, 4 to 32 characters.
    public static func isValidCaseReference(_ string: String) -> Bool {
        var string = string
        return string.withUTF8 { bytes in
            guard (4...32).contains(bytes.count) else { return false }
            for byte in bytes where !(byte &- UInt8(ascii: "A") < 26 || byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: "-")) {
                return false
            }
            return true
        }
    }

    /// Whether `string` is a UUID in canonical lowercase form (8-4-4-4-12 hexadecimal digits).
    public static func isCanonicalUUID(_ string: String) -> Bool {
        let utf8 = string.utf8
        guard utf8.count == 36 else { return false }
        for (offset, byte) in utf8.enumerated() {
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) else {
                    return false
                }
            }
        }
        return true
    }

    /// Parses a canonical lowercase UUID (by hand: `UUID(uuidString:)` is slow on Linux).
    public static func uuid(_ string: String) -> UUID? {
        if let parsed = string.utf8.withContiguousStorageIfAvailable({ uuid(bytes: $0) }) {
            return parsed
        }
        return Array(string.utf8).withUnsafeBufferPointer { uuid(bytes: $0) }
    }

    static func uuid(bytes text: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard text.count == 36 else { return nil }
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let valid = withUnsafeMutableBytes(of: &bytes) { output -> Bool in
            var nibble = 0
            for offset in 0..<36 {
                let byte = text[offset]
                if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                    guard byte == UInt8(ascii: "-") else { return false }
                    continue
                }
                let value: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
                default: return false
                }
                output[nibble >> 1] |= nibble & 1 == 0 ? value << 4 : value
                nibble += 1
            }
            return true
        }
        return valid ? UUID(uuid: bytes) : nil
    }

    /// The canonical lowercase text of a UUID, without `uuidString`'s formatting (slow on Linux).
    public static func text(_ uuid: UUID) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var text = [UInt8](repeating: UInt8(ascii: "-"), count: 36)
        withUnsafeBytes(of: uuid.uuid) { bytes in
            var offset = 0
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { offset += 1 }
                text[offset] = hex[Int(byte >> 4)]
                text[offset + 1] = hex[Int(byte & 0x0F)]
                offset += 2
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Whether `string` is a BCP 47 language tag of the simple form the protocol uses
    /// (`ar`, `fr`, `wo`, `bm`, `ar-MA`, `zh-Hant`): a 2–3 letter language and up to
    /// three subtags of 1–8 letters or digits, 35 characters at most.
    public static func isValidLanguageTag(_ string: String) -> Bool {
        guard string.utf8.count <= 35 else { return false }
        // One pass over the bytes (the hub checks every referral's language): the primary
        // subtag of 2 or 3 letters, then at most 3 subtags of 1 to 8 letters or digits.
        var part = 0
        var length = 0
        for byte in string.utf8 {
            if byte == UInt8(ascii: "-") {
                guard part == 0 ? length >= 2 : length >= 1 else { return false }
                part += 1
                length = 0
                guard part < 4 else { return false }
                continue
            }
            length += 1
            guard part == 0 ? isASCIILetter(byte) && length <= 3 : (isASCIILetter(byte) || isASCIIDigit(byte)) && length <= 8
            else { return false }
        }
        return length >= (part == 0 ? 2 : 1)
    }

    /// `0` to `9`: the module's one digit test on bytes (the JSON parser and the free-text screen use it too).
    static func isASCIIDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    // MARK: - Validation

    static func check(_ string: String, _ what: String, at keyPath: @autoclosure () -> String) throws(ProtocolError) {
        guard isValid(string) else {
            throw ProtocolError(
                .invalidValue,
                "the \(what) is not an identifier ([a-z0-9][a-z0-9-]*, 1 to 63 characters)",
                keyPath: keyPath()
            )
        }
    }

    /// A key safe to write in a key path: printable ASCII, at most 64 characters. Values are
    /// never quoted in errors; keys of count maps are data the path must still name.
    static func printableKey(_ string: String) -> String {
        var result = ""
        for scalar in string.unicodeScalars.prefix(64) {
            result += (0x20..<0x7F).contains(scalar.value) ? String(scalar) : "?"
        }
        return string.unicodeScalars.count > 64 ? result + "…" : result
    }
}
