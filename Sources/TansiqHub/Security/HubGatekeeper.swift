import Foundation
import Logging
import TansiqMessages

/// The hub's admission checks beyond message validity: who sent a message (sender binding),
/// whether it may publish or subscribe there (the access policy), and how fast it may publish.
/// Whether it may move a referral is the registry's call (`ReferralRegistry`). Owned and used
/// by the hub's loop thread only.
final class HubGatekeeper {
    /// The secure hub's keys and policy; `nil` in insecure mode.
    let access: HubAccess?
    private var rateLimiter: RateLimiter?
    /// Paces the notices of refused subscriptions.
    private var noticeLimiter = RateLimiter(rate: 1, burst: 1)
    private var permissions: [String: ResolvedPermissions] = [:]
    private var admitted: Set<String> = []
    private var generation: UInt64?
    /// Each connection's User-Id resolved under the current keys: a connection sends many
    /// messages, and resolving splits the User-Id and looks its key up under the access lock.
    private var connections: [String: (agency: String, keyCurrent: Bool)] = [:]
    /// Bounds ``connections`` (a client reconnecting with ever new keys).
    private static let connectionCacheLimit = 4096
    private let logger: Logger
    /// The network's coordinator: the only agency that may read `hub/shared/` (1.2).
    let coordinator: String?

    init(access: HubAccess?, rateLimit: HubConfiguration.RateLimit?, coordinator: String? = nil, logger: Logger) {
        self.access = access
        self.coordinator = coordinator
        self.rateLimiter = rateLimit.map { RateLimiter(rate: $0.messagesPerSecond, burst: Double($0.burst)) }
        self.logger = logger
    }

    var isSecure: Bool { access != nil }

    /// Drops what was derived from the keys and policy before their last reload.
    private func refresh(_ access: HubAccess) {
        let current = access.generation
        guard current != generation else { return }
        permissions.removeAll()
        connections.removeAll()
        admitted = access.admittedAgencies
        generation = current
    }

    private func admits(_ agency: String, _ access: HubAccess) -> Bool {
        refresh(access)
        return admitted.contains(agency)
    }

    private func resolved(for agency: String, _ access: HubAccess) -> ResolvedPermissions {
        refresh(access)
        if let known = permissions[agency] { return known }
        let resolved = access.permissions(for: agency)
        permissions[agency] = resolved
        return resolved
    }

    /// The agency a connection's messages are attributed to: the authenticated one when secure.
    func attributedAgency(of userID: String?, declared: String?) -> String? {
        isSecure ? userID : declared
    }

    /// A connection's agency on a secure hub (from its ZAP User-Id; `nil` when insecure) and
    /// whether the key it authenticated with is still admitted for that agency.
    func connection(_ userID: String?) -> (agency: String?, keyCurrent: Bool) {
        guard let access, let userID else { return (nil, true) }
        // A reload (a key rotated out or revoked) bumps the generation and empties the cache.
        refresh(access)
        if let known = connections[userID] { return (known.agency, known.keyCurrent) }
        let connection = access.connection(ofUserID: userID)
        if connections.count >= Self.connectionCacheLimit { connections.removeAll(keepingCapacity: true) }
        connections[userID] = connection
        return (connection.agency, connection.keyCurrent)
    }

    /// Checks a valid message from a connection authenticated as `userID`; `nil` lets it through.
    /// `keyCurrent` is false when the connection's key was rotated out since it connected.
    func admit(_ accepted: AcceptedMessage, userID: String?, keyCurrent: Bool = true, now: Date) -> IngressRejection? {
        let header = accepted.header
        func refuse(_ reason: HubRejection.Reason, _ message: String, notify: Bool = true) -> IngressRejection {
            IngressRejection(
                reason: reason, message: message, messageID: header.id,
                agency: attributedAgency(of: userID, declared: header.source), topic: accepted.topic.rawValue, notify: notify
            )
        }
        if let access {
            guard let userID else {
                return refuse(.notAuthenticated, "the connection is not authenticated")
            }
            guard admits(userID, access) else {
                return refuse(.notAuthenticated, "the key of '\(userID)' has been revoked")
            }
            guard keyCurrent else {
                return refuse(.notAuthenticated, "the key this connection authenticated with is no longer '\(userID)''s (rotated out): reconnect with the agency's current key")
            }
            guard header.source == userID else {
                return refuse(.senderMismatch, "the header's source is '\(header.source)' but the connection is authenticated as '\(userID)'")
            }
        }
        let agency = attributedAgency(of: userID, declared: header.source) ?? header.source
        // Optional chaining mutates the limiter in place (a copy would copy its buckets).
        if rateLimiter?.admit(agency, now: now) == false {
            let notify = rateLimiter?.shouldNotify(agency, now: now) ?? true
            let (rate, burst) = (rateLimiter?.rate ?? 0, rateLimiter?.burst ?? 0)
            return refuse(.rateLimited, "'\(agency)' publishes faster than \(rate) messages a second (burst \(Int(burst)))", notify: notify)
        }
        guard let access else { return nil }
        guard resolved(for: agency, access).allowsPublish(topic: accepted.topic.rawValue) else {
            return refuse(.notAuthorized, "'\(agency)' may not publish on '\(accepted.topic.rawValue)'")
        }
        return nil
    }

