import Foundation
import Synchronization
import TansiqAgent

/// What the agent processes of a run have done, updated from their pipes' and exits' handlers:
/// who is ready, who exited and whether that was expected. Keys are `<agent>#<incarnation>`.
final class ProcessBoard: Sendable {
    private struct Entry {
        var log: URL
        var executable: String
        var pid: Int32 = 0
        var ready = false
        var outputOpen = true
        var exit: (status: Int32, signalled: Bool)?
        var exitExpected = false
    }

    private struct State {
        var entries: [String: Entry] = [:]
    }

    private let state = Mutex(State())
    private let recorder: SimulationRecorder

    init(recorder: SimulationRecorder) {
        self.recorder = recorder
    }

    func opened(_ key: String, log: URL, executable: String) {
        state.withLock { $0.entries[key] = Entry(log: log, executable: executable) }
    }

    func started(_ key: String, pid: Int32) {
        state.withLock { $0.entries[key]?.pid = pid }
    }

    /// One line the process printed: its ready event, or an event for the report.
    func received(_ line: Substring, from key: String) {
        guard let record = AgentEventRecord.decode(line: line) else { return }
        if record.event == .ready {
            state.withLock { $0.entries[key]?.ready = true }
        } else if let event = SimulationRecorder.Event(record) {
            recorder.record(record.identity, event, record.time)
        }
    }

    func outputClosed(_ key: String) {
        state.withLock { $0.entries[key]?.outputOpen = false }
    }

    func exited(_ key: String, status: Int32, signalled: Bool) {
        state.withLock { $0.entries[key]?.exit = (status, signalled) }
    }

    /// The run stops this process: its exit is not a failure.
    func expectExit(_ key: String) {
        state.withLock { $0.entries[key]?.exitExpected = true }
    }

    /// The keys among `keys` not ready yet.
    func notReady(_ keys: [String]) -> [String] {
        state.withLock { state in keys.filter { !(state.entries[$0]?.ready ?? false) } }
    }

    /// The first process that exited while the run needed it, described with its log's last lines.
    func firstFailure() -> String? {
        let failed = state.withLock { state in
            state.entries.filter { $0.value.exit != nil && !$0.value.exitExpected }.min { $0.key < $1.key }
        }
        guard let (key, entry) = failed, let exit = entry.exit else { return nil }
        let agent = key.split(separator: "#")[0]
        let how = exit.signalled ? "was killed by signal \(exit.status)" : "exited with status \(exit.status)"
        let log = (try? String(contentsOf: entry.log, encoding: .utf8)) ?? ""
        let tail = log.split(separator: "\n").suffix(8).map { "    \($0)" }.joined(separator: "\n")
        return "agent process \(agent) (\(entry.executable), pid \(entry.pid)) \(how) during the run"
            + (tail.isEmpty ? "; it wrote nothing on standard error (\(entry.log.path))" : "; the end of its log (\(entry.log.path)):\n\(tail)")
    }

    /// Waits until every process of `keys` has exited, or `limit` passes; returns those still running.
    func waitForExit(_ keys: [String], within limit: Duration) async -> [String] {
        await wait(keys, within: limit) { $0.exit == nil }
    }

    /// Waits until every process of `keys` has closed its standard output, or `limit` passes.
    func waitForOutput(_ keys: [String], within limit: Duration) async -> [String] {
        await wait(keys, within: limit) { $0.outputOpen }
    }

    private func wait(_ keys: [String], within limit: Duration, pending: @escaping (Entry) -> Bool) async -> [String] {
        let deadline = ContinuousClock.now + limit
        while true {
            let left = state.withLock { state in keys.filter { state.entries[$0].map(pending) ?? false } }
            if left.isEmpty || ContinuousClock.now >= deadline { return left }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
