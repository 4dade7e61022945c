import ArgumentParser
import Foundation
import Logging
import Synchronization
import TansiqSimulation

/// `tansiq sim`: run simulated stakeholder networks.
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run a simulated stakeholder network from a topology file (see docs/topologies.md).",
        subcommands: [Run.self, Compare.self, Sweep.self]
    )

    /// `tansiq sim run FILE`
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Play a topology's scenario through a real hub and real agents (threads, or with --processes the agent executables), then report.",
            discussion: """
                Starts a hub and every agent of the topology as threads of this process, on one clock \
                running time_scale times faster than real time; the referrers start last. Stops by \
                itself after stop_time + drain of simulated time and prints a report: referrals \
                created, received, accepted, rejected, completed, failed, escalated and lost; times \
                to acknowledge, decide and complete; load per agency; bottlenecks; hub traffic. \
                Exits 1 when a referral or a status update was lost, or an agent process failed. With --processes every \
                agent is a process of its role's executable (commune-agent, iom-agent, services-agent, \
                civil-society-agent), found next to this tansiq or in --agents-directory. The offline \
                and slow faults of the file are injected; hub-restart faults are listed, not injected.
                """
        )

        @Argument(help: "A topology file (YAML).", completion: .file(extensions: ["yaml", "yml"]))
        var file: String

        @Option(name: .long, help: "Also write the report as JSON to this file.")
        var jsonReport: String?

        @Option(name: .long, help: "Also write the report as a self-contained HTML page to this file.")
        var htmlReport: String?

        @Option(name: .long, help: "Simulated seconds per real second (default: the file's general.time_scale).")
        var timeScale: Double?

        @Option(name: .long, help: "Seed of the plan and of every agent (default: the file's general.seed).")
        var seed: UInt64?

        @Flag(name: .long, help: "Run the hub without CURVE (by default every run uses CURVE with keys made for it).")
        var insecure = false

        @Flag(name: .long, help: "Run every agent as a process of the agent executables instead of a thread of this process.")
        var processes = false

        @Option(name: .long, help: "How time passes: virtual (as fast as the work; the same seed gives the same report; the default) or wall (time_scale times the wall clock; the only mode of --processes).")
        var time: SimulationTime?

        @OptionGroup var stepping: TimeStepOption

        /// The run's time: virtual unless asked otherwise or run as processes.
        var timeMode: SimulationTime { time ?? (processes ? .wall : .virtual) }

        @OptionGroup var hosting: HostThreadsOption

        @Flag(name: .long, help: "Give every agent a thread of its own instead of sharing --threads host threads.")
        var threadPerAgent = false

        /// The host threads of the run's agents: `nil` is a thread per agent.
        var hostThreads: Int? {
            threadPerAgent ? nil : hosting.count
        }

        @Option(name: .long, help: "Where the agent executables are (default: the directory of this tansiq).", completion: .directory)
        var agentsDirectory: String?

        @Option(name: .long, help: "Keep the hub's journal and the agents' state files in this directory (made 0700), as a deployment does; by default everything stays in memory.", completion: .directory)
        var dataDirectory: String?

        @Option(name: .long, help: "Seal the journal's bodies and the agents' referral content with this master key file (with --data-directory).")
        var masterKeyFile: String?

        @Flag(name: .long, help: "Print no progress and no text report; only errors and the lost-referral message.")
        var quiet = false

        @Option(name: .long, help: "Least severe log level shown: trace, debug, info, notice, warning, error, critical.")
        var logLevel: Logger.Level = .error

        /// The directory of the running executable.
        static var ownDirectory: URL {
            let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
            return executable.resolvingSymlinksInPath().deletingLastPathComponent()
        }

        /// Creates the reports' directories (`reports/`) before the run, so that a run never
        /// fails at its end for want of one. Exit 73 when one cannot be made.
        static func prepareDirectories(for files: [String]) throws {
            for file in files {
                let directory = URL(fileURLWithPath: file).deletingLastPathComponent()
                do {
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                } catch {
                    printError("error: cannot create \(directory.path) for the report \(file): \((error as NSError).localizedFailureReason ?? error.localizedDescription)")
                    throw ExitCode(73)
                }
                guard access(directory.path, W_OK) == 0 else {
                    printError("error: cannot write the report \(file): \(directory.path) is not writable")
                    throw ExitCode(73)
                }
            }
        }

        static func write(_ data: Data, to file: String) throws {
            do {
                try data.write(to: URL(fileURLWithPath: file))
            } catch {
                printError("error: cannot write the report \(file): \((error as NSError).localizedFailureReason ?? error.localizedDescription)")
                throw ExitCode(73)
            }
        }

        func validate() throws {
            if agentsDirectory != nil, !processes {
                throw ValidationError("--agents-directory goes with --processes")
            }
            if stepping.timeStep != nil, timeMode != .virtual {
                throw ValidationError("--time-step is for virtual time, not --time wall or --processes")
            }
            if time == .virtual, processes {
                throw ValidationError("--time virtual needs the agents in this process; agent processes (--processes) run on the wall clock (--time wall)")
            }
            if hosting.threads != nil, threadPerAgent {
                throw ValidationError("--threads and --thread-per-agent exclude each other")
            }
            if hosting.threads != nil || threadPerAgent, processes {
                throw ValidationError("--threads and --thread-per-agent are for agents in this process, not --processes")
            }
            if masterKeyFile != nil, dataDirectory == nil {
                throw ValidationError("--master-key-file goes with --data-directory")
            }
            if let timeScale, !(timeScale.isFinite && timeScale > 0) {
                throw ValidationError("--time-scale must be a positive number, e.g. 86400 for a simulated day per second")
            }
        }

        func run() async throws {
            let topology: Topology
            do {
                topology = try Topology.load(contentsOf: URL(fileURLWithPath: file))
            } catch let failure as TopologyValidationFailure {
                printError(failure.description)
                throw ExitCode(1)
            }
            var logging = LoggingOptions()
            logging.logFormat = .text
            logging.logLevel = logLevel
            let logger = logging.makeLogger(label: "tansiq.sim")
            var simulation = Simulation(topology: topology, seed: seed, timeScale: timeScale, secure: !insecure)
            if let dataDirectory { simulation.atRest = Simulation.AtRest(directory: dataDirectory, masterKeyFile: masterKeyFile) }
            simulation.time = timeMode
            simulation.threads = hostThreads
            simulation.timeStep = try stepping.step
            if !quiet {
                let duration = timeMode == .virtual ? "in virtual time" : "about \(Int(simulation.realSeconds.rounded())) s"
                printLine("simulating \(topology.name): \(topology.agentCount) agents, \(simulation.plan.cases.count) cases, \(simulation.plan.referralCount) referrals, \(duration)")
            }
            // Ctrl-C (or SIGTERM) ends the run early: the agents stop, the run's key files are
            // removed, and the reports are written with what was played.
            let interruption = simulation.interruption
            let signals = [SIGINT, SIGTERM].map { number in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    if !interruption.isRequested {
                        printError("interrupted: stopping the agents, removing the run's keys, writing a partial report")
                    }
                    interruption.request()
                }
                source.resume()
                return source
            }
            defer { for source in signals { source.cancel() } }
            try Self.prepareDirectories(for: [jsonReport, htmlReport].compactMap { $0 })
            let meter = quiet ? nil : ProgressMeter(terminal: isatty(1) == 1)
            var progress: (@Sendable (SimulationProgress) -> Void)?
            if let meter { progress = { meter.show($0) } }
            let report: SimulationReport
            do {
                if processes {
                    let directory = agentsDirectory.map { URL(fileURLWithPath: $0) } ?? Self.ownDirectory
                    report = try await simulation.run(
                        processes: AgentExecutables(directory: directory, logLevel: logLevel.rawValue), logger: logger, progress: progress)
                } else {
                    report = try await simulation.run(logger: logger, progress: progress)
                }
            } catch let error as SimulationError {
                meter?.finish()
                printError("error: \(error.message)")
                throw ExitCode(1)
            }
            meter?.finish()
            if !quiet { printLine(report.text) }
            if let jsonReport {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try Self.write(try encoder.encode(report), to: jsonReport)
                if !quiet { printLine("JSON report: \(jsonReport)") }
            }
            if let htmlReport {
                try Self.write(Data(report.html(topology: topology).utf8), to: htmlReport)
                if !quiet { printLine("HTML report: \(htmlReport)") }
            }
            if interruption.isRequested {
                printError("interrupted: the reports cover the part of the scenario that was played")
                throw ExitCode(130)
            }
            if report.referrals.lost > 0 {
                printError("error: \(report.referrals.lost) of \(report.referrals.created) referrals were lost (sent but never received)")
            }
            if report.referrals.lostStatusUpdates > 0 {
                printError("error: \(report.referrals.lostStatusUpdates) of \(report.referrals.statusUpdates) status updates were lost (published but never seen by the referrer)")
            }
            if report.referrals.lost > 0 || report.referrals.lostStatusUpdates > 0 { throw ExitCode(1) }
        }
    }
}