    /// Whether `agency` may claim an open referral published on `openTopic`: whether the
    /// policy delivers that topic to it (always, insecure).
    func mayClaim(_ agency: String, openTopic: String) -> Bool {
        guard let access else { return true }
        return resolved(for: agency, access).allowsDelivery(topic: openTopic)
    }

    /// Whether `agency` should be told of a refusal now: once a second at most.
    func shouldNotify(_ agency: String, now: Date) -> Bool {
        noticeLimiter.shouldNotify(agency, now: now)
    }

    /// Whether a connection authenticated as `userID` may subscribe to `prefix` (always, insecure).
    func allowsSubscription(prefix: String, userID: String?) -> Bool {
        guard allowsPrefix(prefix, userID: userID) else { return false }
        if access != nil, Self.reachesSharedReferrals(prefix: prefix), userID != coordinator { return false }
        return true
    }

    /// The policy and the addressed-referrals rule; the coordinator's copies are checked per
    /// subscription (live) or per record (replay: a catch-up asking for `hub/shared/` on a hub
    /// that names another coordinator, or none, still gets everything else).
    private func allowsPrefix(_ prefix: String, userID: String?) -> Bool {
        guard let access else { return true }
        guard let userID, admits(userID, access) else { return false }
        guard !Self.reachesOthersReferrals(prefix: prefix, agency: userID) else { return false }
        return resolved(for: userID, access).allowsSubscribe(prefix: prefix)
    }

    /// Consent at delivery, whatever the policy says: an addressed referral's body goes to its
    /// receiver only, so no subscription may cover `referral/to/<another agency>/`. (Open
    /// referrals go to the category's providers, the policy's roles; the coordinator follows
    /// the hub's de-identified views.)
    static func reachesOthersReferrals(prefix: String, agency: String) -> Bool {
        let addressed = "referral/to/"
        if addressed.hasPrefix(prefix) { return true }
        guard prefix.hasPrefix(addressed) else { return false }
        let rest = prefix.dropFirst(addressed.count)
        let receiver = rest.prefix { $0 != "/" }
        // Without the closing slash, `referral/to/<me>` also covers `referral/to/<me>-2/…`.
        return rest.contains("/") ? receiver != agency : true
    }

    /// Whether a subscription to `prefix` can deliver `hub/shared/…`: the bodies of referrals
    /// whose consent scope shares them with the coordinator, for the coordinator only.
    static func reachesSharedReferrals(prefix: String) -> Bool {
        let shared = "hub/shared/"
        return shared.hasPrefix(prefix) || prefix.hasPrefix(shared)
    }

    /// Whether a replay may send a message on `topic` to a connection authenticated as
    /// `userID` (always, insecure). The replay endpoint filters every record with this.
    func allowsReplay(of topic: String, to userID: String?) -> Bool {
        guard let access else { return true }
        guard let userID, admits(userID, access) else { return false }
        if topic.hasPrefix("referral/to/"), !topic.hasPrefix("referral/to/\(userID)/") { return false }
        if topic.hasPrefix("hub/shared/"), userID != coordinator { return false }
        return resolved(for: userID, access).allowsDelivery(topic: topic)
    }

    /// Whether a replay request for `prefix` from `userID` is allowed as a whole (always, insecure).
    func allowsReplayRequest(prefix: String, userID: String?) -> Bool {
        allowsPrefix(prefix, userID: userID)
    }
}

extension HubRejection.Reason {
    /// The connection is not authenticated, or its key was revoked.
    static let notAuthenticated = Self(rawValue: "not-authenticated")
}
