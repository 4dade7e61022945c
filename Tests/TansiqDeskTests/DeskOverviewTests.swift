import Foundation
import TansiqAgent
import TansiqDesk
import TansiqHub
import TansiqMessages
import TansiqTestSupport
import Testing

/// The coordinator's overview on the Commune's desk, over a real hub and real agents.
@Suite("Desk overview", .serialized)
struct DeskOverviewTests {
    static let iomWorker = TestWorker(worker: "caseworker-1", role: .caseworker)

    /// IOM refers a person to the health delegation through its desk; returns the referral's id
    /// once the Commune heard the hub's view of it in `state`.
    static func refer(_ network: DeskNetwork, until state: ReferralState = .received) async throws -> String {
        let id = try await network.withDesk(DeskNetwork.iom) { iom in
            try await iom.signIn(iomWorker)
            return try #require(try await DeskActionTests.refer(iom).1)
        }
        #expect(await network.events.wait { events in
            events.contains { $0.0.agency == DeskNetwork.commune && { if case .referralViewed(let v) = $0, v.referralId.uuidString.lowercased() == id, v.state == state { true } else { false } }($0.1) }
        }, "the Commune never saw the referral \(state.rawValue)")
        return id
    }

    @Test func openReferralsAreCountedByStateAndReceiverAndByStateAndServiceEachCellLinkingToItsList() async throws {
        let network = try await DeskNetwork.pilot()
        defer { Task { await network.stop() } }
        try await network.startCoordinator()
        let id = try await Self.refer(network)
        try await network.withDesk(DeskNetwork.commune) { commune in
            try await commune.signIn(DeskNetwork.coordinator)
            let home = try await commune.get("/")
            #expect(home.body.contains("<a href=\"/overview\" id=\"nav-overview\">Overview</a>"))
            let overview = try await commune.get("/overview")
            #expect(overview.status == .ok)
            let byReceiver = try #require(overview.element("matrix-receiver"))
            let link = "/overview?state=received&amp;receiver=\(DeskNetwork.health)#overview-list"
            #expect(byReceiver.contains("<td data-state=\"received\" data-column=\"\(DeskNetwork.health)\"><a href=\"\(link)\">1</a></td>"))
            let byCategory = try #require(overview.element("matrix-category"))
            #expect(byCategory.contains("<td data-state=\"received\" data-column=\"health\"><a href=\"/overview?state=received&amp;category=health#overview-list\">1</a></td>"))
            #expect(byCategory.contains("<td data-state=\"requested\" data-column=\"health\">·</td>"))
            // The cell's list: the referral, de-identified.
            let list = try await commune.get("/overview?state=received&receiver=\(DeskNetwork.health)")
            let table = try #require(list.element("overview-list-table"))
            #expect(table.contains("data-referral-id=\"\(id)\""))
            let other = try await commune.get("/overview?state=accepted&receiver=\(DeskNetwork.health)")
            #expect(other.element("overview-list-table")?.contains(id) == false)
            // Only the hub's view: never the case reference, the note or the subject the IOM wrote
            // (its consent shares the body with the coordinator; the overview does not show it).
            for page in [overview, list] {
                #expect(!page.body.contains("C2026-00042"))
                #expect(!page.body.contains("interpreter"))
            }
            // The Arabic overview, right to left.
            let arabic = try await commune.get("/overview?lang=ar")
            #expect(arabic.body.contains("<html lang=\"ar\" dir=\"rtl\">"))
            #expect(arabic.body.contains("نظرة عامة على الشبكة"))
        }
        // Only the coordinator's desk has it.
        try await network.withDesk(DeskNetwork.iom) { iom in
            try await iom.signIn(Self.iomWorker)
            #expect(try await iom.get("/overview").status == .notFound)
            #expect(try await iom.get("/").body.contains("nav-overview") == false)
        }
    }

    @Test func aReferralAppearsOverdueWithWhoIsLateWhenTheCoordinatorsClockPassesItsDeadline() async throws {
        let time = ManualTime()
        let network = try await DeskNetwork.pilot()
        defer { Task { await network.stop() } }
        try await network.startCoordinator(clock: AgentClock(reading: { time.now }))
        let id = try await Self.refer(network)
        try await network.withDesk(DeskNetwork.commune) { commune in
            try await commune.signIn(DeskNetwork.coordinator)
            let before = try await commune.get("/overview")
            #expect(before.element("overdue-empty") != nil)
            // Received, nobody decides: past `decideBy` on the Commune's clock.
            time.advance(pastRealNowBy: Priority.urgent.decisionTime + 60)
            let after = try await commune.get("/overview")
            let overdue = try #require(after.element("overdue"))
            #expect(overdue.contains("data-referral-id=\"\(id)\" data-deadline=\"decide\""))
            #expect(overdue.contains("<td data-field=\"late\">\(DeskNetwork.health)</td>"))
            #expect(overdue.contains("not decided in time"))
        }
    }

    @Test func acknowledgingAnEscalationPublishesExactlyTheAcknowledgementOnTheBus() async throws {
        let time = ManualTime()
        let network = try await DeskNetwork.pilot(clock: time.clock)
        defer { Task { await network.stop() } }
        try await network.startCoordinator(clock: AgentClock(reading: { time.now }))
        let id = try await Self.refer(network)
        time.advance(pastRealNowBy: Priority.urgent.decisionTime + 60)
        #expect(await network.events.wait { events in
            events.contains { $0.0.agency == DeskNetwork.commune && { if case .escalationObserved(let e) = $0, e.deadline == .decide { true } else { false } }($0.1) }
        })
        let witness = try BusWitness(network.endpoints, prefixes: ["escalation-ack/"])
        try await network.withDesk(DeskNetwork.commune) { commune in
            try await commune.signIn(DeskNetwork.coordinator)
            let queue = try await commune.get("/overview")
            let escalations = try #require(queue.element("escalations"))
            #expect(escalations.contains("action=\"/overview/escalations/\(id)/decide\""))
            #expect(queue.body.contains("Escalations waiting (1)"))
            let answer = try await commune.post("/overview/escalations/\(id)/decide", [("action", "contacted-receiver"), ("note", "Called the delegation's desk")])
            #expect(answer.status == .seeOther)
            let (topic, envelope) = try #require(try witness.next())
            #expect(topic == "escalation-ack/\(DeskNetwork.iom)/health/\(DeskNetwork.commune)")
            #expect(envelope.header.source == DeskNetwork.commune)
            guard case .escalationAcknowledgement(let acknowledgement) = envelope.payload else { Issue.record("not an acknowledgement: \(envelope.payload)"); return }
            #expect(acknowledgement == EscalationAcknowledgement(
                referralId: try #require(UUID(uuidString: id)), referrer: DeskNetwork.iom, category: .health, deadline: .decide,
                action: .contactedReceiver, acknowledgedBy: DeskNetwork.commune, acknowledgedAt: acknowledgement.acknowledgedAt,
                note: "Called the delegation's desk"))
            #expect(abs(acknowledgement.acknowledgedAt.timeIntervalSince(time.now)) < 1)
            // Exactly one message.
            let after = try await commune.get("/overview")
            #expect(after.body.contains("Escalations waiting (0)"))
            #expect(after.element("escalations")?.contains("<span data-field=\"acknowledged\">contacted the receiving agency</span>") == true)
            #expect(after.element("escalations")?.contains("action=\"/overview/escalations/") == false)
            // Without the form's token: refused, nothing sent.
            #expect(try await commune.post("/overview/escalations/\(id)/decide", [("action", "other")], csrf: false).status == .forbidden)
        }
        #expect(try witness.next() == nil)
        let audit = try await network.audit(DeskNetwork.commune)
        #expect(audit.contains { $0.action == "escalation-ack" && $0.worker == "coordinator-1" && $0.detail == "deadline=decide action=contacted-receiver" })
    }

    @Test func anAgencyWhoseAgentStopsIsShownSilentSinceItsLastHeartbeat() async throws {
        let network = try await DeskNetwork.pilot(presenceTimeout: .seconds(1), heartbeat: .milliseconds(200))
        defer { Task { await network.stop() } }
        try await network.startCoordinator()
        try await network.withDesk(DeskNetwork.commune) { commune in
            try await commune.signIn(DeskNetwork.coordinator)
            #expect(try await commune.get("/overview").element("silent-empty") != nil)
        }
        await network.stopAgent(DeskNetwork.health)
        #expect(await network.events.wait { events in
            events.contains { $0.0.agency == DeskNetwork.commune && { if case .presenceChanged(let p) = $0, p.agency == DeskNetwork.health, p.state == .silent { true } else { false } }($0.1) }
        })
        try await network.withDesk(DeskNetwork.commune) { commune in
            try await commune.signIn(DeskNetwork.coordinator)
            let overview = try await commune.get("/overview")
            let silent = try #require(overview.element("silent"))
            #expect(silent.contains("<tr data-agency=\"\(DeskNetwork.health)\">"))
            #expect(silent.contains("silent since"))
            #expect(!silent.contains(DeskNetwork.iom))
            // Its service's last status is still in the directory.
            #expect(overview.element("directory")?.contains("data-agency=\"\(DeskNetwork.health)\"") == true)
        }
    }
}

