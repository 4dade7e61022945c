import Foundation
import TansiqMessages
import Testing
import ZeroMQ
@testable import TansiqHub

@Suite("Hub presence")
struct HubPresenceTests {
    @Test func anAgencyThatStopsItsHeartbeatsIsAnnouncedSilentThenBack() async throws {
        var configuration = HubConfiguration(ingress: "tcp://127.0.0.1:*", egress: "tcp://127.0.0.1:*")
        configuration.presenceTimeout = .milliseconds(300)
        try await withHub(configuration) { _, endpoints in
            let client = try StreamClient(endpoints, prefixes: ["hub/presence/association-amal", "presence/association-amal/"])
            _ = try client.sendUntilForwarded { try Sample.heartbeat(agency: "association-amal", agent: "desk-1") }
            func nextNotice() throws -> HubPresence? {
                for _ in 0..<100 {
                    guard let message = try client.next() else { return nil }
                    if case .hubPresence(let notice) = try MessageCodec.decode(message.frames).envelope.payload { return notice }
                }
                return nil
            }
            let silent = try #require(try nextNotice(), "no silence announced")
            #expect(silent.agency == "association-amal")
            #expect(silent.state == .silent)
            try client.publisher.send(try Sample.heartbeat(agency: "association-amal", agent: "desk-2"))
            let back = try #require(try nextNotice(), "no return announced")
            #expect(back.state == .back)
            #expect(back.lastSeen == silent.lastSeen)
        }
    }

    @Test func silenceIsThreeMissedHeartbeatIntervalsByDefault() {
        var tracker = HubPresenceTracker(missedHeartbeats: 3, timeout: nil)
        let start = ContinuousClock.now
        let date = Date()
        let heartbeat = Presence(agency: "ngo-a", agent: "desk-1", role: .civilSociety, version: "1", uptimeSeconds: 1, heartbeatInterval: 10)
        #expect(tracker.heard(heartbeat, at: date, instant: start) == nil)
        #expect(tracker.silences(at: date.addingTimeInterval(29), instant: start.advanced(by: .seconds(29))).isEmpty)
        let silent = tracker.silences(at: date.addingTimeInterval(31), instant: start.advanced(by: .seconds(31)))
        #expect(silent.map(\.agency) == ["ngo-a"])
        #expect(silent.first?.silentForSeconds == 31)
        #expect(tracker.silences(at: date.addingTimeInterval(60), instant: start.advanced(by: .seconds(60))).isEmpty, "announced once")
        let back = tracker.heard(heartbeat, at: date.addingTimeInterval(65), instant: start.advanced(by: .seconds(65)))
        #expect(back?.state == .back)
        #expect(back?.silentForSeconds == 65)
    }
}
