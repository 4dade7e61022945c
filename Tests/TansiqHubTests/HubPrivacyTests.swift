import Foundation
import Logging
import TansiqHub
import TansiqMessages
import TansiqVault
import TansiqTestSupport
import Testing
import ZeroMQ

/// Issue 13's audit, replayed: on a secure hub with the Agadir pilot policy and an encrypted
/// journal, every probe is refused with its reason, and no refused value reaches the hub's log,
/// its journal files or `hub/rejected/<agency>`.
@Suite("Hub privacy", .serialized)
struct HubPrivacyTests {
    /// The probes: a name, how it is put in a referral body.
    nonisolated(unsafe) static let probes: [(name: String, edit: (inout [String: Any]) -> Void, keyPath: String)] = [
        ("case reference spelled as a name", { $0["caseReference"] = "FATIMA-ZAHRA-AMRANI" }, "body.caseReference"),
        ("note with a name, phone, CIN and health status",
         { $0["note"] = "Fatima Zahra Amrani, tel 0612345678, Hay Mohammadi, CIN JB123456, HIV+" }, "body.note"),
        ("French key nom", { $0["nom"] = "Amrani" }, "body.nom"),
        ("French key prenom", { $0["prenom"] = "Fatima Zahra" }, "body.prenom"),
        ("French key adresse", { $0["adresse"] = "Hay Mohammadi" }, "body.adresse"),
        ("French key nationalite", { $0["nationalite"] = "guineenne-conakry" }, "body.nationalite"),
        ("French key diagnostic", { $0["diagnostic"] = "HIV+" }, "body.diagnostic"),
        ("reason code hiv-positive", { $0["reasonCodes"] = ["hiv-positive"] }, "body.reasonCodes[0]"),
        ("reason code with a name and phone", { $0["reasonCodes"] = ["fatima-amrani-0612345678"] }, "body.reasonCodes[0]"),
        ("worker id that is a name", { $0["referringWorker"] = "fatima-amrani" }, "body.referringWorker"),
        ("needs flag with a birth year and place",
         { $0["subject"] = ["needsFlags": ["born-1990-conakry"]] }, "body.subject.needsFlags[0]"),
    ]

    /// Values none of which may be found anywhere after the probes.
    static let refusedValues = [
        "FATIMA-ZAHRA-AMRANI", "Fatima", "Amrani", "0612345678", "JB123456", "Mohammadi", "HIV+", "hiv-positive",
        "fatima-amrani", "born-1990-conakry", "guineenne", "conakry",
    ]

    /// The frames of a referral whose body went through `edit`, as a client that skips the
    /// encoder's checks would send them.
    static func frames(_ edit: (inout [String: Any]) -> Void) throws -> [[UInt8]] {
        var frames = try MessageCodec.encode(try Pilot.referral())
        var body = try JSONSerialization.jsonObject(with: Data(frames[2])) as! [String: Any]
        edit(&body)
        frames[2] = Array(try JSONSerialization.data(withJSONObject: body))
        return frames
    }

    @Test func everyProbeIsRefusedAndNoRefusedValueIsKeptAnywhere() async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let masterKey = MasterKey.generate()
        let keys = try TestKeys(agencies: [Pilot.iom, Pilot.health])
        var configuration = keys.configuration(policy: .file(topologiesDirectory.appendingPathComponent("agadir-pilot.policy.yaml").path))
        configuration.journal = JournalConfiguration(path: directory.journalPath, masterKey: masterKey)
        let log = CapturedLog()
        var accepted: [[UInt8]] = []
        var rejectionFrames: [[UInt8]] = []

        try await withLoggedHub(configuration, log: log) { endpoints in
            let iom = try SecureClient(endpoints, agency: Pilot.iom, keys: keys[Pilot.iom], hubKey: keys.hub.publicKey, prefixes: [])
            let health = try SecureClient(
                endpoints, agency: Pilot.health, keys: keys[Pilot.health], hubKey: keys.hub.publicKey,
                prefixes: ["referral/to/\(Pilot.health)/"])
            for probe in Self.probes {
                try iom.publisher.send(try Self.frames(probe.edit))
                let message = try #require(try iom.next(), "no answer to the probe \(probe.name)")
                rejectionFrames += message.frames
                guard case .hubRejection(let rejection) = try MessageCodec.decode(message.frames).envelope.payload else {
                    Issue.record("\(probe.name): not a rejection")
                    continue
                }
                #expect(rejection.reason == .badBody, "\(probe.name)")
                #expect(rejection.message.contains(probe.keyPath), "\(probe.name): \(rejection.message)")
            }
            // A referral that breaks no rule still goes through, note and all.
            var good = try Pilot.referral()
            if case .referral(var referral) = good.payload {
                referral.note = "Appointment at the Anza health centre."
                good.payload = .referral(referral)
            }
            let sent = try iom.publish(good)
            let delivered = try #require(try health.next())
            #expect(Array(delivered.frames.prefix(3)) == sent)
            accepted = sent
        }

