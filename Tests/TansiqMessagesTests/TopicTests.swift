import Testing
@testable import TansiqMessages

@Suite struct TopicTests {
    @Test func everyBuilderProducesAParsableTopicWithItsParts() throws {
        let addressed = try Topic.referral(to: "health-delegation-agadir", category: .health)
        #expect(addressed.rawValue == "referral/to/health-delegation-agadir/health")
        #expect(addressed.family == .referralAddressed)
        #expect(addressed.receiver == "health-delegation-agadir")
        #expect(addressed.category == .health)
        #expect(addressed.declaredSender == nil)
        #expect(try Topic(addressed.rawValue) == addressed)

        let open = try Topic.openReferral(category: .mhpss, referrer: "commune-agadir")
        #expect(open.rawValue == "referral/open/mhpss/commune-agadir")
        #expect(open.referrer == "commune-agadir")
        #expect(open.declaredSender == "commune-agadir")

        let status = try Topic.status(addressee: "iom-agadir", sender: "health-delegation-agadir", category: .health)
        #expect(status.rawValue == "status/iom-agadir/health-delegation-agadir/health")
        #expect(status.addressee == "iom-agadir")
        #expect(status.sender == "health-delegation-agadir")
        #expect(status.declaredSender == "health-delegation-agadir")

        let escalation = try Topic.escalation(referrer: "iom-agadir", category: .health)
        #expect(escalation.rawValue == "escalation/iom-agadir/health")
        #expect(escalation.declaredSender == "iom-agadir")

        let service = try Topic.service(category: .shelter, agency: "association-amal")
        #expect(service.rawValue == "service/shelter/association-amal")
        #expect(service.agency == "association-amal")
        #expect(service.declaredSender == "association-amal")

        let presence = try Topic.presence(agency: "iom-agadir", agent: "desk-2")
        #expect(presence.rawValue == "presence/iom-agadir/desk-2")
        #expect(presence.agent == "desk-2")
        #expect(presence.declaredSender == "iom-agadir")

        #expect(try Topic.hubStatistics(hub: "hub-agadir").hub == "hub-agadir")
        #expect(try Topic.hubRejection(agency: "iom-agadir").rawValue == "hub/rejected/iom-agadir")
        #expect(try Topic.hubPresence(agency: "iom-agadir").rawValue == "hub/presence/iom-agadir")
        #expect(try Topic.replayRequest(agency: "iom-agadir").declaredSender == "iom-agadir")
        #expect(try Topic.replayEnd(agency: "iom-agadir").declaredSender == nil)
        #expect(try Topic.hubShared(category: .health, referrer: "iom-agadir").rawValue == "hub/shared/health/iom-agadir")
        #expect(try Topic.hubShared(category: .health, referrer: "iom-agadir").declaredSender == nil)
        let ack = try Topic.escalationAck(referrer: "iom-agadir", category: .health, coordinator: "commune-agadir")
        #expect(ack.rawValue == "escalation-ack/iom-agadir/health/commune-agadir")
        #expect(ack.declaredSender == "commune-agadir")
        #expect(ack.referrer == "iom-agadir" && ack.category == .health)
    }

    @Test func everyFamilyTemplateParsesWithItsParts() throws {
        for family in Topic.Family.allCases {
            #expect(family.partNames.count == family.partCount)
            let sample = family.template.replacingOccurrences(of: "<", with: "x-").replacingOccurrences(of: ">", with: "")
            let topic = try Topic(sample)
            #expect(topic.family == family)
            #expect(topic.parts == family.partNames.map { "x-" + $0 })
        }
    }

    @Test func eachFamilyAllowsExactlyItsKind() throws {
        let topics = try [
            Topic.referral(to: "a", category: .health), Topic.openReferral(category: .health, referrer: "a"),
            Topic.status(addressee: "a", sender: "b", category: .health), Topic.escalation(referrer: "a", category: .health),
            Topic.service(category: .health, agency: "a"), Topic.presence(agency: "a", agent: "b"),
            Topic.hubStatistics(hub: "h"), Topic.hubRejection(agency: "a"), Topic.hubPresence(agency: "a"),
            Topic.replayRequest(agency: "a"), Topic.replayEnd(agency: "a"),
            Topic.hubEscalation(referrer: "a", category: .health), Topic.hubView(category: .health, referrer: "a"),
            Topic.hubShared(category: .health, referrer: "a"), Topic.escalationAck(referrer: "a", category: .health, coordinator: "c"),
        ]
        #expect(Set(topics.map(\.family)) == Set(Topic.Family.allCases))
        for topic in topics {
            for kind in MessageKind.knownValues {
                let expected = topic.family.kind == kind
                #expect(topic.allows(kind) == expected, "\(topic) \(kind)")
            }
            #expect(!topic.allows(MessageKind(rawValue: "referral.v2")))
        }
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let topic: String
        let message: String
        var testDescription: String { topic.isEmpty ? "<empty>" : String(topic.prefix(60)) }
    }

