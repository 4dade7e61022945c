import Foundation

extension Payload {
    /// Reads a referral or status body in one pass over its bytes, without building JSON values
    /// or field dictionaries: only the protocol's keys of each object, each once; strings without
    /// escapes; no numbers. The typed value it yields passes the same `validate(at:)` as the full
    /// decoder's. Returns `nil` for anything else, valid or not (another kind, an unknown key, a
    /// value the rules refuse), so that the full decoder decides and names the error: whatever
    /// this accepts, ``MessageCodec``'s full path accepts with the same value (proven by the
    /// mutation test in `BodyQuickScanTests`).
    static func quickScan(kind: MessageKind, body: UnsafeBufferPointer<UInt8>) -> Payload? {
        var reader = BodyReader(bytes: body)
        let payload: Payload?
        switch kind {
        case .referral: payload = reader.referral().map(Payload.referral)
        case .referralStatus: payload = reader.statusUpdate().map(Payload.referralStatus)
        default: return nil
        }
        reader.skipWhitespace()
        guard reader.isAtEnd else { return nil }
        return payload
    }
}

/// The byte cursor of ``Payload/quickScan(kind:body:)``; every method returns `nil` (or
/// `false`) where the full decoder must decide.
private struct BodyReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var isAtEnd: Bool { index >= bytes.count }

    /// A member's value as far as the readers below care.
    enum Scalar {
        /// `null`: the same as absent for the full decoder's fields.
        case null
        case string(String)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// A string token without escapes: its bytes' range, and whether they are all ASCII.
    mutating func rawString() -> (range: Range<Int>, ascii: Bool)? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        let start = index
        var ascii = true
        // Eight bytes at a time up to the word holding the closing quote (or an escape, a control
        // character): the byte loop below reads that word.
        if let base = bytes.baseAddress {
            while index + 8 <= bytes.count {
                let word = WordScan.word(base, index)
                if WordScan.anyEqual(word, UInt8(ascii: "\"")) || WordScan.anyEqual(word, UInt8(ascii: "\\"))
                    || WordScan.anyBelow(word, 0x20) { break }
                if WordScan.anyNonASCII(word) { ascii = false }
                index += 8
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return (start..<index - 1, ascii)
            }
            // Escapes and control characters: the full parser's business.
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        return nil
    }

    /// A string value, decoded as the full parser decodes it (invalid UTF-8: `nil`).
    mutating func string() -> String? {
        guard let (range, ascii) = rawString() else { return nil }
        let slice = UnsafeBufferPointer(rebasing: bytes[range])
        return ascii ? String(decoding: slice, as: UTF8.self) : String(validating: slice, as: UTF8.self)
    }

    /// A string or `null`.
    mutating func scalar() -> Scalar? {
        skipWhitespace()
        if index + 4 <= bytes.count, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
           bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l") {
            index += 4
            return .null
        }
        return string().map(Scalar.string)
    }

    /// Consumes `null` if it is next (and nothing else: a string after it is read once, by its reader).
    mutating func null() -> Bool {
        skipWhitespace()
        return match("null")
    }

    mutating func bool() -> Bool? {
        skipWhitespace()
        if match("true") { return true }
        if match("false") { return false }
        return nil
    }

    private mutating func match(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// An array of codes of an open vocabulary (see ``openCode(_:)``).
    mutating func openCodes<Value: CodedValue>(_ table: CodeTable<Value>) -> [Value]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var result: [Value] = []
        if consume(UInt8(ascii: "]")) { return result }
        repeat {
            guard let element = openCode(table) else { return nil }
            result.append(element)
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "]")) else { return nil }
        return result
    }

    /// A code of an open vocabulary: a listed one is the table's own value (no string made),
    /// any other string becomes a code as the full decoder makes it.
    mutating func openCode<Value: CodedValue>(_ table: CodeTable<Value>) -> Value? {
        guard let (range, ascii) = rawString() else { return nil }
        let slice = UnsafeBufferPointer(rebasing: bytes[range])
        if ascii, let known = table.value(for: slice) { return known }
        guard let string = ascii ? String(decoding: slice, as: UTF8.self) : String(validating: slice, as: UTF8.self) else { return nil }
        return Value(rawValue: string)
    }

    /// A code of a closed vocabulary (an enum): any other string gives up, for the full
    /// decoder to name.
    mutating func closedCode<Value>(_ table: CodeTable<Value>) -> Value? {
        guard let (range, ascii) = rawString(), ascii else { return nil }
        return table.value(for: UnsafeBufferPointer(rebasing: bytes[range]))
    }

    /// Reads an object whose keys are among `keys`, each at most once; `member` reads the value
    /// of the key at the given index and returns `false` to give up.
    mutating func object(keys: [StaticString], _ member: (inout BodyReader, Int) -> Bool) -> Bool {
        guard consume(UInt8(ascii: "{")) else { return false }
        if consume(UInt8(ascii: "}")) { return true }
        var seen: UInt32 = 0
        repeat {
            guard let (range, ascii) = rawString(), ascii, let key = Self.index(of: range, in: bytes, among: keys) else { return false }
            // A duplicate key is refused by the full parser.
            guard seen & (1 << key) == 0 else { return false }
            seen |= 1 << key
            guard consume(UInt8(ascii: ":")), member(&self, key) else { return false }
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "}"))
    }

    private static func index(of range: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>, among keys: [StaticString]) -> Int? {
        for (index, key) in keys.enumerated() where key.utf8CodeUnitCount == range.count {
            if memcmp(bytes.baseAddress! + range.lowerBound, key.utf8Start, range.count) == 0 { return index }
        }
        return nil
    }
}

