import Foundation
import Logging
import Synchronization
import TansiqAgent

/// The agents of a run as processes of the agent executables, one per agent, each configured
/// by its ``AgentLaunchSettings`` (`--launch-settings FILE`) in a temporary directory, printing its events (`--print-events`)
/// for the report and controlled through its standard input (`--stdin-control`): a `slow` line
/// paces its desk, and the end of input stops it, so that no agent outlives the run.
final class AgentProcesses: AgentFleet {
    /// One spawned process.
    private struct Running {
        var process: Process
        var input: FileHandle
        var key: String
        var executable: String
    }

    private let executables: AgentExecutables
    private let shared: Shared
    private let board: ProcessBoard
    private let logger: Logger
    /// The run's configuration files and agent logs.
    let directory: URL
    private var running: [String: Running] = [:]
    /// Agents signalled by an offline fault, until their exit is seen.
    private var stopping: [String: Running] = [:]
    private var incarnations: [String: Int] = [:]
    private var notes: [String] = []

    init(executables: AgentExecutables, shared: Shared, recorder: SimulationRecorder, logger: Logger) throws {
        self.executables = executables
        self.shared = shared
        self.logger = logger
        board = ProcessBoard(recorder: recorder)
        // A line written to an agent that has just died must fail with EPIPE, not kill the run.
        signal(SIGPIPE, SIG_IGN)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-sim-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    var checkInterval: Duration { .milliseconds(100) }

    func startMargin(referrers count: Int) -> Duration {
        .milliseconds(500 + 100 * count)
    }

    func start(_ agents: [ScenarioPlan.Agent]) async throws {
        var keys: [String] = []
        for planned in agents {
            await settle(planned.agent)
            keys.append(try spawn(planned))
        }
        let board = board
        let limit = executables.readyTimeout + .milliseconds(100 * agents.count)
        let deadline = ContinuousClock.now + limit
        while true {
            try checkHealth()
            let waiting = board.notReady(keys)
            if waiting.isEmpty { return }
            guard ContinuousClock.now < deadline else {
                let names = waiting.prefix(10).map { $0.split(separator: "#")[0] }.joined(separator: ", ")
                throw SimulationError(
                    code: .agentNotReady,
                    message: "\(waiting.count) agent process(es) not ready within \(limit): \(names)\(waiting.count > 10 ? "…" : ""); their logs are in \(directory.path)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Writes the agent's configuration and starts its executable; returns the process's key.
    private func spawn(_ planned: ScenarioPlan.Agent) throws -> String {
        let executable = AgentExecutables.executableName(for: planned.role)
        let incarnation = incarnations[planned.agent, default: 0] + 1
        incarnations[planned.agent] = incarnation
        let key = "\(planned.agent)#\(incarnation)"
        let base = incarnation == 1 ? planned.agent : "\(planned.agent).\(incarnation)"
        let configuration = directory.appendingPathComponent("\(base).json")
        let log = directory.appendingPathComponent("\(base).log")
        try Self.settings(of: planned, shared: shared).encoded().write(to: configuration, options: .atomic)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)

        let process = Process()
        process.executableURL = executables.directory.appendingPathComponent(executable)
        process.arguments = ["--launch-settings", configuration.path]
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        process.standardError = try FileHandle(forWritingTo: log)
        let board = board
        board.opened(key, log: log, executable: executable)
        process.terminationHandler = { process in
            board.exited(key, status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal)
        }
        do {
            try process.run()
        } catch {
            throw SimulationError(code: .agentNotReady, message: "cannot start \(executable) for \(planned.agent): \(error)")
        }
        board.started(key, pid: process.processIdentifier)
        Self.readLines(of: output, key: key, into: board)
        running[planned.agent] = Running(process: process, input: input.fileHandleForWriting, key: key, executable: executable)
        logger.debug("agent process started", metadata: ["agent": "\(planned.agent)", "pid": "\(process.processIdentifier)"])
        return key
    }

    /// Signals the agent and returns at once, so that faults due at the same instant are not
    /// held up; its exit is awaited before a new agent takes its place, or at the end.
    func stop(_ agent: String, signal: Topology.StopSignal) async throws -> String {
        guard let agentProcess = running.removeValue(forKey: agent) else { return "\(agent) was not running" }
        board.expectExit(agentProcess.key)
        let pid = agentProcess.process.processIdentifier
        kill(pid, signal == .kill ? SIGKILL : SIGTERM)
        try? agentProcess.input.close()
        stopping[agent] = agentProcess
        return "\(agent): SIG\(signal.rawValue.uppercased()) to pid \(pid)"
    }

    /// Waits for a stopped agent to exit, killing it if SIGTERM was not enough, and for what it
    /// printed before it died, which still counts.
    private func settle(_ agent: String) async {
        guard let agentProcess = stopping.removeValue(forKey: agent) else { return }
        let pid = agentProcess.process.processIdentifier
        if await !board.waitForExit([agentProcess.key], within: executables.stopTimeout).isEmpty {
            kill(pid, SIGKILL)
            _ = await board.waitForExit([agentProcess.key], within: .seconds(5))
            notes.append("\(agent) (pid \(pid)) did not exit within \(executables.stopTimeout) of SIGTERM: killed with SIGKILL")
        }
        _ = await board.waitForOutput([agentProcess.key], within: .seconds(2))
    }

    func setPace(_ agent: String, factor: Double) throws {
        guard let agentProcess = running[agent] else { return }
        try agentProcess.input.write(contentsOf: Data("slow \(factor)\n".utf8))
    }

    func checkHealth() throws {
        guard let failure = board.firstFailure() else { return }
        throw SimulationError(code: .agentFailed, message: failure)
    }

    func stopAll() async -> [String] {
        for agent in Array(stopping.keys) { await settle(agent) }
        let all = Array(running.values)
        running = [:]
        guard !all.isEmpty else { return notes }
        for agentProcess in all {
            board.expectExit(agentProcess.key)
            try? agentProcess.input.close()
            if agentProcess.process.isRunning { kill(agentProcess.process.processIdentifier, SIGTERM) }
        }
        let stubborn = await board.waitForExit(all.map(\.key), within: executables.stopTimeout)
        if !stubborn.isEmpty {
            for agentProcess in all where stubborn.contains(agentProcess.key) {
                kill(agentProcess.process.processIdentifier, SIGKILL)
                notes.append("\(agentProcess.key.split(separator: "#")[0]) (pid \(agentProcess.process.processIdentifier)) did not exit within \(executables.stopTimeout) of SIGTERM: killed with SIGKILL")
            }
            let left = await board.waitForExit(stubborn, within: .seconds(5))
            for key in left { notes.append("\(key.split(separator: "#")[0]) did not exit even after SIGKILL") }
        }
        _ = await board.waitForOutput(all.map(\.key), within: .seconds(5))
        return notes
    }

    /// Reads the process's standard output on a thread of its own until the end of the pipe.
    /// Not `readabilityHandler`: its dispatch read source could be torn down while the pipe
    /// was closed under it at the end of a run, and the run died in libdispatch (SIGSEGV).
    /// The thread holds the pipe, so its descriptor is closed only after the last read.
    private static func readLines(of output: Pipe, key: String, into board: ProcessBoard) {
        let thread = Thread {
            let reader = LineReader()
            let descriptor = output.fileHandleForReading.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    reader.lines(in: Data(buffer[0..<count])) { board.received($0, from: key) }
                } else if count < 0, errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            board.outputClosed(key)
            withExtendedLifetime(output) {}
        }
        thread.name = "tansiq-sim-out"
        thread.stackSize = 256 * 1024
        thread.start()
    }

    /// Removes the run's temporary directory.
    func removeFiles() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Splits a pipe's chunks into lines.
private final class LineReader: Sendable {
    private let pending = Mutex(Data())

    func lines(in chunk: Data, _ each: (Substring) -> Void) {
        let complete: [Substring] = pending.withLock { data in
            data.append(chunk)
            guard let last = data.lastIndex(of: 0x0A) else { return [] }
            let text = String(decoding: data[data.startIndex...last], as: UTF8.self)
            data.removeSubrange(data.startIndex...last)
            return text.split(separator: "\n")
        }
        for line in complete { each(line) }
    }
}
