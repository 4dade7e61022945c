import Foundation
import Testing
@testable import TansiqMessages

/// The golden files are exactly what the encoder emits (no trailing newline). Set
/// `TANSIQ_RECORD_GOLDEN=1` to rewrite them from the fixtures after a deliberate change.
@Suite struct GoldenTests {
    static let recording = ProcessInfo.processInfo.environment["TANSIQ_RECORD_GOLDEN"] == "1"

    static func goldenFile(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Golden"), "missing golden file \(name)")
        return Array(try Data(contentsOf: url))
    }

    static func record(_ name: String, _ bytes: [UInt8]) throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
        try Data(bytes).write(to: directory.appendingPathComponent(name))
    }

    static let suffixes = ["topic", "header.json", "body.json"]

    @Test(arguments: try Fixtures.goldenMessages().map(\.name))
    func encodingEqualsTheGoldenFiles(name: String) throws {
        let envelope = try #require(try Fixtures.goldenMessages().first { $0.name == name }).envelope
        let frames = try MessageCodec.encode(envelope)
        #expect(frames.count == 3)
        for (frame, suffix) in zip(frames, Self.suffixes) {
            if Self.recording {
                try Self.record("\(name).\(suffix)", frame)
            } else {
                let golden = try Self.goldenFile("\(name).\(suffix)")
                #expect(frame == golden, "\(name).\(suffix): encoder emitted \(String(decoding: frame, as: UTF8.self))")
            }
        }
    }

    @Test(.disabled(if: recording, "recording"), arguments: try Fixtures.goldenMessages().map(\.name))
    func decodingTheGoldenFilesGivesTheMessage(name: String) throws {
        let envelope = try #require(try Fixtures.goldenMessages().first { $0.name == name }).envelope
        let frames = try Self.suffixes.map { suffix in try Self.goldenFile("\(name).\(suffix)") }
        let decoded = try MessageCodec.decode(frames)
        #expect(decoded.envelope == envelope)
        #expect(decoded.stamp == nil)
    }

    @Test func stampEqualsTheGoldenFileBothWays() throws {
        let encoded = MessageCodec.encodeStamp(Fixtures.stamp)
        if Self.recording {
            try Self.record("stamp.json", encoded)
            return
        }
        let golden = try Self.goldenFile("stamp.json")
        #expect(encoded == golden)
        #expect(try MessageCodec.decodeStamp(golden) == Fixtures.stamp)
    }

    @Test func forwardedMessageDecodesWithItsStamp() throws {
        let frames = try Fixtures.referralFrames() + [MessageCodec.encodeStamp(Fixtures.stamp)]
        let decoded = try MessageCodec.decode(frames)
        #expect(decoded.stamp == Fixtures.stamp)
        #expect(decoded.envelope == (try Fixtures.goldenMessages()[0].envelope))
    }

    @Test(.disabled(if: recording, "recording"))
    func goldenHeaderDecodesOnTheHotPath() throws {
        let header = try MessageCodec.decodeHeader(try Self.goldenFile("referral.header.json"))
        #expect(header.type == .referral)
        #expect(header.source == "iom-agadir")
        #expect(header.correlationid == Fixtures.referralID)
        #expect(header.time == Fixtures.time("2026-11-29T09:30:00.000Z"))
    }
}
