import Foundation
import HTTPTypes
import TansiqAgent
import TansiqDesk
import TansiqMessages
import Testing

/// Who may use the desk: sign-in with a bcrypt-checked password, sessions in HttpOnly SameSite
/// cookies, a CSRF token on every form, throttled failures, a viewer who cannot act.
@Suite("Desk access", .serialized)
struct DeskAccessTests {
    static let caseworker = TestWorker(worker: "caseworker-3", role: .caseworker)
    static let viewer = TestWorker(worker: "intake-2", role: .viewer)

    static func network() async throws -> DeskNetwork {
        try await DeskNetwork.pilot(workers: [DeskNetwork.health: [caseworker, viewer]])
    }

    @Test func pagesNeedASignedInWorkerAndTheSessionCookieIsHttpOnlyAndStrict() async throws {
        let network = try await Self.network()
        defer { Task { await network.stop() } }
        try await network.withDesk(DeskNetwork.health) { health in
            let home = try await health.get("/")
            #expect(home.status == .seeOther && home.location == "/login")
            #expect(try await health.get("/events").status == .unauthorized)
            #expect(try await health.api(.get, "/api/referrals").status == .unauthorized)
            let login = try await health.get("/login")
            for id in ["login-worker", "login-password", "login-submit"] { #expect(login.body.contains("id=\"\(id)\"")) }
            let signedIn = try await health.post("/login", [("worker", Self.caseworker.worker), ("password", Self.caseworker.password)])
            #expect(signedIn.status == .seeOther && signedIn.location == "/")
            let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("tansiq_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
            let inbox = try await health.get("/")
            #expect(inbox.status == .ok)
            #expect(inbox.body.contains("caseworker-3"))
            #expect(inbox.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            // Signing out ends the session.
            #expect(try await health.post("/logout", []).location == "/login?signed-out=1")
            #expect(try await health.get("/").location == "/login")
        }
        let trail = try await network.audit(DeskNetwork.health)
        #expect(trail.map(\.action) == ["login", "logout"])
        #expect(trail.allSatisfy { $0.worker == "caseworker-3" })
    }

    @Test func aWrongPasswordIsRefusedAndRepeatedFailuresAreThrottled() async throws {
        let network = try await Self.network()
        defer { Task { await network.stop() } }
        try await network.withDesk(DeskNetwork.health) { health in
            try await health.get("/login")
            for _ in 0..<5 {
                let refused = try await health.post("/login", [("worker", Self.caseworker.worker), ("password", "wrong-password-1")])
                #expect(refused.status == .unauthorized)
                #expect(refused.element("flash") == "Wrong worker id or password.")
                #expect(!refused.body.contains("wrong-password-1"))
            }
            // Now even the right password waits.
            let throttled = try await health.post("/login", [("worker", Self.caseworker.worker), ("password", Self.caseworker.password)])
            #expect(throttled.status == .tooManyRequests)
            #expect(throttled.element("flash")?.hasPrefix("Too many failed attempts") == true)
            // An unknown id typed (it could be a person's name) is refused and never recorded.
            let unknown = try await health.post("/login", [("worker", "Fatima Zahra"), ("password", "whatever-1234")])
            #expect(unknown.status == .unauthorized)
            #expect(!unknown.body.contains("Fatima"))
        }
        let trail = try await network.audit(DeskNetwork.health)
        #expect(!trail.contains { $0.worker.contains("Fatima") || $0.detail.contains("Fatima") })
        #expect(trail.filter { $0.action == "login-refused" }.count == 6)
    }

    @Test func everyFormIsRefusedWithoutItsCSRFToken() async throws {
        let network = try await Self.network()
        defer { Task { await network.stop() } }
        try await network.withDesk(DeskNetwork.health) { health in
            try await health.get("/login")
            #expect(try await health.post("/login", [("worker", Self.caseworker.worker), ("password", Self.caseworker.password)], csrf: false).status == .forbidden)
            try await health.signIn(Self.caseworker)
            let id = UUID().uuidString.lowercased()
            for path in ["/logout", "/referrals", "/service", "/referrals/\(id)/accept", "/referrals/\(id)/cancel"] {
                let refused = try await health.post(path, [("category", "health")], csrf: false)
                #expect(refused.status == .forbidden, "\(path) answered \(refused.status)")
                #expect(refused.element("flash") == "This form has expired: reload the page and try again.")
                let forged = try await health.post(path, [("_csrf", "forged")], csrf: false)
                #expect(forged.status == .forbidden, "\(path) took a forged token")
            }
            // The API wants the token in X-CSRF-Token.
            #expect(try await health.api(.post, "/api/service", json: #"{"category":"health","available":1,"maximum":5}"#).status == .forbidden)
            // Still signed in: the refusals changed nothing.
            #expect(try await health.get("/").status == .ok)
        }
    }

    @Test func aViewerReadsButCannotAct() async throws {
        let network = try await Self.network()
        defer { Task { await network.stop() } }
        let id = try await network.withDesk(DeskNetwork.iom) { iom in
            try await iom.signIn(TestWorker(worker: "caseworker-1", role: .caseworker))
            return try #require(try await DeskActionTests.refer(iom).1)
        }
        #expect(await network.events.wait { events in
            events.contains { $0.0.agency == DeskNetwork.health && { if case .referralReceived = $0 { true } else { false } }($0.1) }
        })
        try await network.withDesk(DeskNetwork.health) { health in
            try await health.signIn(Self.viewer)
            let page = try await health.get("/referrals/\(id)")
            #expect(page.status == .ok)
            #expect(!page.body.contains("data-action="))
            let refused = try await health.post("/referrals/\(id)/accept", [])
            #expect(refused.status == .forbidden)
            #expect(refused.element("flash") == "Your role cannot do this.")
            _ = try await health.get("/service")
            #expect(try await health.post("/service", [("category", "health"), ("available", "1"), ("maximum", "5")]).status == .forbidden)
        }
        let trail = try await network.audit(DeskNetwork.health)
        #expect(!trail.contains { $0.action == "accept" })
    }

    @Test func aCaseworkerCancelsOnlyTheirOwnReferrals() async throws {
        let network = try await Self.network()
        defer { Task { await network.stop() } }
        let id = try await network.withDesk(DeskNetwork.iom) { iom in
            try await iom.signIn(TestWorker(worker: "caseworker-1", role: .caseworker))
            return try #require(try await DeskActionTests.refer(iom).1)
        }
        try await network.withDesk(DeskNetwork.iom) { iom in
            try await iom.signIn(TestWorker(worker: "caseworker-2", role: .caseworker))
            let page = try await iom.get("/referrals/\(id)")
            #expect(!page.body.contains("data-action=\"cancel\""))
            let refused = try await iom.post("/referrals/\(id)/cancel", [])
            #expect(refused.status == .forbidden)
            #expect(refused.element("flash") == "Only a supervisor may cancel a referral another worker wrote.")
        }
    }
}