// MARK: - Referral

extension BodyReader {
    private static let referralKeys: [StaticString] = [
        "referralId", "caseReference", "referringAgency", "referringWorker", "receivingAgency", "category", "priority",
        "reasonCodes", "note", "consent", "acknowledgeBy", "decideBy", "followUpOn", "subject",
    ]
    private static let consentKeys: [StaticString] = ["status", "overrideReason", "scope", "recordedBy", "recordedAt"]
    private static let subjectKeys: [StaticString] = ["ageBand", "language", "needsFlags"]
    private static let categories = CodeTable<ServiceCategory>.known
    private static let priorities = CodeTable<Priority>.cases
    private static let reasonCodes = CodeTable<Referral.ReasonCode>.known
    private static let scopes = CodeTable<Referral.Consent.Scope>.known
    private static let consentStatuses = CodeTable<Referral.Consent.Status>.cases
    private static let overrideReasons = CodeTable<Referral.Consent.OverrideReason>.cases
    private static let ageBands = CodeTable<Referral.Subject.AgeBand>.cases
    private static let needsFlags = CodeTable<Referral.Subject.NeedsFlag>.known

    /// Assigns a string member, `null` leaving it absent.
    private mutating func text(_ target: inout String?) -> Bool {
        guard let value = scalar() else { return false }
        if case .string(let string) = value { target = string }
        return true
    }

    /// Assigns a member read from its string's bytes (an id, a time: ASCII, parsed as the full
    /// decoder parses the same string), `null` leaving it absent; a value `parse` refuses gives up.
    private mutating func parsed<Value>(_ target: inout Value?, _ parse: (UnsafeBufferPointer<UInt8>) -> Value?) -> Bool {
        if null() { return true }
        guard let (range, _) = rawString(), let value = parse(UnsafeBufferPointer(rebasing: bytes[range])) else { return false }
        target = value
        return true
    }

    /// Assigns a list of open codes, `null` leaving it absent.
    mutating func list<Value: CodedValue>(_ target: inout [Value]?, _ table: CodeTable<Value>) -> Bool {
        if null() { return true }
        guard let value = openCodes(table) else { return false }
        target = value
        return true
    }

    /// Assigns an open code, `null` leaving it absent.
    mutating func code<Value: CodedValue>(_ target: inout Value?, _ table: CodeTable<Value>) -> Bool {
        if null() { return true }
        guard let value = openCode(table) else { return false }
        target = value
        return true
    }

    /// Assigns a closed code, `null` leaving it absent.
    mutating func code<Value>(_ target: inout Value?, closed table: CodeTable<Value>) -> Bool {
        if null() { return true }
        guard let value = closedCode(table) else { return false }
        target = value
        return true
    }

    mutating func referral() -> Referral? {
        var caseReference, referringAgency, referringWorker, receivingAgency, note: String?
        var category: ServiceCategory?
        var priority: Priority?
        var referralId: UUID?
        var acknowledgeBy, decideBy, followUpOn: Date?
        var reasonCodes: [Referral.ReasonCode]?
        var consent: Referral.Consent?
        var subject: Referral.Subject?
        let read = object(keys: Self.referralKeys) { reader, key in
            switch key {
            case 0: return reader.parsed(&referralId, Identifier.uuid(bytes:))
            case 1: return reader.text(&caseReference)
            case 2: return reader.text(&referringAgency)
            case 3: return reader.text(&referringWorker)
            case 4: return reader.text(&receivingAgency)
            case 5: return reader.code(&category, Self.categories)
            case 6: return reader.code(&priority, closed: Self.priorities)
            case 7: return reader.list(&reasonCodes, Self.reasonCodes)
            case 8: return reader.text(&note)
            case 9:
                if reader.null() { return true }
                guard let value = reader.consent() else { return false }
                consent = value
                return true
            case 10: return reader.parsed(&acknowledgeBy, Timestamp.parse(bytes:))
            case 11: return reader.parsed(&decideBy, Timestamp.parse(bytes:))
            case 12: return reader.parsed(&followUpOn, Timestamp.parse(bytes:))
            default:
                if reader.null() { return true }
                guard let value = reader.subject() else { return false }
                subject = value
                return true
            }
        }
        guard read, let referralId, let caseReference, let referringAgency, let referringWorker,
              let category, let priority, let reasonCodes, let consent,
              let acknowledgeBy, let decideBy, let followUpOn
        else { return nil }
        let referral = Referral(
            referralId: referralId, caseReference: caseReference, referringAgency: referringAgency,
            referringWorker: referringWorker, receivingAgency: receivingAgency, category: category,
            priority: priority, reasonCodes: reasonCodes, note: note,
            consent: consent, acknowledgeBy: acknowledgeBy, decideBy: decideBy, followUpOn: followUpOn, subject: subject)
        do {
            try referral.validate(at: "body")
        } catch {
            return nil
        }
        return referral
    }