        // The log, the rejections and the journal files hold none of the refused values.
        let logText = log.text
        #expect(logText.contains("message rejected"))
        for value in Self.refusedValues {
            #expect(!logText.contains(value), "the hub's log holds \(value)")
            #expect(!rejectionFrames.contains { $0.contains(subsequence: value) }, "a rejection holds \(value)")
        }
        let files = [directory.journalPath, directory.journalPath + "-wal", directory.journalPath + "-shm"]
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            let bytes = Array(data)
            for value in Self.refusedValues + ["AGA-2026-0042", "Anza health centre", "medical-consultation", "caseworker-3"] {
                #expect(!bytes.contains(subsequence: value), "\(file) holds \(value)")
            }
        }
        // Read back with the master key, the accepted referral is the bytes sent.
        let journal = try Journal(path: directory.journalPath, readOnly: true, masterKey: masterKey)
        defer { journal.close() }
        let referrals = try journal.records(after: 0, prefixes: ["referral/"], limit: 10)
        #expect(referrals.count == 1)
        #expect(referrals.first?.body == accepted[2])
        #expect(referrals.first?.header == accepted[1])
        // Without it, nothing opens.
        let blind = try Journal(path: directory.journalPath, readOnly: true)
        defer { blind.close() }
        #expect(throws: JournalError.self) { try blind.records(after: 0, prefixes: ["referral/"], limit: 10) }
    }

    @Test func replaySkipsErasedReferralsSaysHowManyAndReturnsTheRestByteForByte() async throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        var configuration = journaledConfiguration(directory)
        configuration.journal?.masterKey = MasterKey.generate()
        let inbox = "referral/to/\(Sample.receiver)/"
        try await withHub(configuration) { _, endpoints in
            let client = try StreamClient(endpoints, prefixes: [inbox])
            let ids = (0..<10).map { _ in UUID() }
            var forwarded: [UUID: [[UInt8]]] = [:]
            for id in ids {
                try client.publisher.send(try Sample.referralFrames(id: id))
                forwarded[id] = try #require(try client.next()).frames
            }
            // Beside the running hub, as `tansiq journal erase` does.
            let erased = Array(ids.prefix(3))
            let erasure = try Journal.erase(referrals: erased.map { $0.uuidString.lowercased() }, inJournalAt: directory.journalPath)
            // Each referral and the hub's de-identified view of it (protocol 1.1).
            #expect(erasure.messages == 6)
            #expect(erasure.keys == 3)
            // The hub notices: a later message of an erased referral (its referrer re-publishing
            // it, byte for byte, as agents do before a deadline) is sealed with a new key, and readable.
            try client.publisher.send(Array(try #require(forwarded[erased[0]]).prefix(3)))
            let late = try #require(try client.next()).frames

            let dealer = try ReplayDealer(try #require(endpoints.replay))
            let page = try dealer.page(agency: Sample.receiver, prefixes: [inbox], after: 0)
            #expect(page.end.erased == 3)
            #expect(page.messages.count == 8)
            #expect(page.messages == ids.dropFirst(3).map { forwarded[$0]! } + [late])
        }
    }

    @Test func aHubConfiguredToRefuseNotesRefusesEveryNote() async throws {
        var configuration = HubConfiguration(ingress: "tcp://127.0.0.1:*", egress: "tcp://127.0.0.1:*", security: .insecure)
        configuration.privacy.notes = .refused
        try await withLoggedHub(configuration, log: CapturedLog()) { endpoints in
            let client = try RawClient(endpoints, prefixes: ["hub/rejected/", "referral/"])
            try client.publisher.send(try Self.frames { $0["note"] = "Appointment at the Anza health centre." })
            let message = try #require(try client.next())
            guard case .hubRejection(let rejection) = try MessageCodec.decode(message.frames).envelope.payload else {
                Issue.record("not a rejection")
                return
            }
            #expect(rejection.message.contains("privacy.notes"))
            #expect(!rejection.message.contains("Anza"))
        }
    }
}

/// Every log line of a hub, as text.
final class CapturedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return lines.joined(separator: "\n")
    }

    var logger: Logger {
        var logger = Logger(label: "test.hub") { _ in CapturingHandler(log: self) }
        logger.logLevel = .trace
        return logger
    }

    struct CapturingHandler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            let all = metadata.merging(extra ?? [:]) { $1 }
            log.append("\(level) \(message) \(all.map { "\($0)=\($1)" }.sorted().joined(separator: " "))")
        }
    }
}

/// A hub whose log goes to `log`, run for the length of `body`.
func withLoggedHub(_ configuration: HubConfiguration, log: CapturedLog, _ body: (HubEndpoints) async throws -> Void) async throws {
    let hub = try Hub(configuration: configuration, logger: log.logger)
    let task = Task { try await hub.run() }
    do {
        try await body(try await hub.endpoints())
        task.cancel()
        try await task.value
    } catch {
        task.cancel()
        _ = try? await task.value
        throw error
    }
}
