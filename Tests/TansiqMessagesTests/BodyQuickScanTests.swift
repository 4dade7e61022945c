import Foundation
import Testing
@testable import TansiqMessages

/// The hub's one-pass body reader (referral and status bodies) accepts only what the full
/// decoder (parser, fields, typed value, `validate`) accepts, with the same value, and reads the
/// bodies agents actually send; everything else it leaves to the full decoder.
@Suite struct BodyQuickScanTests {
    private static func quick(_ kind: MessageKind, _ body: [UInt8]) -> Payload? {
        body.withUnsafeBufferPointer { Payload.quickScan(kind: kind, body: $0) }
    }

    /// The full decoder's reading of a body, without the quick scan.
    private static func full(_ kind: MessageKind, _ body: [UInt8]) -> Payload? {
        try? Payload(kind: kind, fields: JSONFields(JSONParser.parse(body, root: "body", refusingUnknownKeys: true), path: "body"))
    }

    private static let kinds: [MessageKind] = [.referral, .referralStatus]

    /// Valid bodies of both kinds: the golden ones and generated ones (every optional field
    /// present or absent, non-ASCII notes, nulls, whitespace).
    private static func validBodies(using rng: inout SeededGenerator) throws -> [(MessageKind, [UInt8])] {
        var bodies: [(MessageKind, [UInt8])] = []
        for (_, envelope) in try Fixtures.goldenMessages() where kinds.contains(envelope.header.type) {
            bodies.append((envelope.header.type, try MessageCodec.encode(envelope)[2]))
        }
        let notes: [String?] = [nil, "Needs an interpreter", "Rendez-vous à l'hôpital régional", "يحتاج إلى مترجم", String(repeating: "é", count: 280)]
        for index in 0..<400 {
            var referral = index.isMultiple(of: 2) ? Fixtures.referral : Fixtures.openReferral
            referral.referralId = UUID()
            referral.note = notes.randomElement(using: &rng)!
            if Bool.random(using: &rng) { referral.subject = nil }
            if Bool.random(using: &rng) {
                referral.subject = Referral.Subject(ageBand: .adult, language: "ar-MA", needsFlags: [])
            }
            referral.reasonCodes = Array(referral.reasonCodes.prefix(Int.random(in: 1...max(1, referral.reasonCodes.count), using: &rng)))
            let envelope = Envelope(
                topic: referral.isOpen
                    ? try Topic.openReferral(category: referral.category, referrer: referral.referringAgency)
                    : try Topic.referral(to: referral.receivingAgency!, category: referral.category),
                source: referral.referringAgency, agent: "agent-1", payload: .referral(referral), correlationID: referral.referralId)
            bodies.append((.referral, try MessageCodec.encode(envelope)[2]))
        }
        for update in [Fixtures.accepted, Fixtures.completed, Fixtures.rejected, Fixtures.cancelled] {
            for note in notes {
                var update = update
                update.note = note
                update.referralId = UUID()
                bodies.append((.referralStatus, try update.wireValue(at: "body").serialized))
            }
        }
        return bodies
    }

    @Test func readsTheBodiesAgentsSend() throws {
        var rng = SeededGenerator(seed: 0xB0D1)
        for (kind, body) in try Self.validBodies(using: &rng) {
            let quick = try #require(Self.quick(kind, body), "the quick scan gave up on \(String(decoding: body, as: UTF8.self))")
            #expect(quick == Self.full(kind, body))
        }
    }

    @Test func agreesWithTheFullDecoderOnByteMutations() throws {
        var rng = SeededGenerator(seed: 0x5CA7_B0D1)
        let bodies = try Self.validBodies(using: &rng)
        let donors = bodies.map(\.1)
        var quickAccepted = 0
        var fullAccepted = 0
        for _ in 0..<8_000 {
            let (kind, original) = bodies.randomElement(using: &rng)!
            let body = FuzzTests.mutate(original, donors: donors, using: &rng)
            let full = Self.full(kind, body)
            if let quick = Self.quick(kind, body) {
                quickAccepted += 1
                #expect(quick == full, "\(String(decoding: body, as: UTF8.self))")
            }
            if full != nil { fullAccepted += 1 }
        }
        #expect(quickAccepted > 0)
        #expect(quickAccepted <= fullAccepted)
    }

