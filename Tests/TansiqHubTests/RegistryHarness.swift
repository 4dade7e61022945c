import Foundation
import TansiqHub
import TansiqMessages
import TansiqTestSupport
import Testing
import ZeroMQ

/// A hub's two security modes: the registry's rules hold in both.
enum HubMode: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case secure, insecure
    var testDescription: String { rawValue }
}

/// A pilot network on a journaling hub, secure with the pilot's policy or insecure: clients
/// for its agencies, and the registry and trail of a referral read back from the hub's database.
struct RegistryNetwork {
    static let agencies = [Pilot.iom, Pilot.health, Pilot.commune, Pilot.shelter, Pilot.legal, Pilot.inezgane, Pilot.entraide]
    let mode: HubMode
    let keys: TestKeys?
    let directory: JournalDirectory
    var configuration: HubConfiguration

    init(_ mode: HubMode, bodyValidation: HubConfiguration.BodyValidation = .full) throws {
        self.mode = mode
        keys = mode == .secure ? try TestKeys(agencies: Self.agencies) : nil
        directory = try JournalDirectory()
        let policy = topologiesDirectory.appendingPathComponent("agadir-pilot.policy.yaml").path
        configuration = keys?.configuration(policy: .file(policy))
            ?? HubConfiguration(ingress: "tcp://127.0.0.1:*", egress: "tcp://127.0.0.1:*", security: .insecure)
        configuration.journal = JournalConfiguration(path: directory.journalPath, durability: .normal)
        configuration.replay = "tcp://127.0.0.1:*"
        configuration.bodyValidation = bodyValidation
        configuration.registry.coordinator = Pilot.commune
    }

    func client(_ endpoints: HubEndpoints, _ agency: String, _ prefixes: [String] = []) throws -> SecureClient {
        try SecureClient(endpoints, agency: agency, keys: keys?[agency], hubKey: keys?.hub.publicKey, prefixes: prefixes)
    }

    /// The referral's record and the sequences of its trail, as `tansiq referrals show` reads them.
    func trail(of referral: Envelope) throws -> (record: ReferralRecord?, sequences: [UInt64]) {
        let id = try #require(referral.payload.referralID)
        let journal = try Journal(path: directory.journalPath, readOnly: true)
        defer { journal.close() }
        let record = try journal.referrals(ReferralFilter(referralId: id)).first
        let sequences = try journal.records(correlationID: id.uuidString.lowercased(), limit: 1000).map(\.sequence)
        return (record, sequences)
    }

    /// Publishes a probe that must be refused for `reason`; checks the referral's trail did not change.
    func expectRefused(
        _ probe: Envelope, by client: SecureClient, _ reason: HubRejection.Reason, of referral: Envelope,
        mentioning text: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = try trail(of: referral)
        try client.publish(probe)
        let rejection = try #require(try client.nextRejection(), "no rejection of \(reason)", sourceLocation: sourceLocation)
        #expect(rejection.reason == reason, "\(rejection.message)", sourceLocation: sourceLocation)
        #expect(rejection.rejectedMessageId == probe.header.id, sourceLocation: sourceLocation)
        if let text { #expect(rejection.message.contains(text), "\(rejection.message)", sourceLocation: sourceLocation) }
        let after = try trail(of: referral)
        #expect(after.record == before.record, sourceLocation: sourceLocation)
        #expect(after.sequences == before.sequences, sourceLocation: sourceLocation)
    }
}

extension Pilot {
    static let inezgane = "commune-inezgane"
    static let entraide = "entraide-nationale-agadir"
}
