import ArgumentParser
import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import TansiqHub

/// `tansiq hub` and the `tansiq-hub` executable: run a hub until SIGINT or SIGTERM.
public struct HubCommand: AsyncParsableCommand {
    /// The command's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "hub",
        abstract: "Run a hub: publishers connect to its ingress, subscribers to its egress.",
        discussion: """
            Every message is checked (frames, size, topic, header, kind against topic, sender, \
            body), stamped with the hub's sequence numbers and forwarded. Rejections are answered \
            on hub/rejected/<agency>; statistics are published on hub/stats/<hub>. Flags override \
            the --config file, which overrides the defaults. Once bound, the hub prints one JSON \
            line with its endpoints on standard output; logs go to standard error. Exit status 69 \
            when an endpoint cannot be bound or a secure hub cannot authenticate.

            The hub is secure unless --insecure is given: every connection is CURVE-encrypted, \
            only the agencies whose public certificates are in --agency-keys get in, each \
            message's sender must be the authenticated agency, and --policy (default: least \
            privilege) says who may publish and subscribe to what. SIGHUP (or a change to the key \
            directory) reloads the keys and the policy. See docs/security.md.

            Example: tansiq hub --secret-key keys/hub.secret --agency-keys keys/agencies \
                       --policy Topologies/agadir-pilot.policy.yaml
            Local development: tansiq hub --insecure
            """
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

    @Flag(help: "Run without CURVE, authentication or access control: local development only.")
    var insecure = false

    @Option(help: "The hub's secret certificate (from `tansiq keys generate HUB`).")
    var secretKey: String?

    @Option(help: "Directory of the admitted agencies' public certificates (AGENCY.key).")
    var agencyKeys: String?

    @Option(help: "Access policy file (YAML; default: the built-in least-privilege policy).")
    var policy: String?

    @Option(help: "Messages a second each agency may publish; 0 for no limit (default 1000).")
    var rateLimit: Double?

    @Option(help: "Messages an agency may publish at once (default 5000).")
    var rateBurst: Int?

    @Option(help: "Most frames a message may have (default 8).")
    var maxFrames: Int?

    @OptionGroup var logging: LoggingOptions

    /// Creates the command (argument parsing does this).
    public init() {}

    /// Validates the flags.
    public func validate() throws {
        if let maxMessageBytes, maxMessageBytes <= 0 {
            throw ValidationError("--max-message-bytes must be positive, got \(maxMessageBytes)")
        }
        if let statisticsInterval, statisticsInterval <= 0 {
            throw ValidationError("--statistics-interval must be a positive number of seconds")
        }
        if insecure, secretKey != nil || agencyKeys != nil || policy != nil {
            throw ValidationError("--insecure cannot be combined with --secret-key, --agency-keys or --policy")
        }
        if let rateLimit, rateLimit < 0 { throw ValidationError("--rate-limit must be ≥ 0") }
        if let rateBurst, rateBurst <= 0 { throw ValidationError("--rate-burst must be positive") }
        if let maxFrames, maxFrames < 3 { throw ValidationError("--max-frames must be at least 3") }
    }

    /// Runs the hub.
    public func run() async throws {
        let logger = logging.makeLogger(label: "tansiq.hub")
        var configuration: HubConfiguration
        do {
            configuration = try config.map(HubConfiguration.load(contentsOf:)) ?? HubConfiguration()
        } catch let error as HubError {
            throw ValidationError(error.message)
        }
        if let hubID { configuration.hubID = hubID }
        if let ingress { configuration.ingress = ingress }
        if let egress { configuration.egress = egress }
        if let maxMessageBytes { configuration.maxMessageBytes = maxMessageBytes }
        if let statisticsInterval { configuration.statisticsInterval = .milliseconds(Int64(statisticsInterval * 1000)) }
        if let bodyValidation { configuration.bodyValidation = bodyValidation }
        if let maxFrames { configuration.maxFrames = maxFrames }
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
                "a hub is secure by default: give --secret-key and --agency-keys (see `tansiq keys generate`), or --insecure for local development"
            )
        }

        let hub: Hub
        do {
            hub = try Hub(configuration: configuration, logger: logger)
        } catch let error as HubError {
            throw ValidationError(error.message)
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
            printLine(#"{"egress":"\#(endpoints.egress)","ingress":"\#(endpoints.ingress)"}"#)
        }
        defer { announcement.cancel() }
        let group = ServiceGroup(
            services: [hub],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        do {
            try await group.run()
        } catch let error as HubError where error.code == .bindFailed || error.code == .authenticationUnavailable {
            logger.critical("hub cannot start", metadata: ["error": "\(error.message)"])
            printError("error: \(error.message)")
            throw ExitCode(69)
        }
    }
}

extension HubConfiguration.BodyValidation: ExpressibleByArgument {}
