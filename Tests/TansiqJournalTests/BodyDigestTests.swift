import Foundation
import TansiqMessages
import Testing
@testable import TansiqJournal

/// The registry's body digest: XXH64 as specified (its reference vectors), the FNV-1a of
/// records stored by earlier hubs still recognised, and an erased record's digest matching nothing.
@Suite("Referral body digest")
struct BodyDigestTests {
    /// Every path of XXH64: under 32 bytes, the four lanes, and 8-, 4- and 1-byte tails.
    static let long = Array((0..<4).flatMap { _ in (0...255).map { UInt8($0) } }) + Array("tail!".utf8)

    @Test func isXXH64() {
        #expect(ReferralRecord.digest([]) == 0xEF46_DB37_51D8_E999)
        #expect(ReferralRecord.digest(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        #expect(ReferralRecord.digest(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
        #expect(ReferralRecord.digest(Array(repeating: UInt8(ascii: "x"), count: 37)) == 0x1E58_0C47_5BDC_5381)
        #expect(ReferralRecord.digest(Self.long) == 0x92FD_9DCC_CA84_E2EB)
    }

    @Test func earlierHubsStoredFNV1a() {
        #expect(ReferralRecord.digest([], .fnv1a) == 0xCBF2_9CE4_8422_2325)
        #expect(ReferralRecord.digest(Array("a".utf8), .fnv1a) == 0xAF63_DC4C_8601_EC8C)
        #expect(ReferralRecord.digest(Self.long, .fnv1a) == 0x1C46_2923_C7AE_BC66)
    }

    @Test func aBodyMatchesARecordOfEitherDigest() {
        let body = Self.long
        let other = Array(body.dropLast()) + [UInt8(ascii: "?")]
        var record = ReferralRecord(
            referralId: .init(), referrer: "iom-morocco", receiver: nil, open: true, category: .health, priority: .urgent,
            acknowledgeBy: .now, decideBy: .now, followUpOn: .now, consentScope: [], state: .requested, createdSequence: 0,
            lastSequence: 0, updatedAt: .now, escalated: [])
        for kind in [ReferralRecord.DigestKind.xxh64, .fnv1a] {
            record.bodyDigest = ReferralRecord.digest(body, kind)
            #expect(record.matches { ReferralRecord.digest(body, $0) })
            #expect(!record.matches { ReferralRecord.digest(other, $0) })
        }
        // `tansiq journal erase` forgets the digest.
        record.bodyDigest = 0
        #expect(!record.matches { _ in 0 })
    }
}
