import ArgumentParser
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
            when an endpoint cannot be bound.

            Example: tansiq hub --ingress tcp://127.0.0.1:5560 --egress tcp://127.0.0.1:5561
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

        let hub = try Hub(configuration: configuration, logger: logger)
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
        } catch let error as HubError where error.code == .bindFailed {
            logger.critical("hub cannot start", metadata: ["error": "\(error.message)"])
            printError("error: \(error.message)")
            throw ExitCode(69)
        }
    }
}

extension HubConfiguration.BodyValidation: ExpressibleByArgument {}
