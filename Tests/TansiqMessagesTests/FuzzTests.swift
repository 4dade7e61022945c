import Testing
@testable import TansiqMessages


/// Random and mutated inputs never crash the decoder; each failure is a `ProtocolError`, and
/// whatever decodes re-encodes to something that decodes to the same message.
@Suite struct FuzzTests {
    static let interesting: [[UInt8]] = [
        "{", "}", "[", "]", "\"", ":", ",", "\\", "\\u", "\\ud800", "null", "true", "-", "0", "1e999",
        "18446744073709551616", "-9223372036854775809", "\"name\":1", "\u{0}", "é", "/", "\"\":\"\"",
    ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]]

    static func mutate(_ bytes: [UInt8], donors: [[UInt8]], using rng: inout SeededGenerator) -> [UInt8] {
        var bytes = bytes
        let operations = Int.random(in: 1...4, using: &rng)
        for _ in 0..<operations {
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where !bytes.isEmpty: // bit flip
                let index = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            case 1: // truncation
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
            case 2: // insertion of a JSON-significant token
                let token = interesting.randomElement(using: &rng)!
                bytes.insert(contentsOf: token, at: Int.random(in: 0...bytes.count, using: &rng))
            case 3: // insertion of random bytes
                let count = Int.random(in: 1...8, using: &rng)
                let random = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
                bytes.insert(contentsOf: random, at: Int.random(in: 0...bytes.count, using: &rng))
            case 4: // splice with another golden frame
                let donor = donors.randomElement(using: &rng)!
                let cut = Int.random(in: 0...bytes.count, using: &rng)
                let from = Int.random(in: 0...donor.count, using: &rng)
                bytes = Array(bytes.prefix(cut)) + Array(donor[from...])
            case 5 where !bytes.isEmpty: // deletion of a range
                let start = Int.random(in: 0..<bytes.count, using: &rng)
                let end = min(bytes.count, start + Int.random(in: 1...16, using: &rng))
                bytes.removeSubrange(start..<end)
            default: // replace a byte with a digit or quote
                if !bytes.isEmpty {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = [UInt8(ascii: "\""), UInt8(ascii: "9"), UInt8(ascii: "-")].randomElement(using: &rng)!
                }
            }
        }
        return bytes
    }

    /// Decodes, and checks the round trip of anything that decodes. Returns whether it decoded.
    static func check(_ frames: [[UInt8]]) -> Bool {
        do {
            let (envelope, stamp) = try MessageCodec.decode(frames)
            #expect(envelope.payload.kind == envelope.header.type)
            var reencoded = try MessageCodec.encode(envelope)
            if let stamp { reencoded.append(MessageCodec.encodeStamp(stamp)) }
            let again = try MessageCodec.decode(reencoded)
            #expect(again.envelope == envelope)
            #expect(again.stamp == stamp)
            return true
        } catch {
            #expect(!error.message.isEmpty)
            return false
        }
    }

    @Test func mutatedGoldenMessagesNeverCrash() throws {
        var rng = SeededGenerator(seed: 0x7A45_5149)
        let messages = try Fixtures.goldenMessages().map { try MessageCodec.encode($0.envelope) }
        let donors = messages.flatMap { $0 } + [MessageCodec.encodeStamp(Fixtures.stamp)]
        var decoded = 0
        var cases = 0
        for _ in 0..<6000 {
            var frames = messages.randomElement(using: &rng)!
            if Bool.random(using: &rng) { frames.append(MessageCodec.encodeStamp(Fixtures.stamp)) }
            let target = Int.random(in: 0..<frames.count, using: &rng)
            frames[target] = Self.mutate(frames[target], donors: donors, using: &rng)
            if Int.random(in: 0..<20, using: &rng) == 0 {
                frames.remove(at: Int.random(in: 0..<frames.count, using: &rng))
            }
            if Self.check(frames) { decoded += 1 }
            cases += 1
        }
        #expect(cases == 6000)
        // Some mutations are harmless (a flipped bit in a note); most are refused.
        #expect(decoded > 0)
        #expect(decoded < cases / 2)
    }

    @Test func randomBytesNeverCrash() {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<2000 {
            let frames = (0..<Int.random(in: 0...5, using: &rng)).map { _ in
                (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
            #expect(!Self.check(frames))
            do {
                _ = try MessageCodec.decodeHeader(frames.first ?? [])
            } catch {
                #expect(!error.message.isEmpty)
            }
            do {
                _ = try MessageCodec.decodeStamp(frames.last ?? [])
            } catch {
                #expect(!error.message.isEmpty)
            }
        }
    }

    @Test func mutatedHeadersAndTopicsNeverCrash() throws {
        var rng = SeededGenerator(seed: 7)
        let messages = try Fixtures.goldenMessages().map { try MessageCodec.encode($0.envelope) }
        let donors = messages.flatMap { $0 }
        var refused = 0
        for _ in 0..<3000 {
            let frames = messages.randomElement(using: &rng)!
            do {
                _ = try MessageCodec.decodeHeader(Self.mutate(frames[1], donors: donors, using: &rng))
            } catch {
                refused += 1
            }
            do {
                _ = try Topic(bytes: Self.mutate(frames[0], donors: donors, using: &rng))
            } catch {
                #expect(error.code == .malformedTopic)
            }
        }
        #expect(refused > 1000)
    }
}
