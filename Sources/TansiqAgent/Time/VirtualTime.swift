import Foundation
import Synchronization

/// The time of a simulation that runs as fast as its work: it stands still while any agent or
/// the hub has something to do, and jumps to the next scheduled event once every one is idle.
///
/// Idleness is proved, not guessed. An agent with nothing due and nothing unconfirmed in its
/// outbox sends a presence probe through the hub; the hub forwards in order, one stream
/// sequence for every message, so when the probe's echo (sequence `s`) comes back everything
/// forwarded to the agent before it has arrived and been handled. The agent then files a
/// *certificate*: quiet at this instant, through `s`, with its activity count and its next
/// timer. The clock may jump once
/// - every agent holds a certificate for the current instant and has done nothing since
///   (no message handled, timer fired or message published: ``Participant/noteActivity()``);
/// - the hub has ended a poll round after forwarding every certified echo (its round-end
///   sequence `H` is at least each `s`), so it has also looked at its deadlines at this instant;
/// - no message but agents' presence echoes was forwarded after any agent's `s` up to `H`:
///   everything that could still be on its way to an agent came before that agent's echo.
/// When only the last condition fails, the agents whose echo precedes the newest other message
/// probe again (they are woken); nothing else has to start over. Every substantive message an
/// agent publishes is confirmed (acknowledged once the hub has forwarded it) before it probes,
/// so nothing an agent sent can still be on its way to the hub.
public final class VirtualTime: Sendable {
    /// One agent taking part: woken when the clock moves or its certificate is withdrawn.
    public final class Participant: Sendable {
        public let name: String
        let wake = WakeSignal()
        private let activityCount = Atomic<UInt64>(0)

        init(name: String) {
            self.name = name
        }

        /// Counts one thing this agent did (a message handled, a timer fired, a message sent).
        public func noteActivity() { activityCount.add(1, ordering: .relaxed) }

        /// Everything this agent has done so far.
        public var activity: UInt64 { activityCount.load(ordering: .relaxed) }
    }

    /// An agent's proof of quiet (see the type's discussion).
    private struct Certificate {
        var echo: UInt64
        var activity: UInt64
        var nextDue: Date?
    }

    /// Whether the clock may move, and if not who is being waited for.
    public enum Verdict: Sendable, Equatable {
        /// Nothing is in flight: the earliest timer among the agents (none: `nil`).
        case settled(nextDue: Date?)
        /// Agents without a current certificate, or `["hub"]` while its round is not over.
        case waiting([String])
    }

    /// What it took to move the clock, for the run's notes.
    public struct Statistics: Sendable {
        /// Certificates filed (one echoed probe each).
        public var certificates = 0
        /// Times some agents had to probe again because a message followed their echo.
        public var recalls = 0
    }

    private struct State {
        var now: Date
        var participants: [String: Participant] = [:]
        var certificates: [String: Certificate] = [:]
        /// The stream sequences of agents' presence echoes seen above `floor`.
        var echoes: Set<UInt64> = []
        var floor: UInt64 = 0
        /// The stream sequence of the hub's latest ended round.
        var hubSequence: UInt64 = 0
        var statistics = Statistics()
    }

    /// A change the simulation has not seen yet, or the simulation waiting for one.
    private struct Signal {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state: Mutex<State>
    private let signal = Mutex(Signal())

    /// A clock reading `origin` until it is advanced.
    public init(origin: Date) {
        state = Mutex(State(now: origin))
    }

    /// The current simulated time.
    public func now() -> Date { state.withLock { $0.now } }

    /// What moving the clock took so far.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    // MARK: Agents

    /// An agent starts taking part: the clock does not move without its certificate.
    public func join(_ name: String) -> Participant {
        let participant = Participant(name: name)
        state.withLock {
            $0.participants[name] = participant
            $0.certificates[name] = nil
        }
        return participant
    }

    /// An agent stops.
    public func leave(_ participant: Participant) {
        state.withLock {
            guard $0.participants[participant.name] === participant else { return }
            $0.participants[participant.name] = nil
            $0.certificates[participant.name] = nil
        }
        signalChange()
    }

    /// Whether `participant` holds a certificate for `time` and has done nothing since.
    public func isCertified(_ participant: Participant, at time: Date) -> Bool {
        state.withLock { state in
            guard state.now == time, let certificate = state.certificates[participant.name] else { return false }
            return certificate.activity == participant.activity
        }
    }

