import Foundation
import Synchronization

/// The time of a simulation that runs as fast as its work: it stands still while any agent or
/// the hub has something to do, and jumps to the next scheduled event once every one is idle.
///
/// Idleness is proved, not guessed. The hub numbers every message it forwards (one stream
/// sequence) and tells the clock the sequence and topic of each (``noteForwarded(_:)``) and, at
/// the end of every poll round, how far it has numbered and the time it looked at the
/// referrals' deadlines (``hubRoundEnded(through:lookedAt:)``). An agent with nothing due and
/// nothing unconfirmed in its outbox files a *certificate*: quiet through `r`, the highest
/// sequence it has received, with its activity count and its next timer. ZeroMQ delivers in
/// order, so whatever was forwarded to it up to `r` has arrived and been handled. (Right after
/// it connects, or when asked, an agent first sends a presence probe and waits for its echo:
/// that proves its subscriptions are in place.) The clock may jump once
/// - every agent holds a certificate and has done nothing since (no message handled, timer
///   fired or message published: ``Participant/noteActivity()``);
/// - no message forwarded after an agent's `r` is one its subscriptions take (but its own
///   presence): nothing can still be on its way to it;
/// - the hub has ended a round, after numbering every `r`, in which it looked at the
///   deadlines at this instant; if it has not, one agent is asked to probe, which wakes it.
/// Every substantive message an agent publishes is confirmed (acknowledged once the hub has
/// forwarded it, so noted here) before it certifies: nothing an agent sent can still be on its
/// way to the hub. A jump keeps the certificates of the agents with nothing due by the new time
/// (nothing changed for them) and wakes the others.
public final class VirtualTime: Sendable {
    /// One agent taking part: woken when the clock moves or it is asked to probe.
    public final class Participant: Sendable {
        public let name: String
        /// The topic prefixes the agent subscribes to, as ZeroMQ matches them (bytes).
        let subscriptions: [String]
        /// The agent's own presence topic: its echoes, which need no handling.
        let presence: String
        let wake: WakeSignal
        private let activityCount = Atomic<UInt64>(0)
        /// Every participant's activity together (the clock's), so that a verdict proves that
        /// no one acted since certifying without looking at each one.
        private let clockActivity: Activity

        init(name: String, subscriptions: [String], presence: String, wake: WakeSignal, clockActivity: Activity) {
            self.wake = wake
            self.name = name
            self.subscriptions = subscriptions
            self.presence = presence
            self.clockActivity = clockActivity
        }

        /// Counts one thing this agent did (a message handled, a timer fired, a message sent).
        public func noteActivity() {
            // The clock's total first: a verdict that reads the total after this agent's count
            // has grown sees it grown too (see ``VirtualTime/verdict()``).
            clockActivity.count.add(1, ordering: .sequentiallyConsistent)
            activityCount.add(1, ordering: .sequentiallyConsistent)
        }

        /// Everything this agent has done so far.
        public var activity: UInt64 { activityCount.load(ordering: .relaxed) }
    }

    /// The participants' activity counts added up.
    final class Activity: Sendable {
        let count = Atomic<UInt64>(0)
    }

    /// An agent's proof of quiet (see the type's discussion).
    private struct Certificate {
        var through: UInt64
        var activity: UInt64
        var nextDue: Date?
        var delivery: Delivery?
    }

    /// What an agent received from the egress since its subscriptions were proved in place (the
    /// echo at `baseline`): `received` messages it takes, counted as ``State/takers(of:)`` counts
    /// them. At a settled verdict the clock knows every message forwarded to it, so a count short
    /// of the forwarded one is a message dropped on the way (a full queue), found again by a
    /// replay; an equal count proves delivery with no replay at all.
    public struct Delivery: Sendable, Equatable {
        public var baseline: UInt64
        public var received: UInt64

        public init(baseline: UInt64, received: UInt64) {
            self.baseline = baseline
            self.received = received
        }
    }

    /// Whether the clock may move, and if not who is being waited for.
    public enum Verdict: Sendable, Equatable {
        /// Nothing is in flight: the earliest timer among the agents (none: `nil`).
        case settled(nextDue: Date?)
        /// Agents without a current certificate or with a message on its way to them, or
        /// `["hub"]` while it has not ended a round at this instant.
        case waiting([String])
    }

