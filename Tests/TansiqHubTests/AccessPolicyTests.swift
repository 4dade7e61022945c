import Foundation
import TansiqHub
import TansiqMessages
import Testing
import ZeroMQ

/// The repository's `Topologies/` directory, found from this file.
let topologiesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Topologies")

@Suite("Access policy")
struct AccessPolicyTests {
    static let pilot: AccessPolicy = {
        // A failure here is reported by `pilotPolicyLoadsAndNamesEveryPilotAgency`.
        (try? AccessPolicy.load(contentsOf: topologiesDirectory.appendingPathComponent("agadir-pilot.policy.yaml").path)) ?? AccessPolicy()
    }()

    /// One row of the pilot's matrix: who, which direction, which topic or prefix, allowed or not.
    struct Row: CustomTestStringConvertible, Sendable {
        enum Action: String, Sendable { case publish, subscribe, receive }
        var agency: String
        var action: Action
        var topic: String
        var allowed: Bool
        var testDescription: String { "\(agency) \(allowed ? "may" : "may not") \(action.rawValue) '\(topic)'" }
    }

    static let iom = "iom-morocco", health = "health-delegation-agadir", shelter = "association-shelter"
    static let commune = "commune-agadir", legal = "association-legal-aid", unlisted = "association-new"

    static let matrix: [Row] = [
        // IOM, a referrer: its own referrals' news, the directory; nobody else's referrals.
        Row(agency: iom, action: .subscribe, topic: "referral/to/iom-morocco/", allowed: true),
        Row(agency: iom, action: .subscribe, topic: "status/iom-morocco/", allowed: true),
        Row(agency: iom, action: .subscribe, topic: "escalation/iom-morocco/", allowed: true),
        Row(agency: iom, action: .subscribe, topic: "service/", allowed: true),
        Row(agency: iom, action: .subscribe, topic: "hub/rejected/iom-morocco", allowed: true),
        Row(agency: iom, action: .subscribe, topic: "presence/iom-morocco/iom-morocco-1", allowed: true),
        Row(agency: iom, action: .subscribe, topic: "referral/to/health-delegation-agadir/", allowed: false),
        Row(agency: iom, action: .subscribe, topic: "referral/", allowed: false),
        Row(agency: iom, action: .subscribe, topic: "referral/open/health/", allowed: false),
        Row(agency: iom, action: .subscribe, topic: "status/", allowed: false),
        Row(agency: iom, action: .subscribe, topic: "status/health-delegation-agadir/", allowed: false),
        Row(agency: iom, action: .subscribe, topic: "hub/rejected/health-delegation-agadir", allowed: false),
        Row(agency: iom, action: .subscribe, topic: "hub/rejected/", allowed: false),
        Row(agency: iom, action: .subscribe, topic: "", allowed: false),
        Row(agency: iom, action: .publish, topic: "referral/to/health-delegation-agadir/health", allowed: true),
        Row(agency: iom, action: .publish, topic: "referral/open/shelter/iom-morocco", allowed: true),
        Row(agency: iom, action: .publish, topic: "referral/open/shelter/commune-agadir", allowed: false),
        Row(agency: iom, action: .publish, topic: "status/health-delegation-agadir/iom-morocco/health", allowed: true),
        Row(agency: iom, action: .publish, topic: "status/iom-morocco/health-delegation-agadir/health", allowed: false),
        Row(agency: iom, action: .publish, topic: "escalation/iom-morocco/health", allowed: true),
        Row(agency: iom, action: .publish, topic: "escalation/commune-agadir/health", allowed: false),
        Row(agency: iom, action: .publish, topic: "service/health/health-delegation-agadir", allowed: false),
        Row(agency: iom, action: .publish, topic: "hub/stats/main", allowed: false),
        // The health delegation, a state service: its referrals and the open ones of its categories.
        Row(agency: health, action: .subscribe, topic: "referral/to/health-delegation-agadir/", allowed: true),
        Row(agency: health, action: .subscribe, topic: "referral/open/health/", allowed: true),
        Row(agency: health, action: .subscribe, topic: "referral/open/mhpss/", allowed: true),
        Row(agency: health, action: .subscribe, topic: "status/health-delegation-agadir/", allowed: true),
        Row(agency: health, action: .subscribe, topic: "referral/open/shelter/", allowed: false),
        Row(agency: health, action: .subscribe, topic: "referral/open/", allowed: false),
        Row(agency: health, action: .subscribe, topic: "referral/to/association-shelter/", allowed: false),
        Row(agency: health, action: .subscribe, topic: "status/iom-morocco/", allowed: false),
        Row(agency: health, action: .subscribe, topic: "escalation/", allowed: false),
        Row(agency: health, action: .publish, topic: "service/health/health-delegation-agadir", allowed: true),
        Row(agency: health, action: .publish, topic: "status/iom-morocco/health-delegation-agadir/health", allowed: true),
        Row(agency: health, action: .publish, topic: "presence/health-delegation-agadir/desk-1", allowed: true),
        Row(agency: health, action: .publish, topic: "presence/iom-morocco/desk-1", allowed: false),
        Row(agency: health, action: .publish, topic: "service/health/association-shelter", allowed: false),
        // An association does not read referrals addressed to a hospital.
        Row(agency: shelter, action: .subscribe, topic: "referral/to/health-delegation-agadir/", allowed: false),
        Row(agency: shelter, action: .subscribe, topic: "referral/to/health-delegation-agadir/health", allowed: false),
        Row(agency: shelter, action: .subscribe, topic: "referral/to/", allowed: false),
        Row(agency: shelter, action: .subscribe, topic: "referral/open/shelter/", allowed: true),
        Row(agency: shelter, action: .subscribe, topic: "referral/open/protection/", allowed: true),
        Row(agency: shelter, action: .subscribe, topic: "referral/open/health/", allowed: false),
        Row(agency: shelter, action: .subscribe, topic: "referral/to/association-shelter/", allowed: true),
        Row(agency: shelter, action: .receive, topic: "referral/to/health-delegation-agadir/health", allowed: false),
        Row(agency: shelter, action: .receive, topic: "referral/open/shelter/iom-morocco", allowed: true),
        Row(agency: shelter, action: .receive, topic: "status/iom-morocco/health-delegation-agadir/health", allowed: false),
        Row(agency: legal, action: .subscribe, topic: "referral/open/legal/", allowed: true),
        Row(agency: legal, action: .subscribe, topic: "referral/open/shelter/", allowed: false),
        Row(agency: legal, action: .subscribe, topic: "referral/to/association-shelter/", allowed: false),
        // The Commune coordinates: the network's flow through the hub's de-identified views, every
        // status, escalation and liveness, but no referral body addressed to another agency.
        Row(agency: commune, action: .subscribe, topic: "referral/", allowed: false),
        Row(agency: commune, action: .subscribe, topic: "hub/view/", allowed: true),
        Row(agency: commune, action: .subscribe, topic: "hub/escalation/", allowed: true),
        Row(agency: commune, action: .subscribe, topic: "status/", allowed: true),
        Row(agency: commune, action: .subscribe, topic: "escalation/", allowed: true),
        Row(agency: commune, action: .subscribe, topic: "hub/presence/", allowed: true),
        Row(agency: commune, action: .subscribe, topic: "referral/open/social-assistance/", allowed: true),
        Row(agency: commune, action: .subscribe, topic: "hub/rejected/iom-morocco", allowed: false),
        Row(agency: commune, action: .subscribe, topic: "", allowed: false),
        Row(agency: commune, action: .receive, topic: "referral/to/health-delegation-agadir/health", allowed: false),
        Row(agency: commune, action: .receive, topic: "referral/to/commune-agadir/legal", allowed: true),
        Row(agency: commune, action: .publish, topic: "status/iom-morocco/commune-agadir/social-assistance", allowed: true),
        // An agency the policy does not name gets the defaults only.
        Row(agency: unlisted, action: .subscribe, topic: "referral/to/association-new/", allowed: true),
        Row(agency: unlisted, action: .subscribe, topic: "referral/open/legal/", allowed: false),
    ]

