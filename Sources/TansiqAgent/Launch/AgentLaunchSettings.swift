import Foundation
import TansiqMessages
import TansiqVault

/// Everything an agent process needs to start: who it is, where its hub is, its clock, its
/// files and what it does. The agent executables build one from their options (or read one
/// with `--launch-settings FILE`), the simulator writes one per agent process, and tests use
/// the same type, so the two sides of the launch cannot drift apart.
public struct AgentLaunchSettings: Codable, Sendable, Equatable {
    /// The agency's desk: web pages and JSON API for its workers.
    public struct Desk: Codable, Sendable, Equatable {
        /// HOST:PORT (port 0: the system chooses).
        public var listen: String
        /// Where the desk writes its base URL once it listens.
        public var urlFile: String?
        /// The time zone in which the desk shows dates.
        public var timeZone: String

        public init(listen: String, urlFile: String? = nil, timeZone: String = "Africa/Casablanca") {
            self.listen = listen
            self.urlFile = urlFile
            self.timeZone = timeZone
        }
    }

    /// The hub's endpoints.
    public struct Hub: Codable, Sendable, Equatable {
        public var ingress: String
        public var egress: String
        /// The replay endpoint; nil runs without catch-up.
        public var replay: String?
        /// The confirmed publish endpoint; nil publishes unconfirmed.
        public var publish: String?

        public init(ingress: String, egress: String, replay: String? = nil, publish: String? = nil) {
            self.ingress = ingress
            self.egress = egress
            self.replay = replay
            self.publish = publish
        }
    }

    /// A clock shared by the agents of a run: `scale` times real time, reading `origin` at the
    /// real instant `start`.
    public struct Clock: Codable, Sendable, Equatable {
        public var scale: Double
        public var origin: Date?
        public var start: Date?

        public init(scale: Double = 1, origin: Date? = nil, start: Date? = nil) {
            self.scale = scale
            self.origin = origin
            self.start = start
        }

        /// The agent clock this describes, read now.
        public func agentClock(now: Date = Date()) -> AgentClock {
            let start = start ?? now
            let origin = origin ?? start
            return AgentClock(scale: scale, origin: origin.addingTimeInterval(now.timeIntervalSince(start) * scale))
        }
    }

    /// Key files of a secure hub.
    public struct Keys: Codable, Sendable, Equatable {
        /// The agency's secret certificate.
        public var secretKeyFile: String
        /// The hub's public certificate.
        public var hubKeyFile: String

        public init(secretKeyFile: String, hubKeyFile: String) {
            self.secretKeyFile = secretKeyFile
            self.hubKeyFile = hubKeyFile
        }
    }

    public var agency: String
    /// The agent's id; nil: `<agency>-1`.
    public var agent: String?
    public var role: AgentRole
    public var coordinator: String
    /// Whether this agent runs the coordinator's behaviour (the Commune's first agent).
    public var coordinates: Bool
    public var hub: Hub
    public var keys: Keys?
    public var seed: UInt64
    /// Subscription prefixes beyond those of the role and behaviour.
    public var subscribe: [String]
    public var clock: Clock
    /// The state file (SQLite); nil keeps the state in memory.
    public var state: String?
    /// Seals the state file's referral content.
    public var masterKeyFile: String?
    /// Real seconds between presence heartbeats.
    public var heartbeat: Double
    public var ackTimeout: Double
    public var replayTimeout: Double
    public var republish: Int
    /// Who decides on referrals: caseworkers at the desk, or the behaviours (simulations).
    public var decisions: DecisionMode
    /// The desk it serves; nil serves none.
    public var desk: Desk?
    /// The desk's policy; nil runs no desk.
    public var provider: ProviderPolicy?
    /// The cases it opens; nil refers nothing.
    public var referrer: ReferrerPolicy?
    /// Print one ``AgentEventRecord`` line per event on standard output.
    public var printEvents: Bool
    /// Read control lines on standard input and stop when it closes.
    public var stdinControl: Bool
    /// Least severe log level (`trace` … `critical`); nil: the command line's.
    public var logLevel: String?

