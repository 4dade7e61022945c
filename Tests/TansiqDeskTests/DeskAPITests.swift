import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import TansiqAgent
import TansiqDesk
import TansiqMessages
import Testing

/// The JSON API a case system drives its agent with, the live event stream, and the
/// personal-data checks the desk shares with the hub.
@Suite("Desk API and live events", .serialized)
struct DeskAPITests {
    static func decode<T: Decodable>(_ type: T.Type, _ page: DeskClient.Page) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(page.body.utf8))
    }

    struct Login: Decodable { var worker: String; var role: String; var csrfToken: String }
    struct Created: Decodable { var referralId: String; var state: String }
    struct Failure: Decodable { var error: String; var message: String }
    struct Summary: Decodable { var referralId: String; var state: String; var part: String }
    struct Summaries: Decodable { var referrals: [Summary] }
    struct Detail: Decodable { var summary: Summary; var trail: [ReferralStatusUpdate] }

    @Test func aCaseSystemRefersAndAnswersThroughTheAPI() async throws {
        let network = try await DeskNetwork.pilot()
        defer { Task { await network.stop() } }
        let id = try await network.withDesk(DeskNetwork.iom) { iom in
            let refused = try await iom.api(.post, "/api/login", json: #"{"worker":"caseworker-1","password":"not-it-at-all"}"#)
            #expect(refused.status == .unauthorized)
            #expect(try Self.decode(Failure.self, refused).error == "login-failed")
            let login = try Self.decode(Login.self, try await iom.api(.post, "/api/login", json: #"{"worker":"caseworker-1","password":"pass-caseworker-1-0000"}"#))
            #expect(login.role == "caseworker")
            let body = """
                {"receiver":"\(DeskNetwork.health)","category":"health","priority":"stat","reasons":["maternal-care"],"consent":true,
                 "consentScope":["share-with-receiver"],"caseReference":"C2026-00777","needs":["pregnant"]}
                """
            #expect(try await iom.api(.post, "/api/referrals", json: body).status == .forbidden)
            let answer = try await iom.api(.post, "/api/referrals", json: body, csrfHeader: login.csrfToken)
            #expect(answer.status == .created, "\(answer.body)")
            return try Self.decode(Created.self, answer).referralId
        }
        #expect(await network.events.wait { events in
            events.contains { $0.0.agency == DeskNetwork.health && { if case .statusPublished(let u) = $0, u.state == .received { true } else { false } }($0.1) }
        })
        try await network.withDesk(DeskNetwork.health) { health in
            let login = try Self.decode(Login.self, try await health.api(.post, "/api/login", json: #"{"worker":"caseworker-3","password":"pass-caseworker-3-0000"}"#))
            let list = try Self.decode(Summaries.self, try await health.api(.get, "/api/referrals"))
            #expect(list.referrals.map(\.referralId) == [id])
            #expect(list.referrals.first?.state == "received" && list.referrals.first?.part == "receiver")
            let accepted = try await health.api(.post, "/api/referrals/\(id)/accept", json: "{}", csrfHeader: login.csrfToken)
            #expect(accepted.status == .ok)
            #expect(try Self.decode(ReferralStatusUpdate.self, accepted).state == .accepted)
            let illegal = try await health.api(.post, "/api/referrals/\(id)/complete", json: #"{"outcome":"service-provided"}"#, csrfHeader: login.csrfToken)
            #expect(illegal.status == .unprocessableContent)
            let failure = try Self.decode(Failure.self, illegal)
            #expect(failure.error == "refused")
            #expect(failure.message == "illegal transition from 'accepted' to 'completed' by the receiver: 'accepted' may only move to 'in-progress', 'cancelled'")
            let detail = try Self.decode(Detail.self, try await health.api(.get, "/api/referrals/\(id)"))
            #expect(detail.trail.map(\.state) == [.received, .accepted])
        }
    }

    @Test func aNoteWithPersonalDataIsRefusedWithTheHubsMessageAndNeverEchoed() async throws {
        let network = try await DeskNetwork.pilot()
        defer { Task { await network.stop() } }
        let note = "Call her on 0612345678 tomorrow"
        var referral = Referral(
            referralId: UUID(), caseReference: "C2026-00042", referringAgency: DeskNetwork.iom, referringWorker: "caseworker-1",
            receivingAgency: DeskNetwork.health, category: .health, priority: .routine, reasonCodes: [.medicalConsultation], note: note,
            consent: .init(status: .given, scope: [.shareWithReceiver], recordedBy: "caseworker-1", recordedAt: Date()),
            acknowledgeBy: Date(), decideBy: Date(), followUpOn: Date())
        referral.note = note
        // What the protocol's encoder (and so the hub) answers.
        let expected: String
        do {
            _ = try MessageCodec.encode(Envelope(topic: try Topic.referral(to: DeskNetwork.health, category: .health), source: DeskNetwork.iom, agent: "iom-morocco-1", payload: .referral(referral)))
            Issue.record("the note was accepted by the codec")
            return
        } catch {
            expected = error.message
        }
        try await network.withDesk(DeskNetwork.iom) { iom in
            try await iom.signIn(TestWorker(worker: "caseworker-1", role: .caseworker))
            let (answer, id) = try await DeskActionTests.refer(iom, note: note)
            #expect(id == nil)
            #expect(answer.status == .unprocessableContent)
            #expect(answer.element("flash") == expected)
            #expect(!answer.body.contains("0612345678"), "the phone number is shown again")
            // The worker's other choices are kept.
            #expect(answer.body.contains("value=\"\(DeskNetwork.health)\" data-category=\"health\" selected"))
            let (noConsent, _) = try await iom.post("/referrals", [("receiver", DeskNetwork.health), ("category", "health"), ("reason", "vaccination"), ("case", "C2026-00043")]).pair
            #expect(noConsent.status == .badRequest)
            #expect(noConsent.element("flash") == "A referral cannot be sent without the person&#39;s consent.")
        }
        let referrals = try await network.commands[DeskNetwork.iom]!.run { context in context.referrals.count }
        #expect(referrals == 0)
    }

    @Test func openPagesAreToldOfEveryChangeAsItHappens() async throws {
        let network = try await DeskNetwork.pilot()
        defer { Task { await network.stop() } }
        // The desk wrote its URL where it was asked to.
        let url = try #require(network.urls[DeskNetwork.health])
        let written = try String(contentsOfFile: network.directory.appendingPathComponent("\(DeskNetwork.health).url").path, encoding: .utf8)
        #expect(written == url + "\n")
        #expect(url.hasPrefix("http://127.0.0.1:"))
        let (cookie, after) = try await network.withDesk(DeskNetwork.health) { health in
            try await health.signIn(TestWorker(worker: "caseworker-3", role: .caseworker))
            let page = try await health.get("/")
            let after = try #require(page.body.range(of: "data-event-sequence=\"").map { String(page.body[$0.upperBound...].prefix { $0.isNumber }) })
            return (health.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "), after)
        }
        let reader = try EventStreamReader(url: url, path: "/events?after=\(after)", cookie: cookie)
        #expect(await reader.awaitText { $0.contains(": connected") })
        #expect(reader.text.contains("text/event-stream"))
        let id = try await network.withDesk(DeskNetwork.iom) { iom in
            try await iom.signIn(TestWorker(worker: "caseworker-1", role: .caseworker))
            return try #require(try await DeskActionTests.refer(iom).1)
        }
        let seen = await reader.awaitText { $0.contains(#""referralId":"\#(id.uppercased())","state":"received""#) || $0.contains(#""referralId":"\#(id)","state":"received""#) }
        #expect(seen, "the stream said: \(reader.text)")
        #expect(reader.text.contains("event: referral"))
        #expect(reader.text.contains("event: status"))
    }
}

extension DeskClient.Page {
    var pair: (DeskClient.Page, String?) { (self, nil) }
}
