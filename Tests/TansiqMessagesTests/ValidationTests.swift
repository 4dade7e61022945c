import Foundation
import Testing
@testable import TansiqMessages

/// Rules of the bodies that are not JSON types, checked when encoding as when decoding.
@Suite struct ValidationTests {
    static func statusEnvelope(_ update: ReferralStatusUpdate, sender: String = "health-delegation-agadir") throws -> Envelope {
        let addressee = sender == "iom-agadir" ? "health-delegation-agadir" : "iom-agadir"
        return Envelope(
            topic: try .status(addressee: addressee, sender: sender, category: .health),
            source: sender, agent: "desk-1", payload: .referralStatus(update)
        )
    }

    static func encodingError(_ envelope: Envelope) -> ProtocolError? {
        #expect(throws: ProtocolError.self) { try MessageCodec.encode(envelope) }
    }

    @Test func aRejectionReasonDoesNotExplainACancellation() throws {
        var update = Fixtures.cancelled
        update.reason = .atCapacity
        let error = Self.encodingError(try Self.statusEnvelope(update, sender: "iom-agadir"))
        #expect(error?.code == .invalidValue)
        #expect(error?.keyPath == "body.reason")
        #expect(error?.message.contains("use one of 'withdrawn', 'no-response-by-deadline', 'assigned-elsewhere'") == true)
    }

    @Test func referredOnwardNamesTheAlternative() throws {
        var update = Fixtures.rejected
        update.suggestedAlternative = nil
        let error = Self.encodingError(try Self.statusEnvelope(update))
        #expect(error?.code == .missingField)
        #expect(error?.keyPath == "body.suggestedAlternative")
        #expect(try MessageCodec.decode(MessageCodec.encode(Self.statusEnvelope(Fixtures.rejected))).envelope.payload == .referralStatus(Fixtures.rejected))
    }

    @Test func completedNeedsAnOutcomeAndAcceptedHasNone() throws {
        var completed = Fixtures.completed
        completed.outcome = nil
        let missing = Self.encodingError(try Self.statusEnvelope(completed))
        #expect(missing?.code == .missingField)
        #expect(missing?.keyPath == "body.outcome")

        var accepted = Fixtures.accepted
        accepted.outcome = .init(successful: true, code: .serviceProvided)
        #expect(Self.encodingError(try Self.statusEnvelope(accepted))?.keyPath == "body.outcome")
    }

    @Test func availableCapacityCannotExceedTheMaximum() throws {
        var status = Fixtures.serviceStatus
        status.capacity.available = 30
        let envelope = Envelope(
            topic: try .service(category: .language, agency: "association-amal"),
            source: "association-amal", agent: "office", payload: .serviceStatus(status)
        )
        let error = Self.encodingError(envelope)
        #expect(error?.code == .invalidValue)
        #expect(error?.keyPath == "body.capacity.available")
    }

    @Test func aWaitlistGivesItsBand() throws {
        var status = Fixtures.serviceStatus
        status.waitlistBand = nil
        let envelope = Envelope(
            topic: try .service(category: .language, agency: "association-amal"),
            source: "association-amal", agent: "office", payload: .serviceStatus(status)
        )
        #expect(Self.encodingError(envelope)?.keyPath == "body.waitlistBand")
    }

    @Test func anEscalationReasonMatchesItsDeadline() throws {
        var escalation = Fixtures.escalation
        escalation.reason = .noDecision
        let envelope = Envelope(
            topic: try .escalation(referrer: "iom-agadir", category: .health),
            source: "iom-agadir", agent: "deadline-watch", payload: .escalation(escalation)
        )
        let error = Self.encodingError(envelope)
        #expect(error?.code == .invalidValue)
        #expect(error?.keyPath == "body.reason")
    }

    @Test func aHeartbeatOfAnotherAgentIsASenderMismatch() throws {
        let envelope = Envelope(
            topic: try .presence(agency: "health-delegation-agadir", agent: "desk-1"),
            source: "health-delegation-agadir", agent: "desk-2", payload: .presence(Fixtures.presence)
        )
        let error = Self.encodingError(envelope)
        #expect(error?.code == .senderMismatch)
        #expect(error?.keyPath == "header.agent")
    }

