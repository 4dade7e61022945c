/// Who may publish and subscribe to what: per-agency permissions by topic prefix, in the
/// spirit of NATS permissions and Mosquitto's `acl_file`.
///
/// An agency's permissions are the union of the ``defaults``, the rules of each role it has,
/// and its own rule. Deny wins over allow: a topic (or a subscription that could deliver one)
/// matched by any `deny` entry is refused, whatever allows it. `%a` in an entry stands for the
/// agency's id. An agency that the policy does not list gets the defaults only. Entries are
/// topic prefixes written like subscriptions (see docs/security.md for the file format).
public struct AccessPolicy: Sendable, Equatable {
    /// Allowed and denied topic prefixes for one direction.
    public struct Permissions: Sendable, Equatable {
        /// Prefixes allowed.
        public var allow: [String]
        /// Prefixes denied; deny wins over allow.
        public var deny: [String]

        /// Creates permissions.
        public init(allow: [String] = [], deny: [String] = []) {
            self.allow = allow
            self.deny = deny
        }
    }

    /// Publish and subscribe permissions.
    public struct Rule: Sendable, Equatable {
        /// What may be published.
        public var publish: Permissions
        /// What may be subscribed to (and replayed).
        public var subscribe: Permissions

        /// Creates a rule.
        public init(publish: Permissions = Permissions(), subscribe: Permissions = Permissions()) {
            self.publish = publish
            self.subscribe = subscribe
        }
    }

    /// One agency's entry: its roles and its own rule.
    public struct Agency: Sendable, Equatable {
        /// Role names, each a key of ``AccessPolicy/roles``.
        public var roles: [String]
        /// Permissions of this agency alone, added to its roles'.
        public var rule: Rule

        /// Creates an entry.
        public init(roles: [String] = [], rule: Rule = Rule()) {
            self.roles = roles
            self.rule = rule
        }
    }

    /// Applied to every agency.
    public var defaults: Rule
    /// Named rules agencies refer to.
    public var roles: [String: Rule]
    /// The agencies the policy names.
    public var agencies: [String: Agency]

    /// Creates a policy.
    public init(defaults: Rule = Rule(), roles: [String: Rule] = [:], agencies: [String: Agency] = [:]) {
        self.defaults = defaults
        self.roles = roles
        self.agencies = agencies
    }

    /// The built-in least-privilege policy, used when a secure hub has no policy file: each
    /// agency may publish what it may sign, and read only what is addressed to it (its
    /// referrals, the status changes and escalations of its referrals, its rejections and
    /// replay ends, its own presence), the service directory and the hub's statistics. Open
    /// referrals and the coordinator's view need a policy file.
    public static let leastPrivilege = AccessPolicy(defaults: Rule(
        publish: Permissions(allow: [
            "referral/to/", "referral/open/*/%a", "status/*/%a/", "escalation/%a/", "service/*/%a",
            "presence/%a/", "hub/replay/request/%a",
        ]),
        subscribe: Permissions(allow: [
            "referral/to/%a/", "status/%a/", "escalation/%a/", "hub/escalation/%a/", "service/", "presence/%a/",
            "hub/rejected/%a", "hub/replay/end/%a", "hub/stats/",
        ])
    ))

    /// The compiled permissions of `agency`.
    func resolved(for agency: String) -> ResolvedPermissions {
        var rules = [defaults]
        if let entry = agencies[agency] {
            rules += entry.roles.compactMap { roles[$0] }
            rules.append(entry.rule)
        }
        func compile(_ entries: [String]) -> [TopicPattern] {
            entries.compactMap { TopicPattern($0.replacingOccurrences(of: "%a", with: agency)) }
        }
        return ResolvedPermissions(
            publishAllow: compile(rules.flatMap(\.publish.allow)),
            publishDeny: compile(rules.flatMap(\.publish.deny)),
            subscribeAllow: compile(rules.flatMap(\.subscribe.allow)),
            subscribeDeny: compile(rules.flatMap(\.subscribe.deny))
        )
    }

    /// Whether `agency` may publish on `topic`.
    public func allowsPublish(agency: String, topic: String) -> Bool {
        resolved(for: agency).allowsPublish(topic: topic)
    }

    /// Whether `agency` may subscribe to `prefix`: an allow entry covers every topic the
    /// subscription delivers and no deny entry matches any of them. The lead's replay filter
    /// checks each requested prefix with this.
    public func allowsSubscribe(agency: String, prefix: String) -> Bool {
        resolved(for: agency).allowsSubscribe(prefix: prefix)
    }

    /// Whether a message on `topic` may be delivered to `agency` (by a replay, for instance):
    /// some subscribe-allow entry matches it and no subscribe-deny entry does.
    public func allowsDelivery(agency: String, topic: String) -> Bool {
        resolved(for: agency).allowsDelivery(topic: topic)
    }
}

/// An agency's permissions with `%a` substituted and the prefixes compiled.
struct ResolvedPermissions: Sendable {
    var publishAllow: [TopicPattern]
    var publishDeny: [TopicPattern]
    var subscribeAllow: [TopicPattern]
    var subscribeDeny: [TopicPattern]

    func allowsPublish(topic: String) -> Bool {
        let parts = topic.split(separator: "/", omittingEmptySubsequences: false)
        return publishAllow.contains { $0.matches(segments: parts) } && !publishDeny.contains { $0.matches(segments: parts) }
    }

    func allowsSubscribe(prefix: String) -> Bool {
        subscribeAllow.contains { $0.covers(subscription: prefix) }
            && !subscribeDeny.contains { $0.intersects(subscription: prefix) }
    }

    func allowsDelivery(topic: String) -> Bool {
        let parts = topic.split(separator: "/", omittingEmptySubsequences: false)
        return subscribeAllow.contains { $0.matches(segments: parts) } && !subscribeDeny.contains { $0.matches(segments: parts) }
    }
}
