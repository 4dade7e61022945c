import Foundation
import Testing

/// `tansiq desk users` and an agent process serving its desk: accounts in the state file before
/// the agent first runs, the URL written where asked, people deciding by default.
@Suite("Desk commands, real processes", .serialized)
struct DeskCommandTests {
    @Test(.timeLimit(.minutes(2)))
    func workersAreAddedBeforeTheAgentRunsAndItsDeskWritesItsURL() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-desk-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("health.sqlite").path

        let add = try ChildProcess("tansiq", ["desk", "users", "add", "--state", state, "caseworker-3", "--role", "caseworker"], stdin: Data("a-long-password\n".utf8))
        #expect(await add.exitStatus() == 0, "\(add.standardError)")
        #expect(add.output == ["added caseworker-3 (caseworker)"])
        let short = try ChildProcess("tansiq", ["desk", "users", "add", "--state", state, "intake-1", "--role", "viewer"], stdin: Data("short\n".utf8))
        #expect(await short.exitStatus() == 64)
        #expect(short.standardError.contains("too short") && !short.standardError.contains("short\n"))
        let name = try ChildProcess("tansiq", ["desk", "users", "add", "--state", state, "fatima", "--role", "viewer"], stdin: Data("a-long-password\n".utf8))
        #expect(await name.exitStatus() == 64)
        #expect(name.standardError.contains("role id like caseworker-3"))
        let again = try ChildProcess("tansiq", ["desk", "users", "add", "--state", state, "caseworker-3", "--role", "viewer"], stdin: Data("a-long-password\n".utf8))
        #expect(await again.exitStatus() == 1)
        let added = try ChildProcess("tansiq", ["desk", "users", "add", "--state", state, "intake-2", "--role", "viewer"], stdin: Data("another-password\n".utf8))
        #expect(await added.exitStatus() == 0)
        let list = try ChildProcess("tansiq", ["desk", "users", "list", "--state", state])
        #expect(await list.exitStatus() == 0)
        #expect(list.output.map { $0.split(separator: "\t").prefix(2).joined(separator: " ") } == ["caseworker-3 caseworker", "intake-2 viewer"])
        let remove = try ChildProcess("tansiq", ["desk", "users", "remove", "--state", state, "intake-2"])
        #expect(await remove.exitStatus() == 0)

        let (hub, endpoints) = try await EndToEndTests.startHub()
        defer { _ = hub.terminate() }
        let urlFile = directory.appendingPathComponent("health.url").path
        let agent = try ChildProcess("services-agent", [
            "--agency", "health-delegation-agadir", "--service", "health:5", "--state", state,
            "--desk-listen", "127.0.0.1:0", "--desk-url-file", urlFile,
            "--ingress", endpoints.ingress, "--egress", endpoints.egress, "--replay", endpoints.replay ?? "", "--publish", endpoints.publish ?? "",
            "--log-level", "notice",
        ])
        #expect(await agent.waitForError(containing: "desk ready", timeout: 30), "\(agent.standardError)")
        let url = try String(contentsOfFile: urlFile, encoding: .utf8)
        #expect(url.hasPrefix("http://127.0.0.1:") && url.hasSuffix("\n"))
        // While the agent runs it holds its state file: accounts are managed with it stopped.
        let busy = try ChildProcess("tansiq", ["desk", "users", "list", "--state", state])
        #expect(await busy.exitStatus() == 75)
        #expect(busy.standardError.contains("in use"))
        #expect(agent.terminate() == 0)
        let afterwards = try ChildProcess("tansiq", ["desk", "users", "list", "--state", state])
        #expect(await afterwards.exitStatus() == 0)
        #expect(afterwards.output.count == 1)
    }

    @Test func theDeskNeedsAStateFileAndAnAddress() async throws {
        let noState = try ChildProcess("services-agent", ["--agency", "health-office", "--service", "health", "--desk-listen", "127.0.0.1:0"])
        #expect(await noState.exitStatus() == 64)
        #expect(noState.standardError.contains("--desk-listen needs --state"))
        let badAddress = try ChildProcess("iom-agent", ["--agency", "iom-demo", "--state", "/tmp/x.sqlite", "--desk-listen", "localhost"])
        #expect(await badAddress.exitStatus() == 64)
        #expect(badAddress.standardError.contains("HOST:PORT"))
        let badMode = try ChildProcess("iom-agent", ["--agency", "iom-demo", "--decisions", "robots"])
        #expect(await badMode.exitStatus() == 64)
        let badZone = try ChildProcess("iom-agent", ["--agency", "iom-demo", "--time-zone", "Mars/Olympus"])
        #expect(await badZone.exitStatus() == 64)
    }
}
