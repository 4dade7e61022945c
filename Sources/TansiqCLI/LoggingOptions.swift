import ArgumentParser
import Logging
import Synchronization

/// `--log-level` and `--log-format`, shared by every long-running command. Logs go to standard
/// error, so that standard output stays for data (`tansiq sub --json`, `--print-events`).
struct LoggingOptions: ParsableArguments {
    @Option(name: .long, help: "Least severe log level shown: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(name: .long, help: "text (for people) or json (one object a line, for a log shipper); both with millisecond UTC timestamps.")
    var logFormat: StandardErrorLogHandler.Format = .text

    private static let bootstrapped = Mutex(false)

    /// Bootstraps swift-log once per process and returns a logger with this label.
    func makeLogger(label: String) -> Logger {
        Self.bootstrapped.withLock { done in
            guard !done else { return }
            let format = logFormat
            LoggingSystem.bootstrap { StandardErrorLogHandler(label: $0, format: format) }
            done = true
        }
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
