import Foundation
import GRDB
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif
import Synchronization

/// Copies the journal's WAL back into its database on a thread of its own, through a second
/// connection: the hub's writer turned automatic checkpoints off, so its commits never pay for
/// the copy and the fsync of the database file (a fifth of the hub's CPU when they ran inline).
///
/// Its checkpoints are PASSIVE: they never block the writer, and a commit is durable once its WAL
/// frames are synced, whoever checkpoints them later. Under a load that never pauses a passive
/// checkpoint never copies the very last frames, so the WAL would never start again from its
/// beginning: it grew past the zeros `JournalWALReserve` keeps ahead of it, and each commit that
/// reached their end zero-filled and synced megabytes under the write lock (the latency tail).
/// So the writer restarts the WAL itself (``restartIfDue(_:reserve:)``) once it holds
/// ``restartFrames``, right after a pass of this thread left only a short tail to copy, and at
/// ``mustRestartFrames`` whatever the tail: the WAL stays inside the reserve written at open.
final class JournalCheckpointer: Sendable {
    /// WAL frames appended (about pages) between two passes of the checkpointer.
    static let wakeFrames = 256
    /// WAL frames from which the writer restarts the WAL once a pass left at most ``tailFrames``
    /// to copy.
    static let restartFrames = 2048
    static let tailFrames = 128
    /// WAL frames from which the writer restarts it whatever is left to copy: below the reserve
    /// written at open (`JournalWALReserve.openingBytes`, about 4,000 frames of 4 KiB pages) with
    /// room for the growth the reserve answers by extending itself.
    static let mustRestartFrames = 3072

    private let database: DatabaseQueue
    private let wake = DispatchSemaphore(value: 0)
    private let state = Mutex(State())
    /// Held for each checkpoint, the thread's passes and the writer's restarts: SQLite lets one
    /// checkpoint run at a time and answers a second with SQLITE_BUSY at once.
    private let checkpointing = Mutex(())
    private let finished = DispatchSemaphore(value: 0)

    private struct State {
        var stopping = false
        /// The WAL's frames when the thread was last woken.
        var wokenAt = 0
        /// The WAL's frames at the end of the last pass, and how many of them it had copied.
        var passFrames = 0
        var passCopied = 0
    }

    /// What the writer's restarts did, for tests.
    struct Restarts: Sendable, Equatable {
        var done = 0
        var refused = 0
    }

    private let restarts = Mutex(Restarts())

    /// Opens the second connection; the journal's file and schema already exist.
    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        database = try DatabaseQueue(path: path, configuration: configuration)
        let thread = Thread { [self] in run() }
        thread.name = "tansiq-journal-checkpoint"
        thread.start()
    }

    /// The writer committed: the WAL holds `walFrames` frames.
    func committed(walFrames: Int) {
        let due = state.withLock { state in
            // A WAL that started again counts from its new beginning.
            if walFrames < state.wokenAt { state.wokenAt = walFrames }
            guard walFrames >= state.wokenAt + Self.wakeFrames else { return false }
            state.wokenAt = walFrames
            return true
        }
        if due { wake.signal() }
    }

    /// Whether the writer should restart the WAL now, the WAL holding `walFrames` frames.
    func isRestartDue(walFrames frames: Int) -> Bool {
        guard frames >= Self.restartFrames else { return false }
        guard frames < Self.mustRestartFrames else { return true }
        return state.withLock { frames >= $0.passFrames && frames - $0.passCopied <= Self.tailFrames }
    }

    /// On the writer's connection, outside any transaction: restarts the WAL when it is due (see
    /// the type's discussion). Never waits for a reader: one that still reads frames of the WAL
    /// makes SQLite refuse, and the writer tries again after its next commit.
    func restartIfDue(_ db: Database, reserve: JournalWALReserve) {
        let frames = reserve.walFrames
        guard isRestartDue(walFrames: frames) else { return }
        let restart = { () -> Bool in
            let connection = db.sqliteConnection
            sqlite3_busy_timeout(connection, 0)
            defer { sqlite3_busy_timeout(connection, 10_000) }
            return sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_RESTART, nil, nil) == SQLITE_OK
        }
        // Past the bound the writer waits for a pass in progress; before it, it lets it finish.
        let restarted = frames >= Self.mustRestartFrames
            ? checkpointing.withLock { _ in restart() }
            : (checkpointing.withLockIfAvailable { _ in restart() } ?? false)
        if restarted {
            reserve.walRestarted()
            // The last pass counted frames of the WAL that is gone.
            state.withLock { state in
                state.passFrames = 0
                state.passCopied = 0
            }
        }
        restarts.withLock { restarted ? ($0.done += 1) : ($0.refused += 1) }
    }

    /// The writer's restarts so far.
    var restartCounts: Restarts { restarts.withLock { $0 } }

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
            let pass = checkpointing.withLock { _ in
                try? database.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            }
            // SQLITE_BUSY and the like: the next wake-up tries again.
            guard let (walFrames, copied) = pass else { continue }
            state.withLock { state in
                state.passFrames = walFrames
                state.passCopied = copied
            }
        }
    }
}