    /// What it took to move the clock, for the run's notes.
    public struct Statistics: Sendable {
        /// Certificates filed.
        public var certificates = 0
        /// Presence probes asked for, so that the hub looks at a new instant.
        public var probes = 0
        /// Certificates a jump kept (their agents had nothing due by the new time).
        public var kept = 0
        /// Agents asked to check their delivery against the journal (a count short of the forwarded one).
        public var deliveryChecks = 0
    }

    /// A message the hub forwarded: its stream sequence and topic.
    public struct Forwarded: Sendable {
        public var sequence: UInt64
        public var topic: String

        public init(sequence: UInt64, topic: String) {
            self.sequence = sequence
            self.topic = topic
        }
    }

    private struct State {
        var now: Date
        var participants: [String: Participant] = [:]
        var certificates: [String: Certificate] = [:]
        /// The participants without a certificate: the clock waits for them (kept beside
        /// `certificates` so that a verdict costs what is missing, not the whole network).
        var missing: Set<String> = []
        /// Who subscribes to each prefix, and the prefixes' distinct lengths in bytes: a
        /// forwarded topic is matched by looking up its own prefixes, not every subscription.
        var subscribers: [String: Set<String>] = [:]
        var prefixLengths: [Int] = []
        /// How many prefixes have each length, so that a join or leave updates the lengths
        /// without walking every prefix.
        var lengthCounts: [Int: Int] = [:]
        /// What the hub forwarded after the last settled verdict.
        var forwarded: [Forwarded] = []
        /// The stream sequence of the hub's latest ended round, and when it looked at deadlines.
        var hubSequence: UInt64 = 0
        var hubLookedAt: Date?
        /// The agent asked to probe, so that the hub has a round at this instant.
        var prober: String?
        var statistics = Statistics()
        /// Per agent, the messages forwarded that it takes, after the baseline it counts from.
        var expected: [String: Delivery] = [:]
        /// The agents asked to check their delivery (their count was short).
        var deliveryChecks: Set<String> = []
        /// Every agent had received everything forwarded through this sequence at the last
        /// settled verdict: a heartbeat's delivery check needs no replay below it.
        var deliveredThrough: UInt64 = 0
        /// The activity counts of the current certificates added up, and of the participants
        /// gone: while the clock's total equals the two, no participant acted since it certified
        /// (counts only grow), and a verdict need not look at each.
        var certifiedActivity: UInt64 = 0
        var departedActivity: UInt64 = 0
        /// The highest `through` of any certificate filed since the clock started: at least the
        /// highest of the current ones (the hub's sequence only grows), so a hub numbered past it
        /// has numbered past all of them.
        var highestThrough: UInt64 = 0

        mutating func withdraw(_ name: String) {
            if let certificate = certificates.removeValue(forKey: name) { certifiedActivity &-= certificate.activity }
            if participants[name] != nil { missing.insert(name) }
        }

        mutating func file(_ certificate: Certificate, for name: String) {
            if let previous = certificates.updateValue(certificate, forKey: name) { certifiedActivity &-= previous.activity }
            certifiedActivity &+= certificate.activity
            highestThrough = max(highestThrough, certificate.through)
        }

        mutating func index(_ participant: Participant) {
            var lengthsChanged = false
            for prefix in participant.subscriptions {
                if subscribers[prefix] == nil {
                    let length = prefix.utf8.count
                    lengthCounts[length, default: 0] += 1
                    lengthsChanged = lengthsChanged || lengthCounts[length] == 1
                }
                subscribers[prefix, default: []].insert(participant.name)
            }
            if lengthsChanged { prefixLengths = lengthCounts.keys.sorted() }
        }

        mutating func unindex(_ participant: Participant) {
            var lengthsChanged = false
            for prefix in participant.subscriptions {
                subscribers[prefix]?.remove(participant.name)
                guard subscribers[prefix]?.isEmpty == true else { continue }
                subscribers[prefix] = nil
                let length = prefix.utf8.count
                lengthCounts[length, default: 1] -= 1
                if lengthCounts[length] == 0 {
                    lengthCounts[length] = nil
                    lengthsChanged = true
                }
            }
            if lengthsChanged { prefixLengths = lengthCounts.keys.sorted() }
        }