/// The facts on the coordinator's desk: ReferralFacts fed with the registry's records as the
/// hub's views carry them, so that they are the registry's own.
@Suite("Desk facts", .serialized)
struct DeskFactsTests {
    static func rows(_ csv: String) -> [String: [String: String]] {
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first else { return [:] }
        var result: [String: [String: String]] = [:]
        for line in lines.dropFirst() where line.count == header.count {
            result["\(line[0])/\(line[1])"] = Dictionary(uniqueKeysWithValues: zip(header, line))
        }
        return result
    }

    @Test func theFactsCSVCountsWhatTheHubsRegistryCounts() async throws {
        let network = try await DeskNetwork.pilot()
        defer { Task { await network.stop() } }
        try await network.startCoordinator()
        let accepted = try await DeskOverviewTests.refer(network)
        let rejected = try await DeskOverviewTests.refer(network)
        try await network.withDesk(DeskNetwork.health) { health in
            try await health.signIn(TestWorker(worker: "caseworker-3", role: .caseworker))
            try await health.get("/referrals/\(accepted)")
            #expect(try await health.post("/referrals/\(accepted)/accept", []).status == .seeOther)
            try await health.get("/referrals/\(rejected)")
            #expect(try await health.post("/referrals/\(rejected)/reject", [("reason", "at-capacity")]).status == .seeOther)
        }
        for (id, state) in [(accepted, ReferralState.accepted), (rejected, .rejected)] {
            #expect(await network.events.wait { events in
                events.contains { $0.0.agency == DeskNetwork.commune && { if case .referralViewed(let v) = $0, v.referralId.uuidString.lowercased() == id, v.state == state { true } else { false } }($0.1) }
            })
        }
        let csv = try await network.withDesk(DeskNetwork.commune) { commune in
            try await commune.signIn(DeskNetwork.coordinator)
            let page = try await commune.get("/facts")
            #expect(page.status == .ok)
            #expect(page.element("facts-total")?.contains("<tr data-group=\"all\">") == true)
            #expect(try await commune.get("/facts?since=yesterday").status == .badRequest)
            // The report's charts: outcomes with sample sizes, who refers to whom labelled with categories.
            #expect(page.element("chart-outcomes")?.contains("health (n 2)") == true)
            #expect(page.element("chart-flows")?.contains("marker-end=\"url(#arrow)\"><title>\(DeskNetwork.iom) → \(DeskNetwork.health): health (2)</title>") == true)
            let answer = try await commune.get("/facts.csv")
            #expect(answer.headers[.contentType] == "text/csv; charset=utf-8")
            return answer.body
        }
        let desk = Self.rows(csv)
        let all = try #require(desk["all/all"])
        #expect(all["sent"] == "2")
        #expect(all["accepted"] == "1")
        #expect(all["rejected"] == "1")
        #expect(all["rejected_by_reason"] == "at-capacity=1")
        // The hub's own registry, read from its journal.
        let journal = try Journal(path: network.directory.appendingPathComponent("journal.sqlite").path, readOnly: true)
        defer { journal.close() }
        let registry = Self.rows(try journal.referralFacts().csv)
        #expect(Set(desk.keys) == Set(registry.keys))
        let counted = ReferralFacts.csvColumns.filter { !$0.hasSuffix("_median_h") && !$0.hasSuffix("_p90_h") }
        for (key, row) in registry {
            for column in counted { #expect(desk[key]?[column] == row[column], "\(key) \(column)") }
        }
    }
}

