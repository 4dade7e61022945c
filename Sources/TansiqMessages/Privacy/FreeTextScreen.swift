/// Looks for contact details, document numbers and birth dates in free text.
///
/// Names cannot be told from other words, so a note can still name a person: agents must tell
/// their users (docs/data-protection.md). What has a shape is refused: phone numbers
/// (Moroccan `06…`, `+212…`, `00…` and any other run of 9 or more digits), e-mail addresses, Moroccan
/// CIN (`JB123456`), passport-like numbers (letters then 7 to 9 digits), IBANs, and full dates
/// whose year is before ``PrivacyRules/birthYearBefore`` or that follow a word such as `born`.
/// Arabic-Indic digits count as digits.
public enum FreeTextScreen {
    /// What a text was found to hold; the refusal names the kind, never the text.
    public enum Finding: String, Sendable, Equatable, CaseIterable {
        case phoneNumber = "phone-number"
        case emailAddress = "email-address"
        case nationalIdentityCard = "identity-card-number"
        case passportNumber = "passport-number"
        case iban = "iban"
        case birthDate = "birth-date"
        case longNumber = "long-number"

        /// The finding in words.
        public var words: String {
            switch self {
            case .phoneNumber: "a phone number"
            case .emailAddress: "an e-mail address"
            case .nationalIdentityCard: "an identity card number (CIN)"
            case .passportNumber: "a passport-like number"
            case .iban: "a bank account number (IBAN)"
            case .birthDate: "a date that looks like a birth date"
            case .longNumber: "a long number (phone, account or document)"
            }
        }
    }

    /// The first kind of personal data found in `text`, or `nil`.
    public static func finding(in text: String, birthYearBefore: Int) -> Finding? {
        // Everything refused holds a digit or an '@': most notes are done in one pass, unallocated.
        guard mayHoldFinding(text) else { return nil }
        let bytes = normalised(text)
        if hasEmail(bytes) { return .emailAddress }
        if let token = documentFinding(bytes) { return token }
        return numberFinding(bytes, birthYearBefore: birthYearBefore)
    }

