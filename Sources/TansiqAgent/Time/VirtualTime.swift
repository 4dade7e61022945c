import Foundation
import Synchronization

/// The time of a simulation that runs as fast as its work: it stands still while any agent or
/// the hub has something to do, and jumps to the next scheduled event once every one is idle.
///
/// Idleness is proved, not guessed, with barrier rounds (*epochs*): the simulation opens an
/// epoch; each agent that has nothing due and nothing unconfirmed in its outbox sends a
/// presence probe through the hub and, when the probe comes back (the hub forwards in order,
/// so everything forwarded to the agent before has arrived), reports itself quiet with the time
/// of its next timer. Every message an agent handles, timer it fires or message it publishes
/// counts as activity. Two consecutive epochs in which every agent is quiet and the activity
/// count does not move mean nothing is in flight: the first lets the hub act on the new time
/// (deadlines), the second carries what it did. Then the clock may jump.
public final class VirtualTime: Sendable {
    private struct State {
        var now: Date
        var epoch: UInt64 = 0
        var participants: Set<String> = []
        var quiet: [String: Date?] = [:]
    }

    private let state: Mutex<State>
    private let activityCount = Atomic<UInt64>(0)

    /// A clock reading `origin` until it is advanced.
    public init(origin: Date) {
        state = Mutex(State(now: origin))
    }

    /// The current simulated time.
    public func now() -> Date { state.withLock { $0.now } }

    /// Counts one thing done by a participant (a message handled, a timer fired, a message sent).
    public func noteActivity() { activityCount.add(1, ordering: .relaxed) }

    /// Everything done so far.
    public var activity: UInt64 { activityCount.load(ordering: .relaxed) }

    /// The current epoch.
    public var epoch: UInt64 { state.withLock { $0.epoch } }

    /// An agent starts taking part: no epoch completes without it.
    public func join(_ participant: String) {
        state.withLock { _ = $0.participants.insert(participant) }
    }

    /// An agent stops.
    public func leave(_ participant: String) {
        state.withLock {
            $0.participants.remove(participant)
            $0.quiet[participant] = nil
        }
    }

    /// An agent is quiet in `epoch`, with its next timer due at `nextDue`.
    public func reportQuiet(_ participant: String, epoch: UInt64, nextDue: Date?) {
        state.withLock { state in
            guard state.epoch == epoch, state.participants.contains(participant) else { return }
            state.quiet[participant] = .some(nextDue)
        }
    }

    /// Opens a new epoch; returns it.
    public func startEpoch() -> UInt64 {
        state.withLock { state in
            state.epoch += 1
            state.quiet.removeAll(keepingCapacity: true)
            return state.epoch
        }
    }

    /// Whether every participant is quiet in `epoch`, and the earliest next timer among them.
    public func quiet(in epoch: UInt64) -> (complete: Bool, nextDue: Date?, waiting: [String]) {
        state.withLock { state in
            let waiting = state.participants.filter { state.quiet[$0] == nil }.sorted()
            guard state.epoch == epoch else { return (false, nil, waiting) }
            let next = state.quiet.values.compactMap { $0 }.min()
            return (waiting.isEmpty, next, waiting)
        }
    }

    /// Moves the clock forward to `time` (never back).
    public func advance(to time: Date) {
        state.withLock { state in
            if time > state.now { state.now = time }
        }
    }
}
