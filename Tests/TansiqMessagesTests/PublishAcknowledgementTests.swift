import Foundation
import Testing
@testable import TansiqMessages

@Suite("Publish acknowledgement")
struct PublishAcknowledgementTests {
    static let limits = PublishLimits(messagesPerSecond: 1000, burst: 5000, maxMessageBytes: 262_144)

    @Test func anAcceptanceAndARefusalRoundTripAsOneJSONFrame() throws {
        let id = UUID()
        let accepted = PublishAcknowledgement.accepted(messageId: id, hub: "main", seq: 42, topicSeq: 7, duplicate: true, limits: Self.limits)
        let text = String(decoding: accepted.encoded(), as: UTF8.self)
        #expect(text == #"{"duplicate":true,"hub":"main","limits":{"burst":5000,"maxMessageBytes":262144,"messagesPerSecond":1000.0},"messageId":"\#(id.uuidString.lowercased())","result":"accepted","seq":42,"topicSeq":7,"type":"hub.publish-ack"}"#)
        #expect(try PublishAcknowledgement.decode(accepted.encoded()) == accepted)

        let refused = PublishAcknowledgement.refused(
            messageId: nil, hub: "main", reason: .rateLimited, message: "too fast", retryAfterMs: 1,
            limits: PublishLimits(messagesPerSecond: nil, burst: nil, maxMessageBytes: 1000))
        #expect(refused.retryable == true)
        #expect(try PublishAcknowledgement.decode(refused.encoded()) == refused)
        #expect(String(decoding: refused.encoded(), as: UTF8.self).contains(#""limits":{"burst":null,"maxMessageBytes":1000,"messagesPerSecond":null}"#))
        #expect(PublishAcknowledgement.refused(messageId: nil, hub: "main", reason: .badBody, message: "x", limits: Self.limits).retryable == false)
    }

    @Test func somethingElseIsNotAnAcknowledgement() {
        #expect(throws: ProtocolError.self) { try PublishAcknowledgement.decode(Array(#"{"type":"hub.rejection","result":"accepted","hub":"main"}"#.utf8)) }
        #expect(throws: ProtocolError.self) { try PublishAcknowledgement.decode(Array("not json".utf8)) }
    }
}