    static let bad: [Bad] = [
        Bad(topic: "", message: "the topic is empty"),
        Bad(topic: "referral/to/Health/health", message: "bad character 'H' at byte 12"),
        Bad(topic: "referral/to/santé/health", message: "bad character byte 0xc3 at byte 16"),
        Bad(topic: "referral/to/a b/health", message: "bad character ' ' at byte 13"),
        Bad(topic: "referral/to//health", message: "an empty segment at position 3"),
        Bad(topic: "referral/to/a/health/", message: "a trailing slash"),
        Bad(topic: "/referral/to/a/health", message: "an empty segment at position 1"),
        Bad(topic: "referral/" + String(repeating: "a", count: 250), message: "too long: 259 bytes, at most 255"),
        Bad(topic: "referrals/to/a/health", message: "unknown topic family 'referrals/to'"),
        Bad(topic: "referral/from/a/health", message: "unknown topic family 'referral/from'"),
        Bad(topic: "hub/stat/h", message: "unknown topic family 'hub/stat/h'"),
        Bad(topic: "referral/to/a", message: "wrong segment count: the topic has 3 segments, referral/to/<receiver>/<category> has 4"),
        Bad(topic: "status/a/b/health/x", message: "has 5 segments, status/<addressee>/<sender>/<category> has 4"),
        Bad(topic: "presence/a", message: "has 2 segments"),
        Bad(topic: "referral/to/-a/health", message: "the receiver (segment 3) is not an identifier"),
        Bad(topic: "service/health/" + String(repeating: "a", count: 64), message: "the agency (segment 3) is not an identifier"),
    ]

    @Test(arguments: bad)
    func malformedTopicIsRefusedPrecisely(bad: Bad) {
        let error = #expect(throws: ProtocolError.self) { try Topic(bad.topic) }
        #expect(error?.code == .malformedTopic)
        #expect(error?.keyPath == "topic")
        #expect(error?.message.contains(bad.message) == true, "\(error?.message ?? "")")
    }

    @Test func builderRefusesAnInvalidAgencyId() {
        let error = #expect(throws: ProtocolError.self) { try Topic.referral(to: "Health Delegation", category: .health) }
        #expect(error?.code == .malformedTopic)
    }

    @Test func subscriptionPrefixesEndWithASlash() throws {
        #expect(try SubscriptionPrefix.referrals(to: "health-delegation-agadir").rawValue == "referral/to/health-delegation-agadir/")
        #expect(try SubscriptionPrefix.openReferrals(category: .health).rawValue == "referral/open/health/")
        #expect(try SubscriptionPrefix.statusUpdates(for: "iom-agadir").rawValue == "status/iom-agadir/")
        #expect(try SubscriptionPrefix.escalations(for: "iom-agadir").rawValue == "escalation/iom-agadir/")
        #expect(try SubscriptionPrefix.serviceStatus(category: .shelter).rawValue == "service/shelter/")
        #expect(SubscriptionPrefix.allEscalations.rawValue == "escalation/")
        #expect(SubscriptionPrefix.allServiceStatus.rawValue == "service/")
        #expect(SubscriptionPrefix.everything.rawValue == "")
    }

    @Test func aPrefixDoesNotMatchALongerAgencyId() throws {
        let prefix = try SubscriptionPrefix.referrals(to: "health")
        #expect(prefix.matches(try Topic.referral(to: "health", category: .health)))
        #expect(!prefix.matches(try Topic.referral(to: "health-2", category: .health)))
        #expect(!"referral/to/health-2/health".hasPrefix(prefix.rawValue))
    }

    @Test func anExactSubscriptionDropsTopicsThatOnlyStartWithIt() throws {
        let prefix = try SubscriptionPrefix.rejections(for: "amal")
        #expect(prefix.isExact)
        #expect(prefix.matches(try Topic.hubRejection(agency: "amal")))
        #expect(!prefix.matches(try Topic.hubRejection(agency: "amal-2")))
    }

    @Test func prefixValidationRefusesBadSegments() {
        #expect(throws: ProtocolError.self) { try SubscriptionPrefix("referral//") }
        #expect(throws: ProtocolError.self) { try SubscriptionPrefix("Referral/") }
        #expect(throws: ProtocolError.self) { try SubscriptionPrefix("referral/to/x") }
    }
}
