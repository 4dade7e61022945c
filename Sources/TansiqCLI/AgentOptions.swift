import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TansiqAgent
import TansiqDesk
import TansiqMessages
import ZeroMQ

/// Who the agent is and where its hub is; shared by the four stakeholder executables.
struct AgentOptions: ParsableArguments {
    @Option(help: "The agency this agent acts for (e.g. health-delegation-agadir).")
    var agency: String?

    @Option(help: "This agent's id within the agency (default <agency>-1).")
    var agent: String?

    @Option(help: "The coordinating agency (the hub tells it of escalations: tansiq hub --coordinator).")
    var coordinator = "commune-agadir"

    @Option(name: .customLong("ingress"), help: "The hub's ingress (default: port 5560 of --hub).")
    var ingressFlag: String?

    @Option(name: .customLong("egress"), help: "The hub's egress (default: port 5561 of --hub).")
    var egressFlag: String?

    var ingress: String { ingressFlag ?? keys.profile.ingress.value }
    var egress: String { egressFlag ?? keys.profile.egress.value }

    @Option(name: .customLong("publish"), help: "The hub's confirmed publish endpoint (default: port 5563 of --hub): every message but the heartbeat waits in the state file's outbox until the hub confirms it.")
    var publishFlag: String?

    var publish: String { publishFlag ?? keys.profile.publish.value }

    @Flag(help: "Publish to the ingress without confirmation (a hub without a publish endpoint): a message the hub refuses or loses is not sent again.")
    var noConfirm = false

    @Option(help: "Seconds to wait for the hub's acknowledgement before sending a message again.")
    var ackTimeout: Double = 10

    @Option(help: "Seed of the agent's random choices.")
    var seed: UInt64 = 1

    @Option(help: "Seconds between presence heartbeats.")
    var heartbeat: Double = 10

    @Option(help: "An extra subscription prefix (repeatable).")
    var subscribe: [String] = []

    @Option(help: "The agent's state file (SQLite): the last hub sequence processed and its referrals, so that a restarted agent resumes. Without it the state is kept in memory.")
    var state: String?

    @OptionGroup var masterKey: MasterKeyOptions

    @Option(name: .customLong("replay"), help: "The hub's replay endpoint, to catch up on what the agent missed before going live and to recover gaps (default: port 5562 of --hub).")
    var replayFlag: String?

    var replay: String { replayFlag ?? keys.profile.replay.value }

    @Flag(help: "Do not catch up from the hub's journal (a hub without one).")
    var noReplay = false

    @Option(help: "Seconds to wait for the replay endpoint's answer.")
    var replayTimeout: Double = 5

    @Option(help: "How many times a referral nobody acknowledged is published again, one acknowledgement window apart (the hub escalates it).")
    var republish = 1

    @Flag(help: "Print one JSON line per event (sent, received, status seen, escalation…) on standard output.")
    var printEvents = false

    @Option(help: "Agent-clock seconds per real second: 1 is real time; a simulation runs faster.")
    var timeScale: Double = 1

    @Option(help: "The agent clock's time at --clock-start, as Unix seconds or ISO 8601 (default: the real time at --clock-start).")
    var clockOrigin: String?

    @Option(help: "The real instant, in Unix seconds, at which the agent clock reads --clock-origin (default: now). Agents given the same scale, origin and start share one clock.")
    var clockStart: Double?

    @Flag(help: "Read control lines on standard input ('slow FACTOR' multiplies the desk's delays, 'slow 1' restores them) and stop gracefully when standard input closes.")
    var stdinControl = false

    @Option(help: "Who decides on referrals: people (workers at the desk; 'received' stays automatic) or automatic (the behaviours, as in simulations and demos).")
    var decisions: DecisionMode = .people

    @Option(help: "Serve the agency's desk (web pages and JSON API) on HOST:PORT, e.g. 127.0.0.1:8080 (port 0: the system chooses). Off unless given; needs --state.")
    var deskListen: String?

    @Option(help: "Once the desk listens, write its base URL and a newline to this file (atomically).")
    var deskUrlFile: String?