    /// Whether `text` holds a digit, an '@' or a non-ASCII byte (a folded digit or '@'), read
    /// eight bytes at a time.
    static func mayHoldFinding(_ text: String) -> Bool {
        func suspect(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: "@") || byte >= 0x80 }
        let scanned = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard let base = bytes.baseAddress else { return false }
            var index = 0
            while index + 8 <= bytes.count {
                let word = WordScan.word(base, index)
                if WordScan.anyDigit(word) || WordScan.anyEqual(word, UInt8(ascii: "@")) || WordScan.anyNonASCII(word) { return true }
                index += 8
            }
            return bytes[index...].contains(where: suspect)
        }
        return scanned ?? text.utf8.contains(where: suspect)
    }

    // MARK: - Normalisation

    /// ASCII bytes with Arabic-Indic digits folded to `0-9`, other non-ASCII as a space-like 0x80.
    private static func normalised(_ text: String) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(text.utf8.count)
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return Array(text.utf8) }
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0..<0x80: result.append(UInt8(scalar.value))
            case 0x0660...0x0669: result.append(UInt8(ascii: "0") + UInt8(scalar.value - 0x0660))
            case 0x06F0...0x06F9: result.append(UInt8(ascii: "0") + UInt8(scalar.value - 0x06F0))
            case 0xFF10...0xFF19: result.append(UInt8(ascii: "0") + UInt8(scalar.value - 0xFF10))
            case 0xFF20: result.append(UInt8(ascii: "@"))
            case 0x00A0, 0x202F: result.append(UInt8(ascii: " "))
            case 0xE8...0xEB: result.append(UInt8(ascii: "e"))
            case 0xC8...0xCB: result.append(UInt8(ascii: "E"))
            default: result.append(0x80)
            }
        }
        return result
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- UInt8(ascii: "a") < 26 }
    private static func isAlphanumeric(_ byte: UInt8) -> Bool { Identifier.isASCIIDigit(byte) || isLetter(byte) }

    // MARK: - E-mail

    private static func hasEmail(_ bytes: [UInt8]) -> Bool {
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "@") {
            guard index > 0, isAlphanumeric(bytes[index - 1]) || bytes[index - 1] == UInt8(ascii: ".") || bytes[index - 1] == UInt8(ascii: "_") else { continue }
            var end = index + 1
            var sawDot = false
            var lettersAfterDot = 0
            while end < bytes.count, isAlphanumeric(bytes[end]) || bytes[end] == UInt8(ascii: ".") || bytes[end] == UInt8(ascii: "-") {
                if bytes[end] == UInt8(ascii: ".") { sawDot = true; lettersAfterDot = 0 } else if sawDot, isLetter(bytes[end]) { lettersAfterDot += 1 }
                end += 1
            }
            if sawDot, lettersAfterDot >= 2 { return true }
        }
        return false
    }

    // MARK: - Tokens: CIN, passport, IBAN

    /// Words of letters and digits, compared by shape.
    private static func documentFinding(_ bytes: [UInt8]) -> Finding? {
        var start = 0
        while start < bytes.count {
            guard isAlphanumeric(bytes[start]) else { start += 1; continue }
            var end = start
            while end < bytes.count, isAlphanumeric(bytes[end]) { end += 1 }
            if let finding = tokenFinding(bytes[start..<end]) { return finding }
            if let finding = ibanFinding(bytes, from: start) { return finding }
            start = end
        }
        return nil
    }

    private static func tokenFinding(_ token: ArraySlice<UInt8>) -> Finding? {
        let letters = token.prefix(while: isLetter).count
        let digits = token.count - letters
        guard letters >= 1, letters <= 3, digits >= 4, token.dropFirst(letters).allSatisfy(Identifier.isASCIIDigit) else { return nil }
        if letters <= 2, digits <= 6 { return .nationalIdentityCard }
        if digits >= 6, digits <= 9 { return .passportNumber }
        return nil
    }

    /// Two letters, two digits, then at least 11 letters or digits, in groups separated by single spaces.
    private static func ibanFinding(_ bytes: [UInt8], from start: Int) -> Finding? {
        guard start + 4 <= bytes.count, isLetter(bytes[start]), isLetter(bytes[start + 1]),
              Identifier.isASCIIDigit(bytes[start + 2]), Identifier.isASCIIDigit(bytes[start + 3])
        else { return nil }
        var index = start + 4
        var count = 0
        while index < bytes.count {
            if isAlphanumeric(bytes[index]) {
                count += 1
            } else if bytes[index] == UInt8(ascii: " "), index + 1 < bytes.count, isAlphanumeric(bytes[index + 1]) {
                // a grouping space
            } else {
                break
            }
            index += 1
        }
        return count >= 11 ? .iban : nil
    }

    // MARK: - Numbers and dates

    private static let birthWords: [[UInt8]] = ["born", "nee", "ne le", "ne en", "naissance", "birth", "dob", "nacido", "nacida", "nacimiento"]
        .map { Array($0.utf8) }

    /// Runs of digits joined by single separators (` .-/()`), read as a date or a number.
    private static func numberFinding(_ bytes: [UInt8], birthYearBefore: Int) -> Finding? {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard Identifier.isASCIIDigit(byte) || (byte == UInt8(ascii: "+") && index + 1 < bytes.count && Identifier.isASCIIDigit(bytes[index + 1])) else {
                index += 1
                continue
            }
            let plus = byte == UInt8(ascii: "+")
            let start = index
            if plus { index += 1 }
            var groups: [[UInt8]] = [[]]
            var separators: [UInt8] = []
            while index < bytes.count {
                let current = bytes[index]
                if Identifier.isASCIIDigit(current) {
                    groups[groups.count - 1].append(current)
                    index += 1
                } else if [UInt8(ascii: " "), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "("), UInt8(ascii: ")")].contains(current),
                          index + 1 < bytes.count, Identifier.isASCIIDigit(bytes[index + 1]) || (bytes[index + 1] == UInt8(ascii: "(") && index + 2 < bytes.count && Identifier.isASCIIDigit(bytes[index + 2])) {
                    separators.append(current)
                    groups.append([])
                    index += 1
                } else {
                    break
                }
            }
            groups.removeAll { $0.isEmpty }
            // A run glued to letters is a document token, judged elsewhere.
            let digits = groups.reduce(0) { $0 + $1.count }
            if let date = dateYear(groups, separators, birthYearBefore: birthYearBefore) {
                if date < birthYearBefore || followsBirthWord(bytes, before: start) { return .birthDate }
            } else if plus, digits >= 8 {
                return .phoneNumber
            } else if let first = groups.first, digits >= 8 {
                if first.starts(with: Array("00".utf8)) || (first.first == UInt8(ascii: "0") && digits == 10) { return .phoneNumber }
                // 8 digits in groups are often a code (`2026-0042`); 9 or more read as a number to refuse.
                if digits >= 9 { return .longNumber }
            } else if groups.count == 1, digits == 4, let year = Int(String(decoding: groups[0], as: UTF8.self)),
                      (1900..<birthYearBefore).contains(year), followsBirthWord(bytes, before: start) {
                return .birthDate
            }
        }
        return nil
    }

    /// The year of `d/m/y`, `d-m-y`, `d.m.y` or `y-m-d` digit groups, or `nil` if they are not a date.
    private static func dateYear(_ groups: [[UInt8]], _ separators: [UInt8], birthYearBefore: Int) -> Int? {
        guard groups.count == 3, separators.count >= 2, separators[0] != UInt8(ascii: " ") else { return nil }
        let numbers = groups.map { Int(String(decoding: $0, as: UTF8.self)) ?? -1 }
        if groups[0].count == 4, groups[1].count <= 2, groups[2].count <= 2, (1...12).contains(numbers[1]), (1...31).contains(numbers[2]) {
            return numbers[0]
        }
        if groups[0].count <= 2, groups[1].count <= 2, groups[2].count == 4 || groups[2].count == 2,
           (1...31).contains(numbers[0]), (1...31).contains(numbers[1]), numbers[0] <= 12 || numbers[1] <= 12 {
            if groups[2].count == 4 { return numbers[2] }
            // A two-digit year is this century unless that would be in the future.
            return 2000 + numbers[2] <= birthYearBefore + 1 ? 2000 + numbers[2] : 1900 + numbers[2]
        }
        return nil
    }

    /// Whether one of the birth words ends within the 12 bytes before `index`.
    private static func followsBirthWord(_ bytes: [UInt8], before index: Int) -> Bool {
        let window = bytes[max(0, index - 14)..<index].map { isLetter($0) ? $0 | 0x20 : $0 }
        return birthWords.contains { word in
            guard window.count >= word.count else { return false }
            for start in 0...(window.count - word.count) where window[start..<(start + word.count)].elementsEqual(word) { return true }
            return false
        }
    }
}
