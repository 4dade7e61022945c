import Foundation
import TansiqAgent
import Testing

/// Agent executables offline, stopped or killed while referrals flow, against a journaled hub.
@Suite("Agents that come back, real processes", .serialized)
struct AgentRestartTests {
    static let provider = "health-delegation-agadir"

    static func stateFile() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-agent-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("agent.sqlite").path
    }

    static func events(_ process: ChildProcess, _ kind: AgentEventRecord.Kind) -> [EndToEndTests.Event] {
        EndToEndTests.events(process).filter { $0.event == kind }
    }

    /// IOM's agent sending `count` health referrals to the provider, one every 10 ms.
    static func referrer(count: Int, hub: EndToEndTests.Endpoints) async throws -> ChildProcess {
        try await EndToEndTests.startAgent("iom-agent", [
            "--agency", "iom-morocco", "--route", "health=\(provider)", "--needs", "health",
            "--random-cases", "\(count)", "--case-interval", "0.01",
        ], hub: hub)
    }

    static func provider(state: String, serviceTime: Double, hub: EndToEndTests.Endpoints) async throws -> ChildProcess {
        try await EndToEndTests.startAgent("services-agent", [
            "--agency", provider, "--service", "health:50", "--state", state,
            "--ack-delay", "0.05", "--decide-delay", "0.05", "--service-time", "\(serviceTime)",
        ], hub: hub)
    }

    @Test func anAgentOfflineWhileTwentyReferralsAreSentReceivesEachOnceWhenItComesBack() async throws {
        let (hub, endpoints) = try await EndToEndTests.startHub()
        let state = try Self.stateFile()
        let first = try await Self.provider(state: state, serviceTime: 0.1, hub: endpoints)
        #expect(await first.waitForLine(timeout: 30) { $0.contains(#""event":"caught-up""#) } != nil)
        #expect(first.terminate() == 0)

        let iom = try await Self.referrer(count: 20, hub: endpoints)
        _ = await iom.waitForLine(timeout: 30) { _ in Self.events(iom, .referralSent).count == 20 }
        let sent = Self.events(iom, .referralSent).compactMap(\.referralId)
        #expect(sent.count == 20)

        let back = try await Self.provider(state: state, serviceTime: 0.1, hub: endpoints)
        let completed = { Set(Self.events(iom, .statusObserved).filter { $0.state == .completed }.compactMap(\.referralId)) }
        _ = await iom.waitForLine(timeout: 60) { _ in completed().count == 20 }
        #expect(completed() == Set(sent))

        let received = Self.events(back, .referralReceived).compactMap(\.referralId)
        #expect(received.sorted() == sent.sorted(), "every referral received once")
        #expect(Self.events(first, .referralReceived).isEmpty)
        let acknowledged = Self.events(back, .statusPublished).filter { $0.state == .received }.compactMap(\.referralId)
        #expect(acknowledged.sorted() == sent.sorted(), "each acknowledged once")
        for process in [iom, back, hub] { #expect(process.terminate() == 0) }
    }

    @Test func anAgentKilledMidFlowResumesItsReferralsInTheirStates() async throws {
        let (hub, endpoints) = try await EndToEndTests.startHub()
        let state = try Self.stateFile()
        // Long enough that even a heavily loaded machine kills the provider before a service ends.
        let first = try await Self.provider(state: state, serviceTime: 8, hub: endpoints)
        let iom = try await Self.referrer(count: 5, hub: endpoints)
        let inProgress = { Set(Self.events(first, .statusPublished).filter { $0.state == .inProgress }.compactMap(\.referralId)) }
        _ = await first.waitForLine(timeout: 30) { _ in inProgress().count == 5 }
        let sent = Self.events(iom, .referralSent).compactMap(\.referralId)
        #expect(inProgress() == Set(sent))
        first.killAbruptly()

        // What the killed agent had saved: every referral processed and answered, none lost. (The
        // kill may fall between a publication and its save: that step is then taken again.)
        let saved = try AgentStore(path: state).contents()
        #expect(Set(saved.referrals.map { $0.referral.referralId.uuidString.lowercased() }) == Set(sent))
        #expect(saved.referrals.allSatisfy { [.received, .accepted, .inProgress].contains($0.state) })
        #expect(saved.processed.count == 5)

        let back = try await Self.provider(state: state, serviceTime: 3, hub: endpoints)
        #expect(await back.waitForLine(timeout: 30) { $0.contains(#""event":"resumed""#) } != nil)
        let lifecycle = ["received", "accepted", "in-progress", "completed"]
        func observed(_ id: String) -> [String] {
            Self.events(iom, .statusObserved).filter { $0.referralId == id }.compactMap(\.state?.rawValue)
        }
        _ = await iom.waitForLine(timeout: 60) { _ in sent.allSatisfy { observed($0).last == "completed" } }
        for id in sent { #expect(observed(id) == lifecycle, "referral \(id)") }
        #expect(Self.events(back, .referralReceived).isEmpty, "nothing processed twice")
        let published = Self.events(back, .statusPublished)
        #expect(published.filter { $0.state == .received }.isEmpty)
        #expect(published.filter { $0.state == .completed }.compactMap(\.referralId).sorted() == sent.sorted())
        for process in [iom, back, hub] { #expect(process.terminate() == 0) }
    }
}