    /// Notes the stream sequence of an echo of an agent's own presence (a probe or a heartbeat).
    public func noteEcho(_ sequence: UInt64) {
        state.withLock { state in
            if sequence > state.floor { state.echoes.insert(sequence) }
        }
    }

    /// `participant` is quiet at `time` through the echo `echo`, having done `activity` things,
    /// with its next timer due at `nextDue`. Ignored if the clock has moved meanwhile.
    public func certify(_ participant: Participant, at time: Date, echo: UInt64, activity: UInt64, nextDue: Date?) {
        let filed = state.withLock { state -> Bool in
            guard state.now == time, state.participants[participant.name] === participant else { return false }
            state.certificates[participant.name] = Certificate(echo: echo, activity: activity, nextDue: nextDue)
            state.statistics.certificates += 1
            return true
        }
        if filed { signalChange() }
    }

    // MARK: The hub

    /// The hub ended a poll round having numbered every message up to `sequence`.
    public func hubRoundEnded(through sequence: UInt64) {
        let moved = state.withLock { state -> Bool in
            guard sequence != state.hubSequence else { return false }
            state.hubSequence = sequence
            return true
        }
        if moved { signalChange() }
    }

    // MARK: The simulation

    /// Moves the clock forward to `time` (never back): every certificate lapses and every
    /// agent is woken to look at the new time.
    public func advance(to time: Date) {
        let woken = state.withLock { state -> [Participant] in
            guard time > state.now else { return [] }
            state.now = time
            state.certificates.removeAll(keepingCapacity: true)
            return Array(state.participants.values)
        }
        for participant in woken { participant.wake.signal() }
    }

    /// Whether the clock may move now. Withdraws (and wakes) the certificates a later message
    /// made stale, so a caller waits with ``nextChange()`` and asks again.
    public func verdict() -> Verdict {
        let (verdict, recalled) = state.withLock { state -> (Verdict, [Participant]) in
            var waiting: [String] = []
            var lowest = UInt64.max
            var highest: UInt64 = 0
            var nextDue: Date?
            for (name, participant) in state.participants {
                guard let certificate = state.certificates[name] else {
                    waiting.append(name)
                    continue
                }
                guard certificate.activity == participant.activity else {
                    // It acted after its certificate: it probes again on its own thread.
                    state.certificates[name] = nil
                    waiting.append(name)
                    continue
                }
                lowest = min(lowest, certificate.echo)
                highest = max(highest, certificate.echo)
                if let due = certificate.nextDue { nextDue = min(nextDue ?? due, due) }
            }
            guard waiting.isEmpty else { return (.waiting(waiting.sorted()), []) }
            guard !state.participants.isEmpty else { return (.settled(nextDue: nil), []) }
            guard state.hubSequence >= highest else { return (.waiting(["hub"]), []) }
            // The newest message after the earliest echo that is not an echo itself.
            var sequence = state.hubSequence
            while sequence > lowest, state.echoes.contains(sequence) { sequence -= 1 }
            guard sequence > lowest else {
                let floor = max(state.floor, lowest)
                state.floor = floor
                state.echoes = state.echoes.filter { $0 > floor }
                return (.settled(nextDue: nextDue), [])
            }
            var recalled: [Participant] = []
            for (name, certificate) in state.certificates where certificate.echo < sequence {
                state.certificates[name] = nil
                if let participant = state.participants[name] { recalled.append(participant) }
            }
            state.statistics.recalls += 1
            return (.waiting(recalled.map(\.name).sorted()), recalled)
        }
        for participant in recalled { participant.wake.signal() }
        return verdict
    }

    /// Returns after the next certificate, hub round or ``nudge()`` (at once if one came since
    /// the last call). One caller at a time: the simulation's task.
    public func nextChange() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = signal.withLock { signal -> Bool in
                if signal.pending {
                    signal.pending = false
                    return true
                }
                signal.waiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Wakes a caller of ``nextChange()`` (a periodic tick, so that it checks its limits).
    public func nudge() { signalChange() }

    private func signalChange() {
        let waiter = signal.withLock { signal -> CheckedContinuation<Void, Never>? in
            guard let waiter = signal.waiter else {
                signal.pending = true
                return nil
            }
            signal.waiter = nil
            return waiter
        }
        waiter?.resume()
    }
}
