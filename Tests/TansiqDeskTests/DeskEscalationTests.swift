import Foundation
import TansiqAgent
import TansiqDesk
import TansiqHub
import TansiqMessages
import TansiqTestSupport
import Testing

/// "My referrals" shows what the hub escalated, live.
@Suite("Desk escalations", .serialized)
struct DeskEscalationTests {
    @Test func aReferralNobodyDecidedOnIsShownEscalatedOnTheReferrersDesk() async throws {
        let time = ManualTime()
        let network = try await DeskNetwork.pilot(clock: time.clock)
        defer { Task { await network.stop() } }
        let id = try await network.withDesk(DeskNetwork.iom) { iom in
            try await iom.signIn(TestWorker(worker: "caseworker-1", role: .caseworker))
            return try #require(try await DeskActionTests.refer(iom).1)
        }
        // Received at once (the delivery receipt), then nobody decides: past `decideBy` on the hub's clock.
        #expect(await network.events.wait { events in
            events.contains { $0.0.agency == DeskNetwork.iom && { if case .statusObserved(let u) = $0, u.state == .received { true } else { false } }($0.1) }
        })
        // The desk dated the referral by the real clock, which ran on meanwhile.
        time.advance(pastRealNowBy: Priority.urgent.decisionTime + 60)
        #expect(await network.events.wait { events in
            events.contains { $0.0.agency == DeskNetwork.iom && { if case .escalationObserved(let e) = $0, e.deadline == .decide { true } else { false } }($0.1) }
        })
        try await network.withDesk(DeskNetwork.iom) { iom in
            try await iom.signIn(TestWorker(worker: "caseworker-1", role: .caseworker))
            let list = try await iom.get("/")
            let row = try #require(list.body.range(of: "data-referral-id=\"\(id)\"").map { String(list.body[$0.upperBound...].prefix(1500)) })
            #expect(row.contains("<td data-field=\"escalations\">not decided in time</td>"))
            let page = try await iom.get("/referrals/\(id)")
            #expect(page.element("referral-escalations") == "not decided in time")
        }
    }
}