    private mutating func consent() -> Referral.Consent? {
        var recordedBy: String?
        var status: Referral.Consent.Status?
        var overrideReason: Referral.Consent.OverrideReason?
        var recordedAt: Date?
        var scope: [Referral.Consent.Scope]?
        let read = object(keys: Self.consentKeys) { reader, key in
            switch key {
            case 0: return reader.code(&status, closed: Self.consentStatuses)
            case 1: return reader.code(&overrideReason, closed: Self.overrideReasons)
            case 2: return reader.list(&scope, Self.scopes)
            case 3: return reader.text(&recordedBy)
            default: return reader.parsed(&recordedAt, Timestamp.parse(bytes:))
            }
        }
        guard read, let status, let scope, let recordedBy, let recordedAt else { return nil }
        return Referral.Consent(status: status, overrideReason: overrideReason, scope: scope, recordedBy: recordedBy, recordedAt: recordedAt)
    }

    private mutating func subject() -> Referral.Subject? {
        var language: String?
        var ageBand: Referral.Subject.AgeBand?
        var needsFlags: [Referral.Subject.NeedsFlag]?
        let read = object(keys: Self.subjectKeys) { reader, key in
            switch key {
            case 0: return reader.code(&ageBand, closed: Self.ageBands)
            case 1: return reader.text(&language)
            default: return reader.list(&needsFlags, Self.needsFlags)
            }
        }
        guard read else { return nil }
        return Referral.Subject(ageBand: ageBand, language: language, needsFlags: needsFlags ?? [])
    }
}

// MARK: - Status update

extension BodyReader {
    private static let statusKeys: [StaticString] = [
        "referralId", "state", "previousState", "changedBy", "changedAt", "reason", "suggestedAlternative", "outcome", "note",
    ]
    private static let outcomeKeys: [StaticString] = ["successful", "code"]
    private static let states = CodeTable<ReferralState>.cases
    private static let reasons = CodeTable<ReferralStatusUpdate.Reason>.cases
    private static let outcomeCodes = CodeTable<ReferralStatusUpdate.Outcome.Code>.known

    mutating func statusUpdate() -> ReferralStatusUpdate? {
        var changedBy, suggestedAlternative, note: String?
        var state, previousState: ReferralState?
        var reason: ReferralStatusUpdate.Reason?
        var referralId: UUID?
        var changedAt: Date?
        var outcome: ReferralStatusUpdate.Outcome?
        let read = object(keys: Self.statusKeys) { reader, key in
            switch key {
            case 0: return reader.parsed(&referralId, Identifier.uuid(bytes:))
            case 1: return reader.code(&state, closed: Self.states)
            case 2: return reader.code(&previousState, closed: Self.states)
            case 3: return reader.text(&changedBy)
            case 4: return reader.parsed(&changedAt, Timestamp.parse(bytes:))
            case 5: return reader.code(&reason, closed: Self.reasons)
            case 6: return reader.text(&suggestedAlternative)
            case 7:
                if reader.null() { return true }
                guard let value = reader.outcome() else { return false }
                outcome = value
                return true
            default: return reader.text(&note)
            }
        }
        guard read, let referralId, let state, let previousState, let changedBy, let changedAt else { return nil }
        let update = ReferralStatusUpdate(
            referralId: referralId, state: state, previousState: previousState, changedBy: changedBy, changedAt: changedAt,
            reason: reason, suggestedAlternative: suggestedAlternative, outcome: outcome, note: note)
        do {
            try update.validate(at: "body")
        } catch {
            return nil
        }
        return update
    }

    private mutating func outcome() -> ReferralStatusUpdate.Outcome? {
        var successful: Bool?
        var code: ReferralStatusUpdate.Outcome.Code?
        var absentSuccess = false
        let read = object(keys: Self.outcomeKeys) { reader, key in
            switch key {
            case 0:
                if reader.null() {
                    absentSuccess = true
                    return true
                }
                guard let value = reader.bool() else { return false }
                successful = value
                return true
            default: return reader.code(&code, Self.outcomeCodes)
            }
        }
        guard read, !absentSuccess, let successful, let code else { return nil }
        return ReferralStatusUpdate.Outcome(successful: successful, code: code)
    }
}