    @Test("pilot ACL matrix", arguments: matrix)
    func pilotMatrix(_ row: Row) {
        let allowed = switch row.action {
        case .publish: Self.pilot.allowsPublish(agency: row.agency, topic: row.topic)
        case .subscribe: Self.pilot.allowsSubscribe(agency: row.agency, prefix: row.topic)
        case .receive: Self.pilot.allowsDelivery(agency: row.agency, topic: row.topic)
        }
        #expect(allowed == row.allowed)
    }

    @Test func pilotPolicyLoadsAndNamesEveryPilotAgency() throws {
        let policy = try AccessPolicy.load(contentsOf: topologiesDirectory.appendingPathComponent("agadir-pilot.policy.yaml").path)
        let topology = try String(contentsOf: topologiesDirectory.appendingPathComponent("agadir-pilot.yaml"), encoding: .utf8)
        let section = topology.components(separatedBy: "\n  nodes:\n")[1].components(separatedBy: "\n  links:")[0]
        let nodes = section.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") else { return nil }
            return String(line.dropFirst(4).dropLast())
        }
        #expect(nodes.count == 13)
        for node in nodes { #expect(policy.agencies[node] != nil, "\(node) is not in the pilot policy") }
    }

    @Test func denyWinsOverAllowForTopicsAndForEverySubscriptionThatCouldDeliverThem() throws {
        let policy = try AccessPolicy.parse(yaml: """
            defaults:
              subscribe:
                allow: ["referral/"]
                deny: ["referral/open/protection/"]
              publish:
                allow: ["status/*/%a/"]
                deny: ["status/commune-agadir/%a/"]
            """, file: "test.yaml")

        #expect(policy.allowsSubscribe(agency: "a", prefix: "referral/open/health/"))
        #expect(!policy.allowsSubscribe(agency: "a", prefix: "referral/open/protection/"))
        #expect(!policy.allowsSubscribe(agency: "a", prefix: "referral/open/"))
        #expect(!policy.allowsSubscribe(agency: "a", prefix: "referral/"))
        #expect(!policy.allowsSubscribe(agency: "a", prefix: "referral/open/prot"))
        #expect(policy.allowsDelivery(agency: "a", topic: "referral/open/health/iom"))
        #expect(!policy.allowsDelivery(agency: "a", topic: "referral/open/protection/iom"))
        #expect(policy.allowsPublish(agency: "a", topic: "status/iom/a/health"))
        #expect(!policy.allowsPublish(agency: "a", topic: "status/commune-agadir/a/health"))
        #expect(!policy.allowsPublish(agency: "a", topic: "status/iom/b/health"))
    }

