import TansiqAgent
import Foundation
import Testing

/// The hub and one agent of each role as real processes over tcp loopback.
@Suite("End to end, real processes", .serialized)
struct EndToEndTests {
    struct Endpoints: Decodable {
        var ingress: String
        var egress: String
        /// Absent when the hub keeps no journal.
        var replay: String?
        /// Present when the hub serves --http.
        var http: String?
        /// The confirmed publish endpoint.
        var publish: String?
    }

    /// A new journal file in a new temporary directory.
    static func temporaryJournal() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("journal.sqlite").path
    }

    /// Starts `tansiq-hub` on free ports (with a new journal unless `extra` names one) and
    /// returns it with the endpoints it printed. `secure` holds the hub's key flags; without
    /// them the hub runs `--insecure`.
    static func startHub(_ extra: [String] = [], secure: [String] = []) async throws -> (ChildProcess, Endpoints) {
        let mode = secure.isEmpty ? ["--insecure"] : secure
        let journal = extra.contains("--journal") || extra.contains("--no-journal") ? [] : ["--journal", try temporaryJournal()]
        let hub = try ChildProcess(
            "tansiq-hub",
            mode + ["--ingress", "tcp://127.0.0.1:*", "--egress", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*", "--publish", "tcp://127.0.0.1:*", "--log-level", "notice"]
                + journal + extra)
        let line = try #require(await hub.waitForLine(timeout: 30) { $0.hasPrefix("{") }, "the hub never printed its endpoints: \(hub.standardError)")
        return (hub, try JSONDecoder().decode(Endpoints.self, from: Data(line.utf8)))
    }

    static func startAgent(_ executable: String, _ arguments: [String], hub: Endpoints) async throws -> ChildProcess {
        // Never the default replay port: it may be another test's hub.
        let replay = hub.replay.map { ["--replay", $0] } ?? ["--no-replay"]
        let publish = hub.publish.map { ["--publish", $0] } ?? ["--no-confirm"]
        let agent = try ChildProcess(
            executable, arguments + ["--decisions", "automatic", "--ingress", hub.ingress, "--egress", hub.egress, "--print-events", "--log-level", "error"] + replay + publish)
        let ready = await agent.waitForLine(timeout: 30) { $0.contains(#""event":"ready""#) }
        try #require(ready != nil, "\(executable) never became ready: \(agent.standardError)")
        return agent
    }

    typealias Event = AgentEventRecord

    static func events(_ process: ChildProcess) -> [Event] {
        process.output.compactMap { AgentEventRecord.decode(line: $0) }
    }

    @Test func aReferralIsReceivedAcceptedCompletedAndSilenceEscalates() async throws {
        let (hub, endpoints) = try await Self.startHub(["--coordinator", "commune-agadir"])
        let commune = try await Self.startAgent("commune-agent", ["--agency", "commune-agadir", "--service", "social-assistance:5"], hub: endpoints)
        let health = try await Self.startAgent("services-agent", [
            "--agency", "health-delegation-agadir", "--service", "health:5",
            "--ack-delay", "0.05", "--decide-delay", "0.05", "--service-time", "0.2",
        ], hub: endpoints)
        let association = try await Self.startAgent("civil-society-agent", ["--agency", "association-legal-aid", "--service", "legal:5"], hub: endpoints)
        let iom = try await Self.startAgent("iom-agent", [
            "--agency", "iom-morocco",
            "--case", "health@health-delegation-agadir",
            "--case", "shelter@silent-shelter",
            "--acknowledge-within", "1", "--decide-within", "2",
        ], hub: endpoints)

        let lifecycle = ["received", "accepted", "in-progress", "completed"]
        func observedStates(_ process: ChildProcess, referral: String) -> [String] {
            Self.events(process).filter { $0.event == .statusObserved && $0.referralId == referral }.compactMap(\.state?.rawValue)
        }
        let sent = await iom.waitForLine(timeout: 30) { $0.contains(#""event":"referral-sent""#) && $0.contains("health-delegation-agadir") }
        let healthReferral = try #require(sent.flatMap { AgentEventRecord.decode(line: $0) }?.referralId)
        _ = await iom.waitForLine(timeout: 30) { $0.contains(healthReferral) && $0.contains(#""state":"completed""#) }
        _ = await commune.waitForLine(timeout: 30) { $0.contains(healthReferral) && $0.contains(#""state":"completed""#) }
        _ = await commune.waitForLine(timeout: 30) { $0.contains(#""event":"escalation-observed""#) && $0.contains(#""deadline":"decide""#) }
        // The hub raises the escalations (1.1); IOM hears them like the coordinator.
        _ = await iom.waitForLine(timeout: 30) { $0.contains(#""event":"escalation-observed""#) && $0.contains(#""deadline":"decide""#) }

        #expect(observedStates(iom, referral: healthReferral) == lifecycle)
        #expect(observedStates(commune, referral: healthReferral) == lifecycle)
        #expect(Self.events(health).contains { $0.event == .referralReceived && $0.referralId == healthReferral })
        let escalations = Self.events(commune).filter { $0.event == .escalationObserved }
        #expect(escalations.map(\.deadline) == ["acknowledge", "decide"])
        #expect(escalations.allSatisfy { $0.to == "silent-shelter" })
        #expect(Self.events(iom).filter { $0.event == .escalationObserved }.map(\.deadline) == ["acknowledge", "decide"])
        #expect(Self.events(iom).filter { $0.event == .escalationRaised }.isEmpty, "agents never escalate")

        // Graceful shutdown on SIGTERM, hub last.
        for process in [iom, association, health, commune, hub] {
            #expect(process.terminate() == 0)
        }
    }

    @Test func aHubThatCannotBindExitsWith69AndSaysWhy() async throws {
        let (hub, endpoints) = try await Self.startHub()
        let second = try ChildProcess("tansiq-hub", ["--insecure", "--ingress", endpoints.ingress, "--egress", "tcp://127.0.0.1:*", "--no-journal"])
        #expect(second.waitForExit() == 69)
        #expect(second.standardError.contains("EADDRINUSE"))
        #expect(hub.terminate() == 0)
    }

    @Test func wrongUsageExits64WithAMessage() throws {
        let unknownCategory = try ChildProcess("tansiq", ["pub", "referral", "--from", "iom-morocco", "--category", "astrology", "--case", "AGA-1"])
        #expect(unknownCategory.waitForExit() == 64)
        #expect(unknownCategory.standardError.contains("unknown category 'astrology'"))
        let noService = try ChildProcess("services-agent", ["--agency", "health-delegation-agadir"])
        #expect(noService.waitForExit() == 64)
        #expect(noService.standardError.contains("--service"))
        let badAgency = try ChildProcess("iom-agent", ["--agency", "IOM Morocco"])
        #expect(badAgency.waitForExit() == 64)
        #expect(badAgency.standardError.contains("is not an identifier"))
    }

    @Test func anInvalidMessageIsRefusedBeforeItIsSent() throws {
        let message = #"{"topic":"referral/to/health-delegation-agadir/health","type":"referral","source":"iom-morocco","body":{"referralId":"not-a-uuid"}}"#
        let pub = try ChildProcess("tansiq", ["pub", "file", "-", "--ingress", "tcp://127.0.0.1:1"], stdin: Data(message.utf8))
        #expect(pub.waitForExit() == 65)
        #expect(pub.standardError.contains("invalid message"))
    }

    @Test func aPublishedMessageReachesASubscriberAndStatsCountIt() async throws {
        let (hub, endpoints) = try await Self.startHub(["--statistics-interval", "0.2"])
        let sub = try ChildProcess("tansiq", ["sub", "referral/to/health-delegation-agadir/", "--egress", endpoints.egress, "--json", "--count", "1", "--timeout", "30"])
        // The subscriber may connect after the first message: publish until it has one (each is a new referral).
        var delivered = false
        for _ in 0..<20 where !delivered {
            let pub = try ChildProcess("tansiq", [
                "pub", "referral", "--from", "iom-morocco", "--to", "health-delegation-agadir",
                "--category", "health", "--case", "AGA-2026-0042", "--publish", endpoints.publish!,
            ])
            #expect(pub.waitForExit() == 0)
            delivered = await sub.waitForLine(timeout: 0.5) { $0.contains(#""topic":"referral/to/health-delegation-agadir/health""#) } != nil
        }
        #expect(delivered)
        #expect(sub.waitForExit() == 0)
        let stats = try ChildProcess("tansiq", ["stats", "--egress", endpoints.egress, "--json"])
        #expect(stats.waitForExit() == 0)
        #expect(stats.output.first?.contains(#""messagesIn""#) == true)
        #expect(hub.terminate() == 0)
    }
}

/// A client in another language, written from docs/PROTOCOL.md: Python and pyzmq.
@Suite("Protocol interoperability")
struct InteroperabilityTests {
    @Test func aPyzmqClientPublishesAndSubscribesThroughTheHub() async throws {
        let (hub, endpoints) = try await EndToEndTests.startHub()
        let script = ChildProcess.packageRoot.appendingPathComponent("Tests/Interop/pyzmq_client.py").path
        let python = try ChildProcess("/usr/bin/env", ["python3", script, endpoints.ingress, endpoints.egress, "--publish", try #require(endpoints.publish)])
        let status = python.waitForExit()
        #expect(status == 0, "pyzmq client: \(python.output.joined(separator: "\n")) \(python.standardError)")
        #expect(python.output.last == "ok")
        #expect(hub.terminate() == 0)
    }
}
