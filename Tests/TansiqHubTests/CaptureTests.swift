import Foundation
import TansiqHub
import TansiqMessages
import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// What an eavesdropper on the network sees: a referral crosses a secure hub while tcpdump
/// records the loopback interface, and no referral field appears in the capture. A plaintext
/// referral through an insecure hub in the same capture proves the capture sees payloads.
@Suite("Loopback capture", .timeLimit(.minutes(1)))
struct CaptureTests {
    static let tcpdump = ["/usr/bin/tcpdump", "/usr/sbin/tcpdump"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: geteuid() == 0, "capturing on lo needs root (CI runs as root); skipped for this user"))
    func aReferralThroughASecureHubLeavesNoPlaintextOnTheWire() async throws {
        let tcpdump = try #require(Self.tcpdump, "tcpdump is not installed: run scripts/ensure-deps.sh --test")
        let keys = try TestKeys(agencies: [Pilot.iom, Pilot.health])
        let secretCase = "AGA-7\(Int.random(in: 1000...9999))-5"
        let plainCase = "AGA-3\(Int.random(in: 1000...9999))-1"
        try await withHub(HubConfiguration(ingress: "tcp://127.0.0.1:*", egress: "tcp://127.0.0.1:*", security: .insecure)) { _, plainEndpoints in
            try await withHub(keys.configuration()) { _, secureEndpoints in
                let ports = [plainEndpoints.ingress, plainEndpoints.egress, secureEndpoints.ingress, secureEndpoints.egress]
                    .compactMap { $0.split(separator: ":").last.map(String.init) }
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-\(UUID().uuidString).pcap").path
                defer { try? FileManager.default.removeItem(atPath: file) }
                let capture = try Capture(tcpdump: tcpdump, file: file, filter: ports.map { "tcp port \($0)" }.joined(separator: " or "))
                defer { capture.stop() }

                // Control: a referral in clear text, through the insecure hub.
                let plain = try RawClient(plainEndpoints, prefixes: ["referral/to/\(Pilot.health)/"])
                let control = try MessageCodec.encode(try Pilot.referral(caseReference: plainCase))
                try plain.publisher.send(control)
                #expect(Array(try #require(try plain.next()).frames.prefix(3)) == control)

                // The real thing: the same kind of referral through the secure hub.
                let health = try SecureClient(secureEndpoints, agency: Pilot.health, keys: keys[Pilot.health], hubKey: keys.hub.publicKey, prefixes: ["referral/to/\(Pilot.health)/"])
                let iom = try SecureClient(secureEndpoints, agency: Pilot.iom, keys: keys[Pilot.iom], hubKey: keys.hub.publicKey, prefixes: [])
                let sent = try iom.publish(try Pilot.referral(caseReference: secretCase))
                #expect(Array(try #require(try health.next()).frames.prefix(3)) == sent)

                // Packets on lo are captured in order: once a plaintext marker sent after the secure
                // referral is in the file, every packet of the secure referral is in it too.
                let endCase = "AGA-9\(Int.random(in: 1000...9999))-9"
                var bytes: [UInt8] = []
                for _ in 0..<200 where !bytes.contains(subsequence: endCase) {
                    let marker = try MessageCodec.encode(try Pilot.referral(caseReference: endCase))
                    try plain.publisher.send(marker)
                    _ = try #require(try plain.next())
                    bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
                }
                capture.stop()
                #expect(bytes.contains(subsequence: endCase), "tcpdump never wrote the end marker")

                #expect(bytes.count > 1000, "the capture is nearly empty")
                #expect(bytes.contains(subsequence: plainCase), "the capture does not show the plaintext control referral")
                // The plaintext hub's packets carry every field; count them per port instead: none of the
                // secure hub's connections may show one.
                let clear = try Capture.payloads(file: file, ports: Set(ports.prefix(2).compactMap { UInt16($0) }))
                #expect(clear.contains(subsequence: plainCase) && clear.contains(subsequence: "caseReference"), "the pcap reader finds no plaintext")
                let secure = try Capture.payloads(file: file, ports: Set(ports.suffix(2).compactMap { UInt16($0) }))
                #expect(secure.count > 1000, "no secure traffic captured")
                #expect(secure.contains(subsequence: "CURVE"), "the capture does not show the CURVE handshakes")
                for secret in [secretCase, "caseReference", "referral/to/\(Pilot.health)", "medical-consultation", Pilot.iom, "consent"] {
                    #expect(!secure.contains(subsequence: secret), "'\(secret)' is readable on the wire")
                }
                #expect(!bytes.contains(subsequence: secretCase))
            }
        }
    }
}

/// A running `tcpdump -i lo`, ready once it says it is listening.
private final class Capture {
    private let process = Process()
    private var stopped = false

    init(tcpdump: String, file: String, filter: String) throws {
        process.executableURL = URL(fileURLWithPath: tcpdump)
        // -U: write each packet at once; -Z root: keep the right to write the file.
        process.arguments = ["-i", "lo", "-U", "-s", "0", "-Z", "root", "-w", file, filter]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var said = ""
        for _ in 0..<100 {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            said += String(decoding: chunk, as: UTF8.self)
            if said.contains("listening on") { return }
        }
        Issue.record("tcpdump did not start: \(said)")
    }

    /// Stops tcpdump. SIGKILL, because the test process blocks SIGINT and SIGTERM and its
    /// children inherit that mask; with -U every captured packet is already in the file.
    func stop() {
        guard !stopped else { return }
        stopped = true
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The TCP payload bytes of a pcap file's packets to or from `ports`, concatenated.
    static func payloads(file: String, ports: Set<UInt16>) throws -> [UInt8] {
        let data = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        func u32(_ at: Int) -> Int { Int(data[at]) | Int(data[at + 1]) << 8 | Int(data[at + 2]) << 16 | Int(data[at + 3]) << 24 }
        func u16be(_ at: Int) -> UInt16 { UInt16(data[at]) << 8 | UInt16(data[at + 1]) }
        guard data.count >= 24, u32(0) == 0xA1B2_C3D4 else { throw CocoaError(.fileReadCorruptFile) }
        let linkType = u32(20)
        var offset = 24
        var payload: [UInt8] = []
        while offset + 16 <= data.count {
            let captured = u32(offset + 8)
            let packet = offset + 16
            offset = packet + captured
            guard offset <= data.count else { break }
            // Ethernet (1) on Linux lo: 14-byte header; Linux cooked (113): 16 bytes.
            let ip = packet + (linkType == 113 ? 16 : 14)
            guard ip + 20 <= offset, data[ip] >> 4 == 4 else { continue }
            let tcp = ip + Int(data[ip] & 0x0F) * 4
            guard data[ip + 9] == 6, tcp + 20 <= offset else { continue }
            guard ports.contains(u16be(tcp)) || ports.contains(u16be(tcp + 2)) else { continue }
            let start = tcp + Int(data[tcp + 12] >> 4) * 4
            if start < offset { payload += data[start..<offset] }
        }
        return payload
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence text: String) -> Bool {
        let needle = Array(text.utf8)
        guard !needle.isEmpty, needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { start in
            self[start] == needle[0] && Array(self[start..<(start + needle.count)]) == needle
        }
    }
}
