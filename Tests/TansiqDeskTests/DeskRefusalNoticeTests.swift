import Foundation
import TansiqAgent
@testable import TansiqDesk
import TansiqMessages
import Testing

@Suite("A move the hub refused, on the referral page")
struct DeskRefusalNoticeTests {
    /// The health delegation accepted on its desk, and the hub refused: the referral had been
    /// withdrawn meanwhile. The agent took the move back; the page says why, in the worker's language.
    static func refused() throws -> TrackedReferral {
        let now = Date()
        let referral = Referral(
            referralId: UUID(), caseReference: "C2026-00042", referringAgency: "iom-morocco", referringWorker: "caseworker-1",
            receivingAgency: "health-delegation-agadir", category: .health, priority: .routine, reasonCodes: [.medicalConsultation],
            consent: .init(status: .given, scope: [.shareWithReceiver], recordedBy: "caseworker-1", recordedAt: now),
            acknowledgeBy: now.addingTimeInterval(3600), decideBy: now.addingTimeInterval(7200), followUpOn: now.addingTimeInterval(86_400))
        let book = ReferralBook()
        book.record(referral, part: .receiver, at: now)
        var tracked = try book.apply(ReferralStatusUpdate(
            referralId: referral.referralId, state: .received, previousState: .requested, changedBy: "health-delegation-agadir", changedAt: now))
        tracked.refusal = .init(state: .accepted, reason: .referralClosed, message: "referral abc is closed (cancelled)", at: now)
        return tracked
    }

    @Test(arguments: Language.allCases)
    func theRefusalIsShownInThePagesLanguage(language: Language) throws {
        let tracked = try Self.refused()
        let session = DeskSession(token: "t", worker: "caseworker-3", role: .caseworker, csrf: "c", expires: .distantFuture)
        let page = ReferralPage(language: language, format: DeskFormat(language: language, timeZone: .gmt, now: Date()), session: session)
        let html = page.live(tracked)
        #expect(html.contains("id=\"referral-refused\""))
        #expect(html.contains("data-reason=\"referral-closed\""))
        #expect(html.contains(h(language("refusal.referral-closed"))))
        #expect(language("refusal.referral-closed") != "refusal.referral-closed")
        // The hub's English words only where no label says it.
        #expect(!html.contains("is closed (cancelled)"))
        // TANSIQ_REFUSAL_PAGES=DIR writes the whole page, to look at in a browser.
        if let directory = ProcessInfo.processInfo.environment["TANSIQ_REFUSAL_PAGES"] {
            let configuration = DeskConfiguration(agency: "health-delegation-agadir", listen: "127.0.0.1:0")
            let whole = Page(title: "referral", language: language, session: session, configuration: configuration)
                .render(page.render(tracked))
            try whole.write(toFile: "\(directory)/refused-\(language.rawValue).html", atomically: true, encoding: .utf8)
        }
    }
}