    public init(
        agency: String, agent: String? = nil, role: AgentRole, coordinator: String, coordinates: Bool = false,
        hub: Hub, keys: Keys? = nil, seed: UInt64 = 1, subscribe: [String] = [], clock: Clock = Clock(),
        state: String? = nil, masterKeyFile: String? = nil, heartbeat: Double = 10, ackTimeout: Double = 10,
        replayTimeout: Double = 5, republish: Int = 1, decisions: DecisionMode = .automatic, desk: Desk? = nil,
        provider: ProviderPolicy? = nil, referrer: ReferrerPolicy? = nil,
        printEvents: Bool = false, stdinControl: Bool = false, logLevel: String? = nil
    ) {
        self.agency = agency
        self.agent = agent
        self.role = role
        self.coordinator = coordinator
        self.coordinates = coordinates
        self.hub = hub
        self.keys = keys
        self.seed = seed
        self.subscribe = subscribe
        self.clock = clock
        self.state = state
        self.masterKeyFile = masterKeyFile
        self.heartbeat = heartbeat
        self.ackTimeout = ackTimeout
        self.replayTimeout = replayTimeout
        self.republish = republish
        self.decisions = decisions
        self.desk = desk
        self.provider = provider
        self.referrer = referrer
        self.printEvents = printEvents
        self.stdinControl = stdinControl
        self.logLevel = logLevel
    }

    /// The agent's id.
    public var agentID: String { agent ?? "\(agency)-1" }

    /// Every problem of the settings, in words (empty when they can run): identifiers, ranges,
    /// and what the executable of ``role`` can play (an iom agent runs no desk, a service or an
    /// association does not refer, only a commune coordinates).
    public var problems: [String] {
        var problems: [String] = []
        for (name, value) in [("agency", agency), ("coordinator", coordinator)] + (agent.map { [("agent", $0)] } ?? [])
        where !Identifier.isValid(value) {
            problems.append("\(name) is not an identifier: use a–z, 0–9 and '-', 1–63 characters, starting with a letter or digit")
        }
        if !(heartbeat > 0) { problems.append("heartbeat must be a positive number of seconds") }
        if desk != nil, state == nil { problems.append("desk needs state: the desk's workers and audit trail live in the agent's state file") }
        if !(ackTimeout > 0) { problems.append("ack-timeout must be a positive number of seconds") }
        if !(replayTimeout > 0) { problems.append("replay-timeout must be a positive number of seconds") }
        if republish < 0 { problems.append("republish must be 0 or more") }
        if !(clock.scale.isFinite && clock.scale > 0) { problems.append("the clock's scale must be a positive number") }
        if state?.isEmpty == true { problems.append("state needs a file path") }
        if let provider {
            for (name, value) in [("accept", provider.acceptProbability), ("fail", provider.failureProbability)] where !(0...1).contains(value) {
                problems.append("\(name) must be between 0 and 1")
            }
            if !(provider.serviceStatusInterval > 0) { problems.append("status-interval must be positive") }
        }
        switch role {
        case .iom:
            if provider != nil { problems.append("\(agency) is an iom agency with services, and iom-agent runs no desk") }
        case .service, .civilSociety:
            if referrer != nil { problems.append("\(agency) opens cases, and a \(role) agent does not refer") }
        case .commune:
            break
        }
        if coordinates, role != .commune { problems.append("only a commune coordinates; \(agency) is \(role)") }
        return problems
    }

    /// The runtime's configuration: loads the key files and the master key.
    public func configuration() throws -> AgentConfiguration {
        var configuration = AgentConfiguration(
            agency: agency, agent: agent, role: role, coordinator: coordinator,
            ingress: hub.ingress, egress: hub.egress, extraSubscriptions: subscribe,
            heartbeatInterval: .milliseconds(Int64(heartbeat * 1000)), clock: clock.agentClock(), seed: seed,
            hubKeys: try keys.map { try HubClientKeys.load(secretKeyFile: $0.secretKeyFile, hubKeyFile: $0.hubKeyFile) },
            state: state, replay: hub.replay, replayTimeout: .milliseconds(Int64(replayTimeout * 1000)),
            republishAttempts: republish, publish: hub.publish, ackTimeout: .milliseconds(Int64(ackTimeout * 1000)))
        if state != nil, let masterKeyFile { configuration.stateKey = try MasterKey(contentsOf: masterKeyFile) }
        configuration.decisions = decisions
        return configuration
    }

    /// The behaviour these settings describe: coordinator, desk (paced by `pace`) and cases.
    public func behaviour(pace: DelayFactor = DelayFactor()) -> any AgentBehaviour {
        var parts: [any AgentBehaviour] = []
        if coordinates { parts.append(CoordinatorBehaviour()) }
        if let provider { parts.append(ProviderBehaviour(policy: provider, pace: pace)) }
        if let referrer { parts.append(ReferrerBehaviour(policy: referrer)) }
        return parts.count == 1 ? parts[0] : CombinedBehaviour(parts)
    }

    /// The settings as the file `--launch-settings` reads (JSON).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .secondsSince1970
        return try encoder.encode(self)
    }

    /// Reads a `--launch-settings` file.
    public static func decode(_ data: Data) throws -> AgentLaunchSettings {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(AgentLaunchSettings.self, from: data)
    }
}
