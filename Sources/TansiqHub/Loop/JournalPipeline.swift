#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The journal's writer thread: the group commit of one batch runs here while the hub's thread
/// reads, validates and admits the next one, so the hub uses both cores.
///
/// One batch at most is in flight, and the hub numbers the next one only once the writer has
/// answered: a refused batch never leaves numbers used by a later one. The writer answers
/// through a pipe the hub's loop polls (`wakeDescriptor`), so the loop stays the only owner of
/// its sockets and forwards a batch only after its commit returned (durable, in `full` mode).
///
/// The journal is used by one thread at a time: by the writer while a batch is in flight, by
/// the hub's thread otherwise (replays, lookups, retention, statistics, closing), which first
/// waits for the answer (`HubLoop.settleJournal()`). The lock that hands the answer over
/// orders the two threads' uses of it. The one exception is the WAL's restart, which the writer
/// runs after answering (a copy and a sync of the database file, kept out of every commit's
/// wait): it touches no state of the journal's own, and SQLite's one connection orders it with
/// whatever the hub's thread does meanwhile.
final class JournalPipeline: @unchecked Sendable {
    /// One batch to store, as the hub numbered it.
    struct Job {
        var batch: [OutgoingMessage]
        var numbers: [Sequencer.Stamp]
        /// The registry's records the batch changed, as they are after it.
        var referrals: [ReferralRecord]
        /// The correlation ids of the referrals its status updates closed.
        var closed: [String]
        var receivedAt: Date
    }

    /// How long the commit took, or why the journal refused the batch (nothing of it stored).
    typealias Outcome = Result<Duration, JournalError>

    private let writer: JournalWriter
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var job: Job?
    private var outcome: Outcome?
    private var stopping = false
    private var running = true
    /// The WAL is due to start over: the writer does it while the hub admits the next batch.
    private var restartDue = false
    /// Whether a batch was submitted whose outcome the hub has not taken yet (hub's thread only).
    private(set) var isBusy = false
    private let wakeRead: Int32
    private let wakeWrite: Int32

    /// Readable when the writer has answered.
    var wakeDescriptor: Int32 { wakeRead }

    init(journal: Journal) throws(HubError) {
        writer = JournalWriter(journal: journal)
        // A restart of the WAL syncs the database file: between batches, never inside a commit's wait.
        journal.defersWALRestart = true
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else {
            throw HubError(code: .journalUnavailable, message: "cannot create the journal writer's wake-up pipe: errno \(errno)")
        }
        (wakeRead, wakeWrite) = (descriptors[0], descriptors[1])
        _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)
        _ = fcntl(wakeRead, F_SETFD, FD_CLOEXEC)
        _ = fcntl(wakeWrite, F_SETFD, FD_CLOEXEC)
        let thread = Thread { [self] in run() }
        thread.name = "tansiq-journal-writer"
        thread.start()
    }

    /// Hands `job` to the writer; the hub's thread must not touch the journal until it took the outcome.
    func submit(_ job: Job) {
        precondition(!isBusy, "one batch at a time: the next batch's numbers follow this one's outcome")
        isBusy = true
        condition.lock()
        self.job = job
        condition.signal()
        condition.unlock()
    }

    /// Stores `job` on the calling thread (the hub's) while the writer thread is idle: a small
    /// batch then waits for its commit alone, without the two thread hand-offs (a wake-up of
    /// the writer and one of the loop), which on a busy machine cost more than the commit.
    /// Durability is the same: the outcome comes once the commit returned.
    func commitHere(_ job: Job) -> Outcome {
        precondition(!isBusy, "the writer thread is storing a batch: the journal is its until it answers")
        // The writer thread last used the journal before handing its outcome over under the
        // condition's lock, which the hub's thread took since: the two uses are ordered.
        do {
            let duration = try writer.commit(
                job.batch, numbers: job.numbers, referrals: job.referrals, closed: job.closed, receivedAt: job.receivedAt)
            if writer.journal.isWALRestartDue {
                // Not on the hub's thread: the batch is forwarded first, and the writer restarts the WAL.
                condition.lock()
                restartDue = true
                condition.signal()
                condition.unlock()
            }
            return .success(duration)
        } catch {
            return .failure(error)
        }
    }

    /// The writer's answer, if it has come (never waits).
    func takeOutcome() -> Outcome? {
        guard isBusy else {
            drainWake()
            return nil
        }
        condition.lock()
        defer { condition.unlock() }
        guard let outcome else { return nil }
        return take(outcome)
    }

    /// Waits for the writer's answer to the batch in flight.
    func waitForOutcome() -> Outcome? {
        guard isBusy else { return nil }
        condition.lock()
        defer { condition.unlock() }
        while outcome == nil { condition.wait() }
        return take(outcome!)
    }

    /// Under the lock: the outcome and its one wake-up byte are consumed together.
    private func take(_ outcome: Outcome) -> Outcome {
        self.outcome = nil
        isBusy = false
        drainWake()
        return outcome
    }

    private func drainWake() {
        var bytes = [UInt8](repeating: 0, count: 16)
        while read(wakeRead, &bytes, bytes.count) > 0 {}
    }

    /// Stops the writer after the batch it is storing, if any; the outcome of that batch is
    /// the caller's to have taken (the hub settles its journal before closing).
    func stop() {
        condition.lock()
        guard !stopping else {
            condition.unlock()
            return
        }
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
        close(wakeRead)
        close(wakeWrite)
    }

    private func run() {
        condition.lock()
        defer {
            running = false
            condition.broadcast()
            condition.unlock()
        }
        while true {
            while job == nil, !restartDue, !stopping { condition.wait() }
            // Before the next batch, even one already waiting: under a load that never pauses
            // there always is one, and the WAL would outgrow its zeros.
            if restartDue, !stopping {
                restartDue = false
                condition.unlock()
                // A commit of the hub's thread meanwhile waits for it (SQLite's one connection).
                writer.journal.restartWALIfDue()
                condition.lock()
                continue
            }
            guard let next = job else { return }
            job = nil
            condition.unlock()
            let outcome: Outcome
            var due = false
            do {
                outcome = .success(try writer.commit(
                    next.batch, numbers: next.numbers, referrals: next.referrals, closed: next.closed, receivedAt: next.receivedAt))
                // Read before the answer: then the journal may be the hub's thread's.
                due = writer.journal.isWALRestartDue
            } catch {
                outcome = .failure(error)
            }
            condition.lock()
            self.outcome = outcome
            // The restart runs once the batch is answered, overlapping the hub's next round.
            if due { restartDue = true }
            // One byte per outcome, written under the lock: whoever takes the outcome reads it.
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
            condition.broadcast()
        }
    }
}
