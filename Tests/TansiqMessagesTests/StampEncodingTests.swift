import Testing

@testable import TansiqMessages

/// The hub's direct stamp writer against the general serializer it stands in for.
@Suite struct StampEncodingTests {
    @Test(arguments: [UInt64(1), 9, 10, 99, 100, 12_345, 1 << 32, 9_999_999_999_999_999_999, UInt64.max])
    func directStampEqualsTheSerializer(sequence: UInt64) throws {
        for hub in ["hub", "agadir-hub-2", "h"] {
            let stamp = HubStamp(hub: hub, seq: sequence, topicSeq: sequence / 3 + 1)
            let encoded = MessageCodec.encodeStamp(stamp)
            #expect(encoded == stamp.wireValue.serialized)
            #expect(try MessageCodec.decodeStamp(encoded) == stamp)
        }
    }
}