        /// The participants a message on `topic` reaches and may ask something of (not the
        /// sender's own presence echo), as ZeroMQ matches prefixes: bytes.
        func takers(of topic: String) -> Set<String> {
            var takers: Set<String> = []
            let bytes = Array(topic.utf8)
            for length in prefixLengths {
                guard length <= bytes.count else { break }
                let prefix = String(decoding: bytes[..<length], as: UTF8.self)
                guard let names = subscribers[prefix] else { continue }
                for name in names where participants[name]?.presence != topic { takers.insert(name) }
            }
            return takers
        }
    }

    /// A change the simulation has not seen yet, or the simulation waiting for one.
    private struct Signal {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state: Mutex<State>
    /// The current time's `timeIntervalSinceReferenceDate` bits, written under `state`'s lock
    /// with `state.now`: agents read the time at every round, without taking the lock.
    private let nowBits: Atomic<UInt64>
    private let activity = Activity()
    private let signal = Mutex(Signal())
    /// The hub's wake-up, once a hub watches this clock (``hubWakeDescriptor``): a jump wakes
    /// it, so that its round at the new instant needs no agent's probe.
    private let hubWake = Mutex<WakeSignal?>(nil)

    /// A clock reading `origin` until it is advanced.
    public init(origin: Date) {
        state = Mutex(State(now: origin))
        nowBits = Atomic(origin.timeIntervalSinceReferenceDate.bitPattern)
    }

    /// The current simulated time.
    public func now() -> Date { Date(timeIntervalSinceReferenceDate: Double(bitPattern: nowBits.load(ordering: .acquiring))) }

    /// What moving the clock took so far.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    // MARK: Agents

    /// An agent starts taking part: the clock does not move without its certificate.
    /// `subscriptions` are its ZeroMQ prefixes; `presence` is the topic of its own probes;
    /// `wake` wakes its loop.
    func join(_ name: String, subscriptions: [String], presence: String, wake: WakeSignal) -> Participant {
        let participant = Participant(
            name: name, subscriptions: subscriptions + [presence], presence: presence, wake: wake, clockActivity: activity)
        state.withLock {
            if let previous = $0.participants[name] {
                $0.unindex(previous)
                $0.departedActivity &+= previous.activity
            }
            $0.participants[name] = participant
            $0.index(participant)
            $0.withdraw(name)
        }
        return participant
    }

    /// An agent stops.
    public func leave(_ participant: Participant) {
        state.withLock {
            guard $0.participants[participant.name] === participant else { return }
            $0.withdraw(participant.name)
            $0.participants[participant.name] = nil
            $0.departedActivity &+= participant.activity
            $0.missing.remove(participant.name)
            $0.unindex(participant)
            $0.expected[participant.name] = nil
            $0.deliveryChecks.remove(participant.name)
            if $0.prober == participant.name { $0.prober = nil }
        }
        signalChange()
    }

    /// Whether `participant`'s certificate holds at `time`: it has done nothing since and
    /// received nothing beyond `received`.
    public func isCertified(_ participant: Participant, at time: Date, received: UInt64) -> Bool {
        state.withLock { state in
            guard state.now == time, let certificate = state.certificates[participant.name] else { return false }
            return certificate.activity == participant.activity && certificate.through >= received
        }
    }

    /// Whether `participant` is asked to send a presence probe before it certifies.
    public func wantsProbe(from participant: Participant) -> Bool {
        state.withLock { $0.prober == participant.name }
    }