/// `/api/referrals/{id}/fhir` on any desk: the Bundle of what that agent knows.
@Suite("Desk FHIR export", .serialized)
struct DeskFHIRTests {
    @Test func everyDeskServesTheBundleOfAReferralItKnowsAndNoMore() async throws {
        let network = try await DeskNetwork.pilot()
        defer { Task { await network.stop() } }
        try await network.startCoordinator()
        let id = try await DeskOverviewTests.refer(network)
        let iom = try await network.withDesk(DeskNetwork.iom) { iom in
            #expect(try await iom.get("/api/referrals/\(id)/fhir").status == .unauthorized)
            try await iom.signIn(DeskOverviewTests.iomWorker)
            #expect(try await iom.get("/api/referrals/\(UUID().uuidString.lowercased())/fhir").status == .notFound)
            let answer = try await iom.get("/api/referrals/\(id)/fhir")
            #expect(answer.status == .ok)
            #expect(answer.headers[.contentType] == "application/fhir+json; charset=utf-8")
            return answer.body
        }
        let bundle = try #require(try JSONSerialization.jsonObject(with: Data(iom.utf8)) as? [String: Any])
        #expect(bundle["resourceType"] as? String == "Bundle")
        let types = ((bundle["entry"] as? [[String: Any]]) ?? []).compactMap { ($0["resource"] as? [String: Any])?["resourceType"] as? String }
        #expect(types.contains("ServiceRequest"))
        #expect(types.contains("Task"))
        #expect(iom.contains("C2026-00042"), "the referrer's own case reference is in its export")
        // The coordinator: the body its consent shared, never a note.
        let commune = try await network.withDesk(DeskNetwork.commune) { commune in
            try await commune.signIn(DeskNetwork.coordinator)
            let answer = try await commune.get("/api/referrals/\(id)/fhir")
            #expect(answer.status == .ok)
            return answer.body
        }
        #expect(commune.contains("\"resourceType\" : \"Bundle\"") || commune.contains("\"resourceType\":\"Bundle\""))
        #expect(commune.contains(id))
    }
}