    @Option(help: "The agency's time zone, in which the desk shows every date.")
    var timeZone = "Africa/Casablanca"

    @Option(help: "A YAML file whose keys are these options' long names (agency: …, service: [health:20]); flags given on the command line win.")
    var config: String?

    @Flag(help: "Check the options, the --config file and the keys, print one ok line and exit (status 64 and the problem otherwise).")
    var checkConfig = false

    @OptionGroup var keys: HubKeyOptions

    @OptionGroup var logging: LoggingOptions

    @Option(help: "A JSON file of the agent's launch settings (TansiqAgent's AgentLaunchSettings, as `tansiq sim run --processes` writes them): who it is, its hub, clock, files and behaviour, in place of every option but the logging ones.", completion: .file(extensions: ["json"]))
    var launchSettings: String?

    func validate() throws {
        guard launchSettings == nil else { return }
        guard let agency else { throw ValidationError("give --agency (or --launch-settings FILE)") }
        for (name, value) in [("--agency", agency), ("--coordinator", coordinator)] + (agent.map { [("--agent", $0)] } ?? []) {
            guard Identifier.isValid(value) else {
                throw ValidationError("\(name) '\(value)' is not an identifier: use a–z, 0–9 and '-', 1–63 characters, starting with a letter or digit")
            }
        }
        if heartbeat <= 0 { throw ValidationError("--heartbeat must be a positive number of seconds") }
        if ackTimeout <= 0 { throw ValidationError("--ack-timeout must be a positive number of seconds") }
        if replayTimeout <= 0 { throw ValidationError("--replay-timeout must be a positive number of seconds") }
        if republish < 0 { throw ValidationError("--republish must be 0 or more") }
        if let state, state.isEmpty { throw ValidationError("--state needs a file path") }
        if !(timeScale.isFinite && timeScale > 0) { throw ValidationError("--time-scale must be a positive number") }
        if TimeZone(identifier: timeZone) == nil { throw ValidationError("--time-zone '\(timeZone)' is not a time zone name such as Africa/Casablanca") }
        if let deskListen {
            do { _ = try DeskConfiguration.parse(listen: deskListen) } catch { throw ValidationError(error.message) }
            if state == nil { throw ValidationError("--desk-listen needs --state: the desk's workers and audit trail live in the agent's state file") }
        }
        if deskUrlFile != nil, deskListen == nil { throw ValidationError("--desk-url-file needs --desk-listen") }
        if let clockOrigin, ClockTime.parse(clockOrigin) == nil {
            throw ValidationError("--clock-origin '\(clockOrigin)': expected Unix seconds or an ISO 8601 time")
        }
    }

    /// The agent's launch settings: the `--launch-settings` file, or the options with the
    /// behaviour's policies the command built from its own options.
    func settings(role: AgentRole, coordinates: Bool = false, provider: ProviderPolicy?, referrer: ReferrerPolicy?) throws -> AgentLaunchSettings {
        if let file = launchSettings {
            let settings: AgentLaunchSettings
            do {
                settings = try AgentLaunchSettings.decode(Data(contentsOf: URL(fileURLWithPath: file)))
            } catch let error as DecodingError {
                throw ValidationError("--launch-settings \(file): \(Self.describe(error))")
            } catch {
                throw ValidationError("--launch-settings \(file): cannot read it: \((error as NSError).localizedFailureReason ?? error.localizedDescription)")
            }
            guard settings.role == role else {
                throw ValidationError("--launch-settings \(file): the settings are for a \(settings.role) agent, and this executable runs a \(role) agent")
            }
            if let problem = settings.problems.first { throw ValidationError("--launch-settings \(file): \(problem)") }
            return settings
        }
        guard let agency else { throw ValidationError("give --agency (or --launch-settings FILE)") }
        let start = clockStart.map(Date.init(timeIntervalSince1970:))
        return AgentLaunchSettings(
            agency: agency, agent: agent, role: role, coordinator: coordinator, coordinates: coordinates,
            hub: AgentLaunchSettings.Hub(ingress: ingress, egress: egress, replay: noReplay ? nil : replay, publish: noConfirm ? nil : publish),
            keys: keys.secretKey.flatMap { secret in keys.hubKey.map { AgentLaunchSettings.Keys(secretKeyFile: secret, hubKeyFile: $0) } },
            seed: seed, subscribe: subscribe,
            clock: AgentLaunchSettings.Clock(scale: timeScale, origin: clockOrigin.flatMap(ClockTime.parse), start: start),
            state: state, masterKeyFile: masterKey.masterKeyFile, heartbeat: heartbeat, ackTimeout: ackTimeout,
            replayTimeout: replayTimeout, republish: republish, decisions: decisions,
            desk: deskListen.map { AgentLaunchSettings.Desk(listen: $0, urlFile: deskUrlFile, timeZone: timeZone) },
            provider: provider, referrer: referrer,
            printEvents: printEvents, stdinControl: stdinControl)
    }