    @Test func anOpenReferralNeedsConsentToShareWithEveryProvider() throws {
        var referral = Fixtures.openReferral
        referral.consent.scope = [.shareWithReceiver]
        let envelope = Envelope(
            topic: try .openReferral(category: .mhpss, referrer: "commune-agadir"),
            source: "commune-agadir", agent: "social-desk", payload: .referral(referral)
        )
        let error = Self.encodingError(envelope)
        #expect(error?.code == .missingConsent)
        #expect(error?.keyPath == "body.consent.scope")
    }

    @Test func theEnvelopeFillsTheCorrelationIDAndTruncatesTimeToTheMillisecond() throws {
        let time = Date(timeIntervalSince1970: 1_800_000_000.123_456)
        let envelope = Envelope(
            topic: try .referral(to: "health-delegation-agadir", category: .health),
            source: "iom-agadir", agent: "caseworker-desk", payload: .referral(Fixtures.referral), time: time
        )
        #expect(envelope.header.correlationid == Fixtures.referralID)
        #expect(Timestamp.format(envelope.header.time) == "2027-01-15T08:00:00.123Z")
        #expect(try MessageCodec.decode(MessageCodec.encode(envelope)).envelope == envelope)
    }

    @Test func codableConformanceWritesTheWireForm() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let envelope = try Fixtures.goldenMessages()[0].envelope
        let frames = try MessageCodec.encode(envelope)
        let data = try encoder.encode(Fixtures.referral)
        #expect(Array(data) == frames[2])
        #expect(try JSONDecoder().decode(Referral.self, from: data) == Fixtures.referral)
        #expect(Array(try encoder.encode(envelope.header)) == frames[1])
        #expect(try JSONDecoder().decode(Header.self, from: Data(frames[1])) == envelope.header)
    }

    @Test func codableDecodingAppliesThePersonalDataRule() {
        let json = #"{"agency":"a","state":"silent","lastSeen":"2026-11-29T09:30:00Z","silentForSeconds":1,"phoneNumber":"x"}"#
        #expect(throws: ProtocolError.self) { try JSONDecoder().decode(HubPresence.self, from: Data(json.utf8)) }
    }

    @Test func rejectionReasonsFollowErrorCodes() {
        #expect(HubRejection.Reason(ProtocolError(.missingConsent, "", keyPath: "body.consent")) == .badBody)
        #expect(HubRejection.Reason(ProtocolError(.invalidJSON, "", keyPath: "header")) == .badHeader)
        #expect(HubRejection.Reason(ProtocolError(.illegalTransition, "", keyPath: "body.state")) == .illegalTransition)
        #expect(HubRejection.Reason(ProtocolError(.unknownKind, "", keyPath: "header.type")) == .kindTopicMismatch)
    }

    @Test func aRejectionTruncatesItsTopic() {
        let rejection = HubRejection(reason: .malformedTopic, message: "m", topic: String(repeating: "é", count: 200), at: Date())
        #expect(rejection.topic?.utf8.count == 254)
    }
}

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2026-11-29T09:30:00Z", "2026-11-29T09:30:00.000Z"),
        ("2026-11-29T09:30:00.1Z", "2026-11-29T09:30:00.100Z"),
        ("2026-11-29T09:30:00.123456789Z", "2026-11-29T09:30:00.123Z"),
        ("2024-02-29T23:59:59.999Z", "2024-02-29T23:59:59.999Z"),
        ("1969-12-31T23:59:59.500Z", "1969-12-31T23:59:59.500Z"),
        ("0000-01-01T00:00:00.000Z", "0000-01-01T00:00:00.000Z"),
        ("9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"),
    ])
    func parsesAndFormatsToMilliseconds(input: String, output: String) throws {
        let date = try #require(Timestamp.parse(input))
        #expect(Timestamp.format(date) == output)
    }

    @Test(arguments: [
        "2026-11-29T09:30:00", "2026-11-29T09:30:00.Z", "2026-11-29T09:30:00.1234567890Z", "2026-11-29 09:30:00Z",
        "2026-11-29T09:30:00+00:00", "2026-02-29T09:30:00Z", "2026-13-01T00:00:00Z", "2026-11-29T24:00:00Z",
        "2026-11-29T09:60:00Z", "2026-11-29T09:30:60Z", "2026-11-29t09:30:00z", "+2026-11-29T09:30:00Z", "",
    ])
    func refusesWhatIsNotRFC3339UTC(input: String) {
        #expect(Timestamp.parse(input) == nil)
    }

    @Test func refusesToFormatOutsideFourDigitYears() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1e12)) == nil)
        #expect(Timestamp.format(Date(timeIntervalSince1970: .nan)) == nil)
    }
    /// The one-pass language-tag check says what the subtag split it replaced said, on tags made
    /// of the characters and lengths around every limit.
    /// The hand-written UUID parser reads what Foundation reads, lowercase only, and refuses
    /// every single-byte change that makes the text something else.
    @Test func theUUIDParserAgreesWithFoundationOnCanonicalText() {
        var rng = SeededGenerator(seed: 0x0001_D5)
        let alphabet = Array("0123456789abcdefABCDEFg-/:@`G \u{0}".utf8) + [0x80, 0xFF]
        for _ in 0..<5_000 {
            let uuid = UUID()
            let text = Identifier.text(uuid)
            #expect(Identifier.uuid(text) == uuid)
            var bytes = Array(text.utf8)
            let offset = Int.random(in: 0..<bytes.count, using: &rng)
            bytes[offset] = alphabet.randomElement(using: &rng)!
            let mutated = String(decoding: bytes, as: UTF8.self)
            let canonical = Identifier.isCanonicalUUID(mutated)
            let parsed = bytes.withUnsafeBufferPointer { Identifier.uuid(bytes: $0) }
            #expect(parsed == (canonical ? UUID(uuidString: mutated) : nil), "\(mutated)")
        }
        #expect(Identifier.uuid("3f2b8c1e-6d4a-4c1b-9a7e-2f5d8b3c9e0") == nil)
        #expect(Identifier.uuid("3f2b8c1e-6d4a-4c1b-9a7e-2f5d8b3c9e011") == nil)
        #expect(Identifier.uuid("3F2B8C1E-6D4A-4C1B-9A7E-2F5D8B3C9E01") == nil)
    }

    @Test func theLanguageTagCheckAgreesWithTheSubtagSplit() {
        func splitCheck(_ string: String) -> Bool {
            guard string.utf8.count <= 35 else { return false }
            let parts = string.split(separator: "-", omittingEmptySubsequences: false)
            guard let language = parts.first, (2...3).contains(language.utf8.count),
                  language.allSatisfy({ $0.isASCII && $0.isLetter }), parts.count <= 4
            else { return false }
            return parts.dropFirst().allSatisfy { part in
                (1...8).contains(part.utf8.count) && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
            }
        }
        let alphabet: [Character] = ["a", "Z", "q", "7", "0", "-", "-", "_", "é", " "]
        var rng = SeededGenerator(seed: 0x1A46)
        var accepted = 0
        for _ in 0..<20_000 {
            let length = Int(rng.next() % 16)
            let tag = String((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            #expect(Identifier.isValidLanguageTag(tag) == splitCheck(tag), "\(tag)")
            if splitCheck(tag) { accepted += 1 }
        }
        for tag in ["fr", "ar-MA", "zgh-Tfng-MA", "en-US-x-1", "fr-", "-fr", "f", "fran", "fr--MA", "fr-123456789", "ar-MA-1-2-3", String(repeating: "a", count: 36), ""] {
            #expect(Identifier.isValidLanguageTag(tag) == splitCheck(tag), "\(tag)")
        }
        #expect(accepted > 100, "the generated tags reach the accepting side too")
    }
}
