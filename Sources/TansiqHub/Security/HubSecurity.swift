import ZeroMQ

/// How a hub protects its connections: CURVE encryption and authentication of every agency,
/// with per-agency permissions, or nothing at all for local development.
public enum HubSecurity: Sendable, Equatable {
    /// No encryption, no authentication, no permissions: anyone who reaches the endpoints may
    /// publish as anyone and read everything. The hub logs a warning at start and reports
    /// `secure: false` in `hub/stats`.
    case insecure
    /// Every hub socket is a CURVE server; only the admitted agencies' keys get in.
    case curve(Curve)

    /// The ZAP domain of the hub's server sockets.
    public static let zapDomain = "tansiq"

    /// The settings of a secure hub.
    public struct Curve: Sendable, Equatable {
        /// The hub's own key pair; agencies configure its public key.
        public var hubKeys: CurveKeyPair
        /// Where the admitted agencies' public keys come from.
        public var agencies: AgencySource
        /// Who may publish and subscribe to what.
        public var policy: PolicySource

        /// Creates the settings.
        public init(hubKeys: CurveKeyPair, agencies: AgencySource, policy: PolicySource = .leastPrivilege) {
            self.hubKeys = hubKeys
            self.agencies = agencies
            self.policy = policy
        }
    }

    /// Where the admitted agencies' public keys come from.
    public enum AgencySource: Sendable, Equatable {
        /// A directory of `AGENCY.key` public certificates, reloaded on ``Hub/reloadAccess()``
        /// and when the directory changes.
        case directory(String)
        /// A fixed keyring (tests, simulations).
        case keyring(AgencyKeyring)
    }

    /// Where the access policy comes from.
    public enum PolicySource: Sendable, Equatable {
        /// ``AccessPolicy/leastPrivilege``.
        case leastPrivilege
        /// A YAML policy file, reloaded with the keys.
        case file(String)
        /// A fixed policy.
        case policy(AccessPolicy)
    }

    /// Whether connections are encrypted and authenticated.
    public var isSecure: Bool {
        if case .curve = self { return true }
        return false
    }

    /// Makes `socket` a CURVE server with the hub's keys, authenticated by the hub's ZAP
    /// handler; does nothing in insecure mode. Every socket the hub binds goes through this
    /// before `bind`, after the hub's loop has started its ZAP handler.
    public func configureServer(_ socket: Socket) throws(ZMQError) {
        guard case .curve(let settings) = self else { return }
        try socket.makeCurveServer(keys: settings.hubKeys, zapDomain: Self.zapDomain)
    }
}