    /// Field-wise: a member removed, nulled, duplicated, renamed, given another member's value
    /// or a value of another type, or an unknown member added, at every level.
    @Test func agreesWithTheFullDecoderOnFieldMutations() throws {
        var rng = SeededGenerator(seed: 0xF1E1_D5)
        let bodies = try Self.validBodies(using: &rng)
        let strangeValues: [String] = [
            #"null"#, #""""#, #"" ""#, #"1"#, #"true"#, #"[]"#, #"{}"#, #"["x"]"#, #""REF-0001""#, #""caseworker-1""#,
            #""2026-11-29T09:30:00.000Z""#, #""2026-02-30T09:30:00Z""#, #""3f2b8c1e-6d4a-4c1b-9a7e-2f5d8b3c9e01""#,
            #""3F2B8C1E-6D4A-4C1B-9A7E-2F5D8B3C9E01""#, #""health""#, #""stat""#, #""accepted""#, #""requested""#,
            #""given""#, #""overridden""#, #""vital-interest""#, #"["share-with-receiver"]"#, #"["share-with-coordinator"]"#,
            #""call 0612345678""#, #""a\"b""#, #""\u00e9""#, #""Mohamed Alaoui""#, #""ar-MA""#, #""adult""#,
            #""maternal-care""#, #""Maternal-care""#, #"["maternal-care","made-up-reason"]"#, #"["pregnant","pregnant"]"#,
            #""urgent""#, #""Urgent""#, #""60+""#, #""60""#, #""at-capacity""#, #""referred-onward""#, #""service-provided""#,
            #""\u0068ealth""#, #"nullnull"#, #"null"x""#, #""child-protection""#, #"["share-with-category-providers"]"#,
            #"{"successful":true,"code":"service-provided"}"#, #"{"status":"given","scope":["share-with-receiver"],"recordedBy":"caseworker-1","recordedAt":"2026-11-29T09:30:00.000Z"}"#,
        ]
        let keys = ["referralId", "caseReference", "note", "state", "previousState", "consent", "scope", "reason", "outcome",
                    "successful", "code", "subject", "firstName", "x-extra", "category", "priority", "status", "changedBy",
                    "reasonCodes", "needsFlags", "ageBand", "overrideReason", "language"]
        var quickAccepted = 0
        for _ in 0..<8_000 {
            let (kind, original) = bodies.randomElement(using: &rng)!
            let text = String(decoding: original, as: UTF8.self)
            // Members are `"key":value`: mutate around a random `"key":` occurrence.
            let members = text.ranges(of: #/"[A-Za-z]+":/#)
            guard let member = members.randomElement(using: &rng) else { continue }
            var mutated = text
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: // a member's value replaced
                let valueEnd = Self.valueEnd(in: text, from: member.upperBound)
                mutated.replaceSubrange(member.upperBound..<valueEnd, with: strangeValues.randomElement(using: &rng)!)
            case 1: // a member removed
                var end = Self.valueEnd(in: text, from: member.upperBound)
                if end < text.endIndex, text[end] == "," { end = text.index(after: end) }
                mutated.replaceSubrange(member.lowerBound..<end, with: "")
            case 2: // a member duplicated
                let end = Self.valueEnd(in: text, from: member.upperBound)
                mutated.insert(contentsOf: text[member.lowerBound..<end] + ",", at: member.lowerBound)
            case 3: // a member renamed
                mutated.replaceSubrange(member, with: "\"\(keys.randomElement(using: &rng)!)\":")
            default: // a member added
                mutated.insert(contentsOf: "\"\(keys.randomElement(using: &rng)!)\":\(strangeValues.randomElement(using: &rng)!),", at: member.lowerBound)
            }
            let body = Array(mutated.utf8)
            let full = Self.full(kind, body)
            if let quick = Self.quick(kind, body) {
                quickAccepted += 1
                #expect(quick == full, "\(mutated)")
            }
        }
        #expect(quickAccepted > 0)
    }

    /// Where the JSON value starting at `start` ends (its string, array or object balanced).
    private static func valueEnd(in text: String, from start: String.Index) -> String.Index {
        var depth = 0
        var inString = false
        var index = start
        while index < text.endIndex {
            let character = text[index]
            if inString {
                if character == "\\" { index = text.index(after: index) } else if character == "\"" {
                    inString = false
                    if depth == 0 { return text.index(after: index) }
                }
            } else {
                switch character {
                case "\"": inString = true
                case "{", "[": depth += 1
                case "}", "]":
                    if depth == 0 { return index }
                    depth -= 1
                    if depth == 0 { return text.index(after: index) }
                case ",": if depth == 0 { return index }
                default: break
                }
            }
            index = text.index(after: index)
        }
        return index
    }

    /// Strings are read eight bytes at a time: a quote, an escape, a control character or a
    /// non-ASCII byte (valid UTF-8 or not) at every offset of a note, of every length around a
    /// word, is read as the full decoder reads it, or left to it.
    @Test func agreesWithTheFullDecoderWhereverAStringsSpecialByteFalls() throws {
        let golden = try #require(try Fixtures.goldenMessages().first { $0.name == "referral" })
        let body = String(decoding: try MessageCodec.encode(golden.envelope)[2], as: UTF8.self)
        let specials: [[UInt8]] = [[0x22], [0x5C], [0x5C, 0x22], [0x01], [0x1F], [0x20], [0x7F], [0x40], [0x39], [0xC3, 0xA9], [0xFF], [0xE2, 0x80]]
        var quickAccepted = 0
        for length in 0..<20 {
            for offset in 0...length {
                for special in specials {
                    var note = Array(repeating: UInt8(ascii: "n"), count: length)
                    note.insert(contentsOf: special, at: offset)
                    var bytes = Array(body.utf8)
                    let key = Array(#""note":""#.utf8)
                    let start = try #require(bytes.indices.first { bytes[$0...].starts(with: key) }) + key.count
                    let end = try #require(bytes[start...].firstIndex(of: 0x22))
                    bytes.replaceSubrange(start..<end, with: note)
                    let full = Self.full(.referral, bytes)
                    if let quick = Self.quick(.referral, bytes) {
                        quickAccepted += 1
                        #expect(quick == full, "\(String(decoding: bytes, as: UTF8.self))")
                    }
                }
            }
        }
        #expect(quickAccepted > 0)
    }

    @Test func leavesUnusualButValidBodiesToTheFullDecoder() throws {
        let golden = try #require(try Fixtures.goldenMessages().first { $0.name == "referral" })
        var body = String(decoding: try MessageCodec.encode(golden.envelope)[2], as: UTF8.self)
        // An escaped character: valid, but the quick scan does not unescape.
        body = body.replacingOccurrences(of: #""note":""#, with: #""note":"\u0041"#)
        let bytes = Array(body.utf8)
        #expect(Self.quick(.referral, bytes) == nil)
        #expect(Self.full(.referral, bytes) != nil)
    }
}
