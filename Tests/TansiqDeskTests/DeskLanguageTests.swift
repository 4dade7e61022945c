import Foundation
import HTTPTypes
import TansiqDesk
import TansiqMessages
import Testing

/// French, Arabic (right to left) and English: from the browser's preference or the worker's
/// choice, every label from a catalogue, the protocol's state names untranslated in the markup.
@Suite("Desk languages", .serialized)
struct DeskLanguageTests {
    @Test func everyCatalogueHasEveryLabel() {
        let english = Set(DeskCatalogues.keys(.en))
        for language in Language.allCases {
            let keys = Set(DeskCatalogues.keys(language))
            #expect(keys == english, "\(language): missing \(english.subtracting(keys).sorted()), extra \(keys.subtracting(english).sorted())")
        }
        // Every code the protocol defines has a label.
        let codes = ReferralState.allCases.map { "state.\($0.rawValue)" } + ServiceCategory.knownValues.map { "category.\($0.rawValue)" }
            + Priority.allCases.map { "priority.\($0.rawValue)" } + ReferralStatusUpdate.Reason.allCases.map { "reason.\($0.rawValue)" }
            + Referral.ReasonCode.knownValues.map { "reasonCode.\($0.rawValue)" } + ReferralStatusUpdate.Outcome.Code.knownValues.map { "outcome.\($0.rawValue)" }
            + Referral.Consent.Scope.knownValues.map { "scope.\($0.rawValue)" } + Referral.Subject.NeedsFlag.knownValues.map { "needs.\($0.rawValue)" }
        #expect(english.isSuperset(of: codes), "no label for \(Set(codes).subtracting(english).sorted())")
    }

    @Test func theBrowsersPreferenceThenTheWorkersChoiceSetTheLanguage() async throws {
        let network = try await DeskNetwork.pilot()
        defer { Task { await network.stop() } }
        try await network.withDesk(DeskNetwork.health) { health in
            let french = try await health.get("/login", headers: [.acceptLanguage: "fr-MA,fr;q=0.9,en;q=0.5"])
            #expect(french.body.contains("<html lang=\"fr\" dir=\"ltr\">"))
            #expect(french.body.contains("Mot de passe"))
            let arabic = try await health.get("/login?lang=ar", headers: [.acceptLanguage: "fr"])
            #expect(arabic.body.contains("<html lang=\"ar\" dir=\"rtl\">"))
            #expect(arabic.body.contains("كلمة المرور"))
            #expect(arabic.headers[values: .setCookie].contains { $0.hasPrefix("tansiq_lang=ar") })
            // The choice is kept over the browser's preference.
            try await health.signIn(TestWorker(worker: "caseworker-3", role: .caseworker))
            let inbox = try await health.get("/", headers: [.acceptLanguage: "en"])
            #expect(inbox.body.contains("dir=\"rtl\""))
            #expect(inbox.body.contains("الإحالات الواردة"))
        }
    }

    @Test func statesStayProtocolNamesInTheMarkupBesideTheirTranslation() async throws {
        let network = try await DeskNetwork.pilot()
        defer { Task { await network.stop() } }
        let id = try await network.withDesk(DeskNetwork.iom) { iom in
            try await iom.get("/login?lang=fr")
            try await iom.signIn(TestWorker(worker: "caseworker-1", role: .caseworker))
            let id = try #require(try await DeskActionTests.refer(iom).1)
            let list = try await iom.get("/")
            #expect(list.body.contains("data-referral-id=\"\(id)\""))
            #expect(list.body.contains("data-field=\"state\" title=\"demandée\">requested</span>") || list.body.contains("title=\"reçue\">received</span>"))
            #expect(list.body.contains("Mes orientations"))
            // Dates in the agency's time zone: Casablanca, in French.
            let page = try await iom.get("/referrals/\(id)")
            #expect(page.body.contains("<time datetime="))
            #expect(page.body.contains("dans "))
            return id
        }
        #expect(!id.isEmpty)
    }
}
