import Foundation
import Logging
import TansiqHub
import TansiqVault
import TansiqAgent
import TansiqMessages
import Testing
@testable import TansiqSimulation

/// A run that keeps its files as a deployment does: the hub's journal and every agent's state
/// file sealed with a master key, owner-only; nothing readable in them without the key.
@Suite("Simulation files at rest", .serialized)
struct SimulationAtRestTests {
    @Test(.timeLimit(.minutes(3)))
    func agentProcessesWithSealedStateLoseNothingAndLeaveNoPlaintext() async throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-sim-at-rest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let keyFile = root.appendingPathComponent("master.key").path
        let key = MasterKey.generate()
        try key.write(to: keyFile)
        let minimal = try SimulationProcessTests.minimal()
        var simulation = Simulation(topology: minimal, seed: 11, timeScale: 43_200)
        let atRest = Simulation.AtRest(directory: root.appendingPathComponent("data").path, masterKeyFile: keyFile)
        simulation.atRest = atRest
        let report = try await simulation.run(processes: AgentExecutables(directory: SimulationProcessTests.binaries), logger: SimulationProcessTests.logger)
        #expect(report.referrals.lost == 0)
        #expect(report.referrals.created == 8)

        let states = try FileManager.default.contentsOfDirectory(atPath: atRest.directory + "/agents").filter { $0.hasSuffix(".sqlite") }
        #expect(!states.isEmpty)
        #expect(PrivateFiles.mode(of: atRest.directory) == 0o700)
        let journal = try Journal(path: atRest.journalPath, readOnly: true, masterKey: key)
        defer { journal.close() }
        let referrals = try journal.records(after: 0, prefixes: ["referral/"], limit: 1000)
        #expect(referrals.count == 8)
        // What a reader of the files could look for: the case references and reason codes sent.
        var secrets: Set<String> = ["caseReference", "reasonCodes", "caseworker"]
        for record in referrals {
            let body = try JSONSerialization.jsonObject(with: Data(record.body)) as! [String: Any]
            secrets.insert(body["caseReference"] as! String)
            for code in body["reasonCodes"] as! [String] { secrets.insert(code) }
        }
        for file in [atRest.journalPath, atRest.journalPath + "-wal"] + states.map({ atRest.directory + "/agents/" + $0 }) {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            #expect(PrivateFiles.mode(of: file) == 0o600, "\(file)")
            let bytes = Array(data)
            for secret in secrets {
                #expect(!bytes.contains(subsequence: secret), "\(file) holds \(secret)")
            }
        }
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence text: String) -> Bool {
        let needle = Array(text.utf8)
        guard !needle.isEmpty, count >= needle.count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