    /// `participant` is quiet at `time` through the stream sequence `through`, having done
    /// `activity` things, with its next timer due at `nextDue`; `probed` if it has just had a
    /// probe's echo; `delivery`, what it received since its subscriptions were in place (`nil`:
    /// not counted, never asked to check). Ignored if the clock has moved meanwhile.
    public func certify(
        _ participant: Participant, at time: Date, through: UInt64, activity: UInt64, nextDue: Date?, probed: Bool,
        delivery: Delivery? = nil
    ) {
        let complete = state.withLock { state -> Bool in
            guard state.now == time, state.participants[participant.name] === participant else { return false }
            state.file(Certificate(through: through, activity: activity, nextDue: nextDue, delivery: delivery), for: participant.name)
            if let delivery, state.expected[participant.name]?.baseline != delivery.baseline {
                // Counted from a new baseline (a first echo, a reconnection): so is the clock.
                state.expected[participant.name] = Delivery(baseline: delivery.baseline, received: 0)
            }
            state.missing.remove(participant.name)
            if probed, state.prober == participant.name { state.prober = nil }
            state.statistics.certificates += 1
            // The verdict waits for every missing certificate first: only the last one can
            // change it (a thousand agents woken by a jump wake the simulation once, not a
            // thousand times). An agent the verdict found late is not missing: its own new
            // certificate is then the last.
            return state.missing.isEmpty
        }
        if complete { signalChange() }
    }

    /// Whether `participant`'s count fell short of what was forwarded to it: it then replays
    /// from the journal what it missed and says ``deliveryChecked(_:delivery:)``.
    public func wantsDeliveryCheck(from participant: Participant) -> Bool {
        state.withLock { $0.deliveryChecks.contains(participant.name) }
    }

    /// `participant` checked its delivery against the journal: whatever it counts now is all
    /// there was (the replay proved it), and the clock counts on from there.
    public func deliveryChecked(_ participant: Participant, delivery: Delivery) {
        state.withLock { state in
            state.deliveryChecks.remove(participant.name)
            state.expected[participant.name] = delivery
        }
    }

    /// The stream sequence through which every agent had received every message for it, at the
    /// last settled verdict: an agent's delivery is verified through it without a replay.
    public var deliveredThrough: UInt64 { state.withLock { $0.deliveredThrough } }

    // MARK: The hub

    /// A descriptor for the hub's loop to poll: readable once the clock has moved. From then on
    /// the clock wakes the hub itself instead of asking an agent to probe; `nil` when no pipe
    /// can be made (out of descriptors), and agents' probes go on telling the hub.
    public var hubWakeDescriptor: Int32? {
        hubWake.withLock { wake in
            if wake == nil { wake = try? WakeSignal() }
            return wake?.fileDescriptor
        }
    }

    /// The hub's loop saw its wake-up.
    public func hubWoken() { hubWake.withLock { $0 }?.drain() }

    private func wakeHub() -> Bool {
        guard let wake = hubWake.withLock({ $0 }) else { return false }
        wake.signal()
        return true
    }

    /// The hub sent these messages to its egress (its thread, in stream order).
    public func noteForwarded(_ messages: [Forwarded]) {
        state.withLock { $0.forwarded.append(contentsOf: messages) }
    }

    /// The hub ended a poll round having numbered every message up to `sequence`, having
    /// looked at the deadlines at `lookedAt` (its clock).
    public func hubRoundEnded(through sequence: UInt64, lookedAt: Date?) {
        let moved = state.withLock { state -> Bool in
            guard sequence != state.hubSequence || lookedAt != state.hubLookedAt else { return false }
            state.hubSequence = sequence
            state.hubLookedAt = lookedAt
            // While certificates are missing the verdict does not look at the hub.
            return state.missing.isEmpty
        }
        if moved { signalChange() }
    }

    // MARK: The simulation

    /// Moves the clock forward to `time` (never back). The agents with something due by then
    /// lose their certificates and are woken to look at the new time; the others keep theirs,
    /// unless `keepingQuiet` is false (after a fault: every agent proves itself again).
    public func advance(to time: Date, keepingQuiet: Bool = true) {
        let woken = state.withLock { state -> [Participant] in
            guard time > state.now else { return [] }
            state.now = time
            nowBits.store(time.timeIntervalSinceReferenceDate.bitPattern, ordering: .releasing)
            state.prober = nil
            guard keepingQuiet else {
                state.certificates.removeAll(keepingCapacity: true)
                state.certifiedActivity = 0
                // A hub started again without a journal numbers from the start.
                state.highestThrough = 0
                state.missing = Set(state.participants.keys)
                return Array(state.participants.values)
            }
            var woken: [Participant] = []
            for (name, participant) in state.participants {
                if let certificate = state.certificates[name], certificate.nextDue.map({ $0 > time }) ?? true { continue }
                state.withdraw(name)
                woken.append(participant)
            }
            state.statistics.kept += state.certificates.count
            return woken
        }
        for participant in woken { participant.wake.signal() }
        _ = wakeHub()
    }

