import Foundation
import Testing
@testable import TansiqMessages

/// Each class of bad input gives one precise error: a code and a key path.
@Suite struct CodecErrorTests {
    static func frames() throws -> [[UInt8]] { try Fixtures.referralFrames() }

    /// The typical referral with its JSON frame `index` (1 header, 2 body) edited.
    static func editing(_ index: Int, _ edit: (inout [String: JSONValue]) -> Void) throws -> [[UInt8]] {
        var frames = try frames()
        guard case .object(var members) = try JSONParser.parse(frames[index], root: "") else {
            preconditionFailure("fixture frame is not an object")
        }
        edit(&members)
        frames[index] = JSONValue.object(members).serialized
        return frames
    }

    /// `frames` declared as a newer minor version, whose extra keys are not refused as unknown.
    static func newerMinor(_ frames: [[UInt8]]) throws -> [[UInt8]] {
        var frames = frames
        guard case .object(var members) = try JSONParser.parse(frames[1], root: "") else { preconditionFailure("no header") }
        members["specversion"] = .string("1.9")
        frames[1] = JSONValue.object(members).serialized
        return frames
    }

    static func editingConsent(_ edit: (inout [String: JSONValue]) -> Void) throws -> [[UInt8]] {
        try editing(2) { body in
            guard case .object(var consent)? = body["consent"] else { preconditionFailure("no consent") }
            edit(&consent)
            body["consent"] = .object(consent)
        }
    }

    static func expectError(
        _ frames: [[UInt8]],
        _ code: ProtocolError.Code,
        at keyPath: String?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> ProtocolError? {
        let error = #expect(throws: ProtocolError.self, sourceLocation: sourceLocation) { try MessageCodec.decode(frames) }
        #expect(error?.code == code, "\(error.map(String.init(describing:)) ?? "")", sourceLocation: sourceLocation)
        #expect(error?.keyPath == keyPath, "\(error.map(String.init(describing:)) ?? "")", sourceLocation: sourceLocation)
        return error
    }

    // MARK: - Frames

    @Test func twoFramesAreMalformed() throws {
        let error = Self.expectError(Array(try Self.frames().prefix(2)), .malformedFrames, at: nil)
        #expect(error?.message == "expected 3 frames (topic, header, body) or 4 (with the hub's stamp), got 2")
    }

    @Test func fiveFramesAreMalformed() throws {
        _ = Self.expectError(try Self.frames() + [[], []], .malformedFrames, at: nil)
    }

    @Test func anOversizedBodyIsTooLarge() throws {
        var frames = try Self.frames()
        frames[2] = Array(repeating: UInt8(ascii: " "), count: MessageCodec.maximumBodySize + 1)
        _ = Self.expectError(frames, .tooLarge, at: "body")
    }

    @Test func anOversizedHeaderIsTooLarge() {
        let error = #expect(throws: ProtocolError.self) {
            try MessageCodec.decodeHeader(Array(repeating: UInt8(ascii: " "), count: 4097))
        }
        #expect(error?.code == .tooLarge)
        #expect(error?.keyPath == "header")
    }

    // MARK: - JSON syntax

    @Test func truncatedBodyIsTruncated() throws {
        var frames = try Self.frames()
        frames[2] = Array(frames[2].prefix(frames[2].count / 2))
        let error = Self.expectError(frames, .truncated, at: "body.note")
        #expect(error?.message.contains("input ends at byte") == true)
    }

    @Test func truncatedHeaderIsTruncated() throws {
        var frames = try Self.frames()
        frames[1].removeLast()
        _ = Self.expectError(frames, .truncated, at: "header")
    }

    @Test func emptyHeaderIsTruncated() throws {
        var frames = try Self.frames()
        frames[1] = []
        _ = Self.expectError(frames, .truncated, at: "header")
    }

    @Test func trailingCommaIsInvalidJSON() throws {
        var frames = try Self.frames()
        frames[2].insert(UInt8(ascii: ","), at: frames[2].count - 1)
        let error = Self.expectError(frames, .invalidJSON, at: "body")
        #expect(error?.message.contains("expected a key string") == true)
    }

    @Test func invalidUTF8InAStringIsInvalidJSON() throws {
        var frames = try Self.frames()
        let note = Array("female".utf8)
        let start = try #require(frames[2].firstRange(of: note)).lowerBound
        frames[2][start] = 0xFF
        let error = Self.expectError(frames, .invalidJSON, at: "body.note")
        #expect(error?.message.contains("not valid UTF-8") == true)
    }

