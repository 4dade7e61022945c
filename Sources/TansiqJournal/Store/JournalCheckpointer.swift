import Foundation
import GRDB
import Synchronization

/// Copies the journal's WAL back into its database on a thread of its own, through a second
/// connection: the hub's writer turned automatic checkpoints off, so its commits never pay for
/// the copy and the fsync of the database file (a fifth of the hub's CPU when they ran inline).
///
/// Checkpoints are PASSIVE: they never block the writer, and a commit is durable once its WAL
/// frames are synced, whoever checkpoints them later. Under a load that never pauses a passive
/// checkpoint may never catch up, so the WAL would grow; past `restartFrames` the checkpointer
/// runs a RESTART one (the writer waits for it, as it did for the automatic checkpoint) and
/// the WAL starts again from its beginning.
final class JournalCheckpointer: Sendable {
    /// WAL frames appended (about pages) between two wake-ups of the checkpointer.
    static let wakeFrames = 2048
    /// WAL frames beyond which a checkpoint makes the writer wait until the WAL restarts.
    static let restartFrames = 65_536

    private let database: DatabaseQueue
    private let wake = DispatchSemaphore(value: 0)
    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)

    private struct State {
        var stopping = false
        var pendingFrames = 0
    }

    /// Opens the second connection; the journal's file and schema already exist.
    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        database = try DatabaseQueue(path: path, configuration: configuration)
        let thread = Thread { [self] in run() }
        thread.name = "tansiq-journal-checkpoint"
        thread.start()
    }

    /// The writer committed about `frames` WAL frames.
    func committed(frames: Int) {
        let due = state.withLock { state in
            state.pendingFrames += frames
            guard state.pendingFrames >= Self.wakeFrames else { return false }
            state.pendingFrames = 0
            return true
        }
        if due { wake.signal() }
    }

    /// Stops the thread after its current checkpoint and closes the connection.
    func stop() {
        let already = state.withLock { state in
            defer { state.stopping = true }
            return state.stopping
        }
        guard !already else { return }
        wake.signal()
        finished.wait()
        try? database.close()
    }

    private func run() {
        defer { finished.signal() }
        while true {
            // A quiet hub still checkpoints what the last commits left in the WAL.
            _ = wake.wait(timeout: .now() + .milliseconds(500))
            if state.withLock({ $0.stopping }) { return }
            do {
                let (walFrames, _) = try database.writeWithoutTransaction { db in try db.checkpoint(.passive) }
                if walFrames > Self.restartFrames {
                    try database.writeWithoutTransaction { db in _ = try db.checkpoint(.restart) }
                }
            } catch {
                // SQLITE_BUSY and the like: the next wake-up tries again.
            }
        }
    }
}