    /// Whether the clock may move now. When only the hub's round at this instant is missing,
    /// asks one agent to probe (and wakes it); a caller waits with ``nextChange()`` and asks again.
    public func verdict() -> Verdict {
        let hubWatched = hubWake.withLock { $0 != nil }
        let (verdict, woken) = state.withLock { state -> (Verdict, [Participant]) in
            // Someone has not certified at this instant: the common case, answered without
            // looking at the others.
            guard state.missing.isEmpty else { return (.waiting(state.missing.sorted()), []) }
            guard !state.participants.isEmpty else { return (.settled(nextDue: nil), []) }
            // Someone acted after its certificate: the totals differ, then each is looked at
            // (a verdict that finds no one costs the totals, not the whole network).
            if activity.count.load(ordering: .sequentiallyConsistent) != state.certifiedActivity &+ state.departedActivity {
                var waiting: [String] = []
                for (name, participant) in state.participants {
                    guard let certificate = state.certificates[name] else {
                        waiting.append(name)
                        continue
                    }
                    guard certificate.activity == participant.activity else {
                        // It certifies again on its own thread.
                        state.withdraw(name)
                        waiting.append(name)
                        continue
                    }
                }
                guard waiting.isEmpty else { return (.waiting(waiting.sorted()), []) }
            }
            guard state.hubSequence >= state.highestThrough else { return (.waiting(["hub"]), []) }
            // A message on its way to an agent wakes it when it arrives; it certifies again then.
            var late: Set<String> = []
            for message in state.forwarded {
                for name in state.takers(of: message.topic) where !late.contains(name) {
                    if let certificate = state.certificates[name], message.sequence > certificate.through { late.insert(name) }
                }
            }
            guard late.isEmpty else {
                // Each certifies again once the message has come (it is then active, or has
                // received past its certificate): waited for as missing, so that only the last
                // of them wakes the simulation, not each one for a verdict over the whole network.
                for name in late { state.withdraw(name) }
                return (.waiting(late.sorted()), [])
            }
            guard state.hubLookedAt == state.now else {
                // A hub that is woken at each jump needs no probe: it is woken again.
                guard !hubWatched else { return (.waiting(["hub"]), []) }
                guard state.prober == nil, let name = state.participants.keys.min(), let participant = state.participants[name] else {
                    return (.waiting(["hub"]), [])
                }
                state.prober = name
                state.withdraw(name)
                state.statistics.probes += 1
                return (.waiting(["hub"]), [participant])
            }
            // Quiet through the hub's round: every message forwarded through it has arrived
            // wherever it was going, unless a queue dropped it on the way (counts short).
            let through = state.hubSequence
            for message in state.forwarded where message.sequence <= through {
                for name in state.takers(of: message.topic) {
                    guard let baseline = state.expected[name]?.baseline, message.sequence > baseline else { continue }
                    state.expected[name]!.received += 1
                }
            }
            state.forwarded.removeAll { $0.sequence <= through }
            var short: [Participant] = []
            for (name, expected) in state.expected {
                guard let delivery = state.certificates[name]?.delivery, delivery.baseline == expected.baseline,
                      delivery.received < expected.received, let participant = state.participants[name]
                else { continue }
                state.deliveryChecks.insert(name)
                state.withdraw(name)
                state.statistics.deliveryChecks += 1
                short.append(participant)
            }
            guard short.isEmpty else { return (.waiting(short.map(\.name).sorted()), short) }
            var nextDue: Date?
            // By index, in place: iterating the keys while changing values would copy the table.
            var index = state.certificates.startIndex
            while index != state.certificates.endIndex {
                if state.certificates.values[index].through < through { state.certificates.values[index].through = through }
                if let due = state.certificates.values[index].nextDue { nextDue = min(nextDue ?? due, due) }
                state.certificates.formIndex(after: &index)
            }
            state.deliveredThrough = max(state.deliveredThrough, through)
            return (.settled(nextDue: nextDue), [])
        }
        for participant in woken { participant.wake.signal() }
        if verdict == .waiting(["hub"]) { _ = wakeHub() }
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