    /// A decoding error in words, with the key path.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])): missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    /// The runtime's configuration of `settings`: key files and master key loaded.
    func configuration(_ settings: AgentLaunchSettings) throws -> AgentConfiguration {
        do {
            var configuration = try settings.configuration()
            // The options' master key also comes from the environment.
            if launchSettings == nil, settings.state != nil { configuration.stateKey = try masterKey.load() }
            return configuration
        } catch let error as CurveCertificateError {
            throw ValidationError(error.message)
        }
    }

    /// Runs the agent of `settings` until SIGINT or SIGTERM (or, with `stdinControl`, until
    /// standard input closes); `slow` lines set the desk's delay factor.
    func run(_ settings: AgentLaunchSettings) async throws {
        let configuration = try configuration(settings)
        if checkConfig {
            // The options (or the files) were parsed and validated to get here; the keys are loaded.
            printLine(
                "ok — agent \(configuration.agent) of \(configuration.agency) (\(settings.role.rawValue)), hub \(configuration.ingress) / \(configuration.egress)\(launchSettings == nil && ingressFlag == nil ? " (\(keys.profile.ingress.origin))" : ""), \(configuration.hubKeys == nil ? "no keys (insecure hub)" : "CURVE keys loaded")")
            return
        }
        var logging = logging
        if let level = settings.logLevel.flatMap(Logger.Level.init(rawValue:)) { logging.logLevel = level }
        let logger = logging.makeLogger(label: "tansiq.\(settings.role.rawValue)-agent")
        let printing: AgentObserver? = settings.printEvents ? { @Sendable identity, event, time in
            printLine(AgentEventRecord(identity: identity, event: event, time: time).jsonLine)
        } : nil
        let commands = AgentCommandQueue()
        var desk: Desk?
        if let deskSettings = settings.desk {
            let deskConfiguration = DeskConfiguration(
                agency: configuration.agency, listen: deskSettings.listen, urlFile: deskSettings.urlFile,
                timeZone: TimeZone(identifier: deskSettings.timeZone) ?? .gmt,
                offers: settings.provider?.offers ?? [:],
                refers: settings.referrer != nil || settings.role == .iom || settings.role == .commune,
                privacy: configuration.privacy, coordinates: configuration.agency == configuration.coordinator)
            desk = try Desk(configuration: deskConfiguration, commands: commands, logger: logging.makeLogger(label: "tansiq.desk"))
        }
        let deskObserver = desk?.observer
        let observer: AgentObserver? = printing == nil && deskObserver == nil ? nil : { @Sendable identity, event, time in
            printing?(identity, event, time)
            deskObserver?(identity, event, time)
        }
        let pace = DelayFactor()
        let runtime = try AgentRuntime(
            configuration: configuration, logger: logger, observer: observer, commands: commands,
            behaviour: { settings.behaviour(pace: pace) })
        let group = ServiceGroup(services: [runtime] + (desk.map { [$0] } ?? []), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        if settings.stdinControl {
            AgentControlInput.start(pace: pace, logger: logger) {
                Task { await group.triggerGracefulShutdown() }
            }
        }
        try await group.run()
    }
}
extension DecisionMode: ExpressibleByArgument {}
