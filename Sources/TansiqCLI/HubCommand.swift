import ArgumentParser
import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import TansiqAgent
import TansiqHub
import TansiqMessages
import TansiqMonitoring

/// `tansiq hub` and the `tansiq-hub` executable: run a hub until SIGINT or SIGTERM.
public struct HubCommand: AsyncParsableCommand {
    /// The command's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "hub",
        abstract: "Run a hub: publishers connect to its ingress, subscribers to its egress.",
        discussion: """
            Every message is checked (frames, size, topic, header, kind against topic, sender, \
            body), stamped with the hub's sequence numbers, stored in the journal and only then \
            forwarded. Rejections are answered on hub/rejected/<agency>; statistics are published \
            on hub/stats/<hub>; an agency whose heartbeats stop is announced on \
            hub/presence/<agency>. The journal (default \(JournalConfiguration.defaultPath) in the \
            working directory; --no-journal to run without) is served to late and returning \
            agents on the replay endpoint. Flags override the --config file, which overrides the \
            defaults. Once bound, the hub prints one JSON line with its endpoints on standard \
            output; logs go to standard error. Exit status 69 when an endpoint cannot be bound or \
            a secure hub cannot authenticate, 74 when the journal cannot be opened (or another hub \
            holds it).

            The hub is secure unless --insecure is given: every connection is CURVE-encrypted, \
            only the agencies whose public certificates are in --agency-keys get in, each \
            message's sender must be the authenticated agency, and --policy (default: least \
            privilege) says who may publish and subscribe to what. SIGHUP (or a change to the key \
            directory) reloads the keys and the policy. See docs/security.md.

            Example (the layout of `tansiq keys init keys --agency …`): \
            tansiq hub --secret-key keys/hub.secret --agency-keys keys/agencies \
            --policy Topologies/agadir-pilot.policy.yaml --journal /var/lib/tansiq/journal.sqlite \
            --http 127.0.0.1:8222
            Local development: tansiq hub --insecure --no-journal
            """,
        version: TansiqVersion.current
    )

    @Option(help: "A YAML configuration file (keys: \(HubConfiguration.fileKeys.keys.sorted().joined(separator: ", "))).")
    var config: String?

    @Option(help: "The hub's identifier (default main).")
    var hubID: String?

    @Option(help: "Endpoint publishers connect to (XSUB; default tcp://127.0.0.1:5560).")
    var ingress: String?

    @Option(help: "Endpoint subscribers connect to (XPUB; default tcp://127.0.0.1:5561).")
    var egress: String?

    @Option(help: "Largest message accepted, all frames together, in bytes (default 262144).")
    var maxMessageBytes: Int?

    @Option(help: "Seconds between two hub/stats publications (default 5).")
    var statisticsInterval: Double?

    @Option(help: "How much of each message is validated: full or header-only (default full).")
    var bodyValidation: HubConfiguration.BodyValidation?

    @Option(help: "The journal's SQLite file (default \(JournalConfiguration.defaultPath) in the working directory).")
    var journal: String?

    @Flag(help: "Run without a journal: no replay endpoint, sequence numbers restart at 1, nothing survives a restart.")
    var noJournal = false

    @Option(help: "When the journal syncs to disk: full (every group commit, survives power loss) or normal (survives a crash of the hub, not of the machine). Default full.")
    var durability: JournalDurability?

    @Option(help: "Endpoint replay clients connect to (ROUTER; default tcp://127.0.0.1:5562).")
    var replay: String?

    @Option(help: "Endpoint confirmed publishers connect to (ROUTER: every message acknowledged once journaled; default \(HubConfiguration.defaultPublishEndpoint)), or off.")
    var publish: String?

    @Option(help: "Seconds without a heartbeat after which an agency is announced silent (default: 3 of its heartbeat intervals).")
    var presenceTimeout: Double?
    @Flag(help: "Run without CURVE, authentication or access control: local development only.")
    var insecure = false

    @Option(help: "The hub's secret certificate (keys/hub.secret, from `tansiq keys init`).")
    var secretKey: String?

    @Option(help: "Directory of the admitted agencies' public certificates, AGENCY.key each (keys/agencies, from `tansiq keys init`).")
    var agencyKeys: String?

    @Option(help: "Access policy file (YAML; default: the built-in least-privilege policy).")
    var policy: String?

    @Option(help: "Messages a second each agency may publish; 0 for no limit (default 1000).")
    var rateLimit: Double?

    @Option(help: "Messages an agency may publish at once (default 5000).")
    var rateBurst: Int?

    @Option(help: "Most frames a message may have (default 8).")
    var maxFrames: Int?

    @Option(help: "The coordinating agency, told of every escalation the hub raises (default: the referrer only).")
    var coordinator: String?

    @Option(help: "Seconds a referral's acknowledgeBy may already be past when it arrives: clocks disagree (default 300).")
    var clockSkew: Double?

    @OptionGroup var masterKey: MasterKeyOptions

    @Option(help: "Days the journal keeps statistics, presence, service availability and rejections (default 7; 0 keeps them).")
    var housekeepingRetentionDays: Double?

    @Option(help: "Days the journal keeps a referral's messages after it closed (completed, failed, cancelled, rejected; default 180; 0 keeps them).")
    var closedReferralRetentionDays: Double?

    @Option(help: "Free-text notes: screened (refused when they hold phone numbers, e-mail, document numbers or birth dates; the default) or refused altogether.")
    var notes: PrivacyRules.NotePolicy?

    @Option(help: "A regular expression every case reference must match (default: codes, not words, like AGA-2026-0042).")
    var caseReferencePattern: String?
    @Option(help: "Serve /metrics (Prometheus), /healthz, /readyz and /agencies on HOST:PORT, e.g. 127.0.0.1:8222 (default: no HTTP listener).")
    var http: String?

    @Flag(help: "Check the configuration (file, flags, keys, agency keys, policy) without starting: print every problem with its file, line and key, or one ok line. Exit status 1 when there is a problem.")
    var checkConfig = false

    @OptionGroup var logging: LoggingOptions

    /// Creates the command (argument parsing does this).
    public init() {}

    /// Validates the flags.
    public func validate() throws {
        if let hubID, !Identifier.isValid(hubID) {
            throw ValidationError("--hub-id '\(hubID)' is not an identifier: a–z, 0–9 and '-', 1–63 characters (it names the topic hub/stats/<hub>)")
        }
        if let maxMessageBytes, maxMessageBytes <= 0 {
            throw ValidationError("--max-message-bytes must be positive, got \(maxMessageBytes)")
        }
        if let statisticsInterval, statisticsInterval <= 0 {
            throw ValidationError("--statistics-interval must be a positive number of seconds")
        }
        if noJournal, journal != nil || durability != nil {
            throw ValidationError("--no-journal cannot be combined with --journal or --durability")
        }
        if let journal, journal.isEmpty { throw ValidationError("--journal needs a file path") }
        if let presenceTimeout, presenceTimeout <= 0 {
            throw ValidationError("--presence-timeout must be a positive number of seconds")
        }
        if insecure, secretKey != nil || agencyKeys != nil || policy != nil {
            throw ValidationError("--insecure cannot be combined with --secret-key, --agency-keys or --policy")
        }
        if let rateLimit, rateLimit < 0 { throw ValidationError("--rate-limit must be ≥ 0") }
        if let clockSkew, !(clockSkew >= 0) { throw ValidationError("--clock-skew must be ≥ 0 seconds") }
        if let coordinator, !Identifier.isValid(coordinator) { throw ValidationError("--coordinator must be an agency id ([a-z0-9][a-z0-9-]*)") }
        if let rateBurst, rateBurst <= 0 { throw ValidationError("--rate-burst must be positive") }
        if let http {
            do { _ = try HubHTTPService.parse(http) } catch { throw ValidationError("--\(error.message)") }
        }
        if let maxFrames, maxFrames < 3 { throw ValidationError("--max-frames must be at least 3") }
        for (name, days) in [("--housekeeping-retention-days", housekeepingRetentionDays), ("--closed-referral-retention-days", closedReferralRetentionDays)] {
            if let days, !(days >= 0 && days.isFinite) { throw ValidationError("\(name) must be a number of days ≥ 0 (0 keeps them)") }
        }
    }

    /// Runs the hub, or only checks its configuration.
    public func run() async throws {
        guard checkConfig else { return try await runHub() }
        do {
            try await runHub()
        } catch let error as ValidationError {
            for line in error.message.split(separator: "\n") { printError("error: \(line)") }
            throw ExitCode(1)
        }
    }

    private func runHub() async throws {
        let logger = logging.makeLogger(label: "tansiq.hub")
        var configuration: HubConfiguration
        do {
            // The command journals unless told otherwise; the library's default is off.
            let base = HubConfiguration(journal: JournalConfiguration(), publish: HubConfiguration.defaultPublishEndpoint)
            configuration = try config.map { try HubConfiguration.load(contentsOf: $0, over: base) } ?? base
        } catch let error as HubError {
            throw ValidationError(error.message)
        }
        if let hubID { configuration.hubID = hubID }
        if let ingress { configuration.ingress = ingress }
        if let egress { configuration.egress = egress }
        if let maxMessageBytes { configuration.maxMessageBytes = maxMessageBytes }
        if let statisticsInterval { configuration.statisticsInterval = .milliseconds(Int64(statisticsInterval * 1000)) }
        if let bodyValidation { configuration.bodyValidation = bodyValidation }
        if noJournal { configuration.journal = nil }
        if journal != nil || durability != nil {
            var settings = configuration.journal ?? JournalConfiguration()
            if let journal { settings.path = journal }
            if let durability { settings.durability = durability }
            configuration.journal = settings
        }
        if let replay { configuration.replay = replay }
        if let publish { configuration.publish = publish == "off" ? nil : publish }
        if let presenceTimeout { configuration.presenceTimeout = .milliseconds(Int64(presenceTimeout * 1000)) }
        if configuration.journal == nil {
            logger.warning("hub runs WITHOUT a journal: no replay, nothing survives a restart")
        }
        if let maxFrames { configuration.maxFrames = maxFrames }
        if let coordinator { configuration.registry.coordinator = coordinator }
        if let clockSkew { configuration.registry.clockSkew = clockSkew }
        if let notes { configuration.privacy.notes = notes }
        if let caseReferencePattern {
            do {
                configuration.privacy.caseReferences = try CaseReferenceRule(pattern: caseReferencePattern)
            } catch {
                throw ValidationError("--case-reference-pattern: \(error.message)")
            }
        }
        if var journal = configuration.journal {
            if let key = try masterKey.load() { journal.masterKey = key }
            if let days = housekeepingRetentionDays {
                journal.retention.housekeepingMaxAge = days == 0 ? nil : .milliseconds(Int64(days * 86_400_000))
            }
            if let days = closedReferralRetentionDays {
                journal.retention.closedReferralMaxAge = days == 0 ? nil : .milliseconds(Int64(days * 86_400_000))
            }
            if journal.masterKey == nil {
                logger.warning("journal bodies are stored UNENCRYPTED: give --master-key-file (tansiq journal keygen) or $TANSIQ_MASTER_KEY")
            }
            configuration.journal = journal
        }
        if let http { configuration.http = http }
        do {
            try HubConfiguration.SecurityKeys(
                secretKey: secretKey, agencyKeys: agencyKeys, policy: policy, rate: rateLimit, burst: rateBurst
            ).apply(to: &configuration)
        } catch let error as HubError {
            throw ValidationError(error.message)
        }
        if insecure {
            if configuration.security.isSecure {
                throw ValidationError("--insecure cannot be combined with the secret_key of \(config ?? "the configuration file")")
            }
            logger.warning("--insecure: anyone who reaches the endpoints may publish as any agency and read everything")
        } else if !configuration.security.isSecure {
            throw ValidationError(
                "a hub is secure by default: give --secret-key keys/hub.secret and --agency-keys keys/agencies (made by `tansiq keys init keys --agency AGENCY …`), or --insecure for local development"
            )
        }

        let hub: Hub
        let listener: HubHTTPService?
        do {
            let metrics = configuration.http.map { _ in HubMetrics(ingressBatchLimit: Hub.ingressBatchLimit) }
            hub = try Hub(configuration: configuration, observer: metrics, logger: logger)
            if let address = configuration.http, let metrics {
                listener = try HubHTTPService(hub: hub, metrics: metrics, address: address, logger: logger)
            } else {
                listener = nil
            }
        } catch let error as HubError {
            throw ValidationError(error.message)
        }
        if checkConfig {
            if let path = configuration.journal?.path {
                let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
                guard access(directory, W_OK) == 0 else {
                    throw ValidationError("journal: \(directory) does not exist or is not writable by this user; the journal \(path) cannot be created")
                }
            }
            let security = configuration.security.isSecure ? "secure, \(hub.reloadAccess()?.agencies.count ?? 0) agencies admitted" : "INSECURE"
            let journal = configuration.journal.map { "journal \($0.path) (\($0.durability.rawValue))" } ?? "no journal"
            printLine("\(config ?? "flags"): ok — hub \(configuration.hubID), \(security), \(journal), HTTP \(configuration.http ?? "off")")
            return
        }
        // SIGHUP reloads the agencies' keys and the policy, as nginx and mosquitto do.
        signal(SIGHUP, SIG_IGN)
        let reloader = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        reloader.setEventHandler {
            if let reload = hub.reloadAccess() {
                logger.notice("SIGHUP: keys and policy reloaded", metadata: ["agencies": "\(reload.agencies.count)", "problems": "\(reload.problems.count)"])
            }
        }
        reloader.resume()
        defer { reloader.cancel() }
        // The endpoints actually bound (ports chosen by the system when '*' was asked for), as
        // one JSON line on standard output for scripts and tests.
        let announcement = Task {
            guard let endpoints = try? await hub.endpoints() else { return }
            let replay = endpoints.replay.map { #","replay":"\#($0)""# } ?? ""
            let publish = endpoints.publish.map { #","publish":"\#($0)""# } ?? ""
            var http = ""
            if let listener, let address = configuration.http {
                guard let port = try? await listener.boundPort() else { return }
                http = #","http":"\#(address[..<address.lastIndex(of: ":")!]):\#(port)""#
            }
            printLine(#"{"egress":"\#(endpoints.egress)"\#(http),"ingress":"\#(endpoints.ingress)"\#(publish)\#(replay)}"#)
        }
        defer { announcement.cancel() }
        let group = ServiceGroup(
            services: [hub] + (listener.map { [$0] } ?? []),
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        do {
            try await group.run()
        } catch let error as HubError where error.code == .bindFailed || error.code == .authenticationUnavailable {
            logger.critical("hub cannot start", metadata: ["error": "\(error.message)"])
            printError("error: \(error.message)")
            throw ExitCode(69)
        } catch let error as HubError where error.code == .journalUnavailable {
            logger.critical("hub cannot start", metadata: ["error": "\(error.message)"])
            printError("error: \(error.message)")
            throw ExitCode(74)
        }
    }
}

extension HubConfiguration.BodyValidation: ExpressibleByArgument {}
extension PrivacyRules.NotePolicy: ExpressibleByArgument {}
extension JournalDurability: ExpressibleByArgument {}