    @Test func aDuplicateKeyIsInvalidJSON() throws {
        var frames = try Self.frames()
        frames[1].removeLast()
        frames[1] += Array(#","source":"commune-agadir"}"#.utf8)
        let error = Self.expectError(frames, .invalidJSON, at: "header.source")
        #expect(error?.message == "duplicate key 'source'")
    }

    @Test func deepNestingIsRefusedWithoutRecursingFurther() throws {
        var frames = try Self.frames()
        frames[2].removeLast()
        frames[2] += Array(#","extra":"#.utf8) + Array(repeating: UInt8(ascii: "["), count: 100_000)
        let error = Self.expectError(frames, .tooLarge, at: "body")
        #expect(error != nil)
        frames[2] = Array(#"{"extra":"#.utf8) + Array(repeating: UInt8(ascii: "["), count: 5000)
        _ = Self.expectError(try Self.newerMinor(frames), .invalidJSON, at: "body.extra[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]")
    }

    @Test func aLoneSurrogateIsInvalidJSON() throws {
        let frames = try Self.editing(2) { $0["note"] = .string("x") }
        var bytes = frames[2]
        let range = try #require(bytes.firstRange(of: Array(#""note":"x""#.utf8)))
        bytes.replaceSubrange(range, with: Array(#""note":"\ud800x""#.utf8))
        _ = Self.expectError([frames[0], frames[1], bytes], .invalidJSON, at: "body.note")
    }

    // MARK: - Types and fields

    @Test func aNumberWhereAStringBelongsIsAWrongType() throws {
        let error = Self.expectError(try Self.editing(2) { $0["caseReference"] = .number("42") }, .wrongType, at: "body.caseReference")
        #expect(error?.message == "expected a string, found a number")
    }

    @Test func aStringWhereAnArrayBelongsIsAWrongType() throws {
        _ = Self.expectError(try Self.editing(2) { $0["reasonCodes"] = .string("vaccination") }, .wrongType, at: "body.reasonCodes")
    }

    @Test func aBodyThatIsAnArrayIsAWrongType() throws {
        var frames = try Self.frames()
        frames[2] = Array("[]".utf8)
        _ = Self.expectError(frames, .wrongType, at: "body")
    }

    @Test func aMissingRequiredFieldIsNamed() throws {
        let error = Self.expectError(try Self.editing(2) { $0["decideBy"] = nil }, .missingField, at: "body.decideBy")
        #expect(error?.message == "required field 'decideBy' is missing")
    }

    @Test func aNullRequiredFieldIsMissing() throws {
        _ = Self.expectError(try Self.editing(1) { $0["source"] = .null }, .missingField, at: "header.source")
    }

    @Test func aMissingNestedFieldHasTheFullKeyPath() throws {
        _ = Self.expectError(try Self.editingConsent { $0["recordedAt"] = nil }, .missingField, at: "body.consent.recordedAt")
    }

    @Test func aTimeWithoutZIsInvalid() throws {
        let error = Self.expectError(
            try Self.editing(1) { $0["time"] = .string("2026-11-29T09:30:00.000+01:00") },
            .invalidValue,
            at: "header.time"
        )
        #expect(error?.message.contains("RFC 3339 UTC") == true)
    }

    @Test func anUppercaseUUIDIsInvalid() throws {
        _ = Self.expectError(
            try Self.editing(1) { $0["id"] = .string("5C7E9A1B-3D5F-4A7C-9E1B-3D5F7A9C1E3B") },
            .invalidValue,
            at: "header.id"
        )
    }

    @Test func anUnknownPriorityNamesTheAllowedValues() throws {
        let error = Self.expectError(try Self.editing(2) { $0["priority"] = .string("high") }, .invalidValue, at: "body.priority")
        #expect(error?.message == "the value is not one of 'routine', 'urgent', 'asap', 'stat'")
    }

    @Test func aHugeNumberIsRefusedNotTrapped() throws {
        var frames = try Fixtures.referralFrames()
        let envelope = try Fixtures.goldenMessages().first { $0.name == "presence" }!.envelope
        frames = try MessageCodec.encode(envelope)
        guard case .object(var body) = try JSONParser.parse(frames[2], root: "") else { return }
        body["uptimeSeconds"] = .number("18446744073709551616")
        frames[2] = JSONValue.object(body).serialized
        let error = Self.expectError(frames, .invalidValue, at: "body.uptimeSeconds")
        #expect(error?.message.contains("larger than 18446744073709551615") == true)
        body["uptimeSeconds"] = .number("1e3")
        frames[2] = JSONValue.object(body).serialized
        _ = Self.expectError(frames, .invalidValue, at: "body.uptimeSeconds")
        body["uptimeSeconds"] = .number("-1")
        frames[2] = JSONValue.object(body).serialized
        _ = Self.expectError(frames, .invalidValue, at: "body.uptimeSeconds")
    }

    @Test func unknownFieldsOfANewerMinorVersionAreIgnored() throws {
        let frames = try Self.newerMinor(try Self.editing(2) { $0["interpreterBooked"] = .bool(true) })
        let withExtraHeader = try Self.newerMinor(try Self.editing(1) { $0["traceparent"] = .string("00-abc") })
        var expected = try Fixtures.goldenMessages()[0].envelope
        expected.header.specversion = ProtocolVersion(major: 1, minor: 9)
        #expect(try MessageCodec.decode(frames).envelope == expected)
        #expect(try MessageCodec.decode([frames[0], withExtraHeader[1], frames[2]]).envelope == expected)
    }

    @Test func unknownFieldsOfAKnownVersionAreRefused() throws {
        let body = Self.expectError(try Self.editing(2) { $0["interpreterBooked"] = .bool(true) }, .unknownField, at: "body.interpreterBooked")
        #expect(body?.message.contains("defines no such key") == true)
        let nested = try Self.editing(2) { body in
            guard case .object(var consent)? = body["consent"] else { return }
            consent["witness"] = .string("x")
            body["consent"] = .object(consent)
        }
        _ = Self.expectError(nested, .unknownField, at: "body.consent.witness")
        _ = Self.expectError(try Self.editing(1) { $0["traceparent"] = .string("00-abc") }, .unknownField, at: "header.traceparent")
    }

    // MARK: - Version and kind

    @Test func anUnknownMajorVersionIsUnsupported() throws {
        let error = Self.expectError(try Self.editing(1) { $0["specversion"] = .string("2.0") }, .unsupportedVersion, at: "header.specversion")
        #expect(error?.message == "protocol version 2.0 is not supported; this implementation speaks 1.x")
    }

    @Test func aHigherMinorVersionIsAccepted() throws {
        let decoded = try MessageCodec.decode(try Self.editing(1) { $0["specversion"] = .string("1.7") })
        #expect(decoded.envelope.header.specversion == ProtocolVersion(major: 1, minor: 7))
    }

    @Test func aVersionThatIsNotMajorDotMinorIsInvalid() throws {
        _ = Self.expectError(try Self.editing(1) { $0["specversion"] = .string("1") }, .invalidValue, at: "header.specversion")
    }

    @Test func anUnknownKindDecodesInTheHeaderButNotAsAMessage() throws {
        let frames = try Self.editing(1) { $0["type"] = .string("referral.v2") }
        let header = try MessageCodec.decodeHeader(frames[1])
        #expect(header.type.isKnown == false)
        _ = Self.expectError(frames, .unknownKind, at: "header.type")
    }

    @Test func aKindOnTheWrongTopicIsAMismatch() throws {
        var frames = try Self.frames()
        frames[0] = Array("service/health/iom-agadir".utf8)
        let error = Self.expectError(frames, .kindTopicMismatch, at: "topic")
        #expect(error?.message == "a 'referral' message may not be published on 'service/health/iom-agadir'; service/<category>/<agency> carries 'service.status'")
    }

    @Test func aMalformedTopicFrameIsRefused() throws {
        var frames = try Self.frames()
        frames[0] = Array("referral/to/Health/health".utf8)
        _ = Self.expectError(frames, .malformedTopic, at: "topic")
    }

    // MARK: - Referral rules

    @Test func aReferralWithoutConsentIsRefused() throws {
        let error = Self.expectError(try Self.editing(2) { $0["consent"] = nil }, .missingConsent, at: "body.consent")
        #expect(error?.message == "a referral without the person's consent is refused")
    }

    @Test func anOverriddenConsentNeedsItsReason() throws {
        _ = Self.expectError(
            try Self.editingConsent { $0["status"] = .string("overridden") },
            .missingField,
            at: "body.consent.overrideReason"
        )
    }

    @Test func aConsentThatDoesNotCoverTheReceiverIsRefused() throws {
        let error = Self.expectError(
            try Self.editingConsent { $0["scope"] = .array([.string("share-with-coordinator")]) },
            .missingConsent,
            at: "body.consent.scope"
        )
        #expect(error?.message.contains("'share-with-receiver'") == true)
    }

    @Test(arguments: ["name", "firstName", "last_name", "fullName", "birthDate", "dateOfBirth", "phone", "email", "address", "passport", "documentNumber", "DOB", "whatsappNumber"])
    func aPersonalDataKeyAnywhereIsRefused(key: String) throws {
        let top = Self.expectError(try Self.editing(2) { $0[key] = .string("x") }, .personalData, at: "body.\(key)")
        #expect(top?.message.contains("may never appear on the bus") == true)
        let nested = try Self.editing(2) { body in
            guard case .object(var subject)? = body["subject"] else { return }
            subject["extra"] = .array([.object([key: .string("x")])])
            body["subject"] = .object(subject)
        }
        _ = Self.expectError(try Self.newerMinor(nested), .personalData, at: "body.subject.extra[0].\(key)")
        _ = Self.expectError(try Self.editing(1) { $0[key] = .null }, .personalData, at: "header.\(key)")
    }

    @Test func aNoteLongerThan280CharactersIsTooLong() throws {
        let error = Self.expectError(
            try Self.editing(2) { $0["note"] = .string(String(repeating: "é", count: 281)) },
            .tooLong,
            at: "body.note"
        )
        #expect(error?.message == "281 characters, at most 280")
        #expect(try MessageCodec.decode(try Self.editing(2) { $0["note"] = .string(String(repeating: "é", count: 280)) }).envelope.payload.referralID != nil)
    }

    @Test func aCaseReferenceThatLooksLikeANameIsRefused() throws {
        _ = Self.expectError(try Self.editing(2) { $0["caseReference"] = .string("Aminata Diallo") }, .invalidValue, at: "body.caseReference")
    }

    @Test func aReferralAddressedToAnotherAgencyThanItsTopicIsAMismatch() throws {
        _ = Self.expectError(
            try Self.editing(2) { $0["receivingAgency"] = .string("education-delegation") },
            .bodyTopicMismatch,
            at: "body.receivingAgency"
        )
    }

    @Test func aReferralSentInAnotherAgencysNameIsASenderMismatch() throws {
        _ = Self.expectError(try Self.editing(1) { $0["source"] = .string("commune-agadir") }, .senderMismatch, at: "body.referringAgency")
    }

    @Test func aStatusUpdateFromAnotherAgencyThanItsTopicIsASenderMismatch() throws {
        let envelope = try Fixtures.goldenMessages().first { $0.name == "referral-status" }!.envelope
        var frames = try MessageCodec.encode(envelope)
        frames[1] = try Self.reencoded(frames[1]) { $0["source"] = .string("association-amal") }
        _ = Self.expectError(frames, .senderMismatch, at: "header.source")
    }

    @Test func aReferralMessageWithoutCorrelationIDIsRefused() throws {
        _ = Self.expectError(try Self.editing(1) { $0["correlationid"] = nil }, .missingField, at: "header.correlationid")
    }

    static func reencoded(_ frame: [UInt8], _ edit: (inout [String: JSONValue]) -> Void) throws -> [UInt8] {
        guard case .object(var members) = try JSONParser.parse(frame, root: "") else { return frame }
        edit(&members)
        return JSONValue.object(members).serialized
    }

    // MARK: - Stamp

    @Test func aStampWithSequenceZeroIsInvalid() {
        let error = #expect(throws: ProtocolError.self) {
            try MessageCodec.decodeStamp(Array(#"{"hub":"hub-agadir","seq":0,"topicSeq":1}"#.utf8))
        }
        #expect(error?.code == .invalidValue)
        #expect(error?.keyPath == "stamp.seq")
    }

    @Test func aStampWithANegativeSequenceIsInvalid() {
        let error = #expect(throws: ProtocolError.self) {
            try MessageCodec.decodeStamp(Array(#"{"hub":"hub-agadir","seq":-5,"topicSeq":1}"#.utf8))
        }
        #expect(error?.keyPath == "stamp.seq")
    }
}