    @Test func malformedPoliciesAreRefusedNamingTheKey() {
        let cases: [(String, String)] = [
            ("defaults: { publish: { allow: [\"referral//\"] } }", "defaults.publish.allow"),
            ("defaults: { publish: { alow: [] } }", "unknown key 'alow'"),
            ("agencies: { iom: { roles: [ghost] } }", "unknown role 'ghost'"),
            ("rules: {}", "unknown key 'rules'"),
            ("defaults: { subscribe: { allow: [\"Referral/\"] } }", "not an identifier"),
        ]
        for (yaml, expected) in cases {
            let error = #expect(throws: HubError.self) { try AccessPolicy.parse(yaml: yaml, file: "p.yaml") }
            #expect(error?.message.contains(expected) == true, "\(yaml): \(error?.message ?? "-")")
        }
    }
}

@Suite("Access policy at a secure hub", .timeLimit(.minutes(1)))
struct HubAuthorizationTests {
    @Test func anAssociationCannotSubscribeToAHospitalsReferrals() async throws {
        let keys = try TestKeys(agencies: [Pilot.iom, Pilot.health, Pilot.shelter])
        let policy = HubSecurity.PolicySource.file(topologiesDirectory.appendingPathComponent("agadir-pilot.policy.yaml").path)
        try await withHub(keys.configuration(policy: policy)) { hub, endpoints in
            let shelter = try SecureClient(endpoints, agency: Pilot.shelter, keys: keys[Pilot.shelter], hubKey: keys.hub.publicKey, prefixes: ["referral/to/\(Pilot.health)/", "referral/open/shelter/"])
            let health = try SecureClient(endpoints, agency: Pilot.health, keys: keys[Pilot.health], hubKey: keys.hub.publicKey, prefixes: ["referral/to/\(Pilot.health)/"])
            let iom = try SecureClient(endpoints, agency: Pilot.iom, keys: keys[Pilot.iom], hubKey: keys.hub.publicKey, prefixes: [])

            let refusal = try #require(try shelter.nextRejection())
            #expect(refusal.reason == .notAuthorized)
            #expect(refusal.topic == "referral/to/\(Pilot.health)/")

            let toHealth = try iom.publish(try Pilot.referral())
            let open = try iom.publish(try Pilot.referral(to: nil, category: .shelter))
            #expect(Array(try #require(try health.next()).frames.prefix(3)) == toHealth)
            // The association receives the open shelter referral and nothing addressed to the hospital.
            let received = try #require(try shelter.next())
            #expect(Array(received.frames.prefix(3)) == open)
            #expect(try shelter.drainUntilMarker().isEmpty)
            // Read after later rounds of the hub's loop, which publishes its counters after each.
            #expect(hub.counters.deniedSubscriptions == 1)
        }
    }

    @Test func aPublicationOutsideTheAgencysRightsIsRefused() async throws {
        let keys = try TestKeys(agencies: [Pilot.iom, Pilot.commune])
        var policy = AccessPolicy.leastPrivilege
        policy.agencies[Pilot.iom] = AccessPolicy.Agency(rule: AccessPolicy.Rule(publish: AccessPolicy.Permissions(deny: ["referral/open/"])))
        policy.agencies[Pilot.commune] = AccessPolicy.Agency(rule: AccessPolicy.Rule(subscribe: AccessPolicy.Permissions(allow: ["referral/"])))
        try await withHub(keys.configuration(policy: .policy(policy))) { hub, endpoints in
            // Consent keeps even an allowed `referral/` from delivering others' referrals: the Commune reads its own.
            let commune = try SecureClient(endpoints, agency: Pilot.commune, keys: keys[Pilot.commune], hubKey: keys.hub.publicKey, prefixes: ["referral/to/\(Pilot.commune)/"])
            let iom = try SecureClient(endpoints, agency: Pilot.iom, keys: keys[Pilot.iom], hubKey: keys.hub.publicKey, prefixes: [])
            try iom.publish(try Pilot.referral(to: nil, category: .shelter))

            let refusal = try #require(try iom.nextRejection())
            #expect(refusal.reason == .notAuthorized)
            #expect(refusal.message.contains("may not publish on 'referral/open/shelter/\(Pilot.iom)'"))
            let addressed = try iom.publish(try Pilot.referral(to: Pilot.commune, category: .socialAssistance))
            #expect(Array(try #require(try commune.next()).frames.prefix(3)) == addressed)
        }
    }
}
