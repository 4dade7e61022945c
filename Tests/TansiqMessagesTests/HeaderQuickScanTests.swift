import Foundation
import Testing
@testable import TansiqMessages

/// The hub's one-pass header reader accepts exactly what the general parser accepts, with
/// the same result; everything else it leaves to the general parser.
@Suite struct HeaderQuickScanTests {
    private static func quick(_ bytes: [UInt8]) -> Header? {
        bytes.withUnsafeBufferPointer(Header.quickScan)
    }

    @Test func readsEveryGoldenHeader() throws {
        for (name, envelope) in try Fixtures.goldenMessages() {
            let header = try MessageCodec.encode(envelope)[1]
            let quick = try #require(Self.quick(header), "the quick scan gave up on \(name)")
            #expect(quick == (try Header.scan(header)), "\(name)")
        }
    }

    @Test func agreesWithTheGeneralParserOnMutatedHeaders() throws {
        var rng = SeededGenerator(seed: 0x51CA_11ED)
        let messages = try Fixtures.goldenMessages().map { try MessageCodec.encode($0.envelope) }
        let donors = messages.flatMap { $0 }
        var quickAccepted = 0
        var generalAccepted = 0
        for _ in 0..<10_000 {
            let header = FuzzTests.mutate(messages.randomElement(using: &rng)![1], donors: donors, using: &rng)
            let general = try? Header.scan(header)
            if let quick = Self.quick(header) {
                quickAccepted += 1
                // Whatever the quick path accepts, the general parser accepts identically.
                #expect(quick == general, "\(String(decoding: header, as: UTF8.self))")
            }
            if general != nil { generalAccepted += 1 }
        }
        #expect(quickAccepted > 0)
        #expect(quickAccepted <= generalAccepted)
    }

    @Test func leavesUnusualButValidHeadersToTheGeneralParser() throws {
        let unusual = [
            // an escaped character in a value
            #"{"specversion":"1.0","id":"3f2b8c1e-6d4a-4c1b-9a7e-2f5d8b3c9e01","type":"referral.create","source":"i\u006fm","agent":"a","time":"2026-11-29T09:30:00.000Z"}"#,
            // an extension key of a newer minor version
            #"{"specversion":"1.9","id":"3f2b8c1e-6d4a-4c1b-9a7e-2f5d8b3c9e01","type":"referral.create","source":"iom","agent":"a","time":"2026-11-29T09:30:00.000Z","x-trace":"1"}"#,
        ]
        for text in unusual {
            let bytes = Array(text.utf8)
            #expect(Self.quick(bytes) == nil)
            #expect(try MessageCodec.decodeHeader(bytes).source == "iom")
        }
    }

    @Test func refusesWhatTheGeneralParserRefuses() {
        let invalid = [
            #"{"specversion":"1.0","id":"3F2B8C1E-6D4A-4C1B-9A7E-2F5D8B3C9E01","type":"referral.create","source":"iom","agent":"a","time":"2026-11-29T09:30:00.000Z"}"#,
            #"{"specversion":"2.0","id":"3f2b8c1e-6d4a-4c1b-9a7e-2f5d8b3c9e01","type":"referral.create","source":"iom","agent":"a","time":"2026-11-29T09:30:00.000Z"}"#,
            #"{"specversion":"1.0","id":"3f2b8c1e-6d4a-4c1b-9a7e-2f5d8b3c9e01","type":"referral.create","source":"IOM","agent":"a","time":"2026-11-29T09:30:00.000Z"}"#,
            #"{"specversion":"1.0","id":"3f2b8c1e-6d4a-4c1b-9a7e-2f5d8b3c9e01","type":"referral.create","source":"iom","source":"iom","agent":"a","time":"2026-11-29T09:30:00.000Z"}"#,
            #"{"specversion":"1.0","id":"3f2b8c1e-6d4a-4c1b-9a7e-2f5d8b3c9e01","type":"referral.create","source":"iom","agent":"a","time":"2026-02-30T09:30:00.000Z"}"#,
            #"{"specversion":"1.0","id":"3f2b8c1e-6d4a-4c1b-9a7e-2f5d8b3c9e01","type":"referral.create","source":"iom","agent":null,"time":"2026-11-29T09:30:00.000Z"}"#,
        ]
        for text in invalid {
            let bytes = Array(text.utf8)
            #expect(Self.quick(bytes) == nil, "\(text)")
            #expect(throws: ProtocolError.self) { try MessageCodec.decodeHeader(bytes) }
        }
    }
}