/// Shows a run's progress: a bar redrawn in place on a terminal, a line every few seconds otherwise.
final class ProgressMeter: Sendable {
    private let terminal: Bool
    private let lastLine = Mutex<ContinuousClock.Instant?>(nil)

    init(terminal: Bool) {
        self.terminal = terminal
    }

    func show(_ progress: SimulationProgress) {
        let day = progress.simulated.seconds / 86_400
        let days = progress.end.seconds / 86_400
        let figures = String(format: "day %.1f of %.0f, %d referrals sent, %d completed", day, days, progress.sent, progress.completed)
        if terminal {
            let width = 30
            let filled = Int((progress.fraction * Double(width)).rounded())
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardOutput.write(Data("\r[\(bar)] \(Int((progress.fraction * 100).rounded()))% \(figures)\u{1B}[K".utf8))
            return
        }
        let now = ContinuousClock.now
        let due = lastLine.withLock { last in
            guard last.map({ now - $0 >= .seconds(5) }) ?? true else { return false }
            last = now
            return true
        }
        if due { printLine("progress: \(Int((progress.fraction * 100).rounded()))% — \(figures)") }
    }

    func finish() {
        if terminal { FileHandle.standardOutput.write(Data("\n".utf8)) }
    }
}

extension SimulationTime: ExpressibleByArgument {}
