import Foundation
import TansiqMessages

/// What the hub knows of each agency's heartbeats: when it last heard one, and whether the
/// agency has gone silent. Used only by the hub's loop thread.
///
/// An agency is silent when none of its agents sent a heartbeat for `missedHeartbeats` of the
/// interval its last heartbeat announced (or for the fixed `timeout` when one is configured).
/// The tracker reports each change once: `silent` when the silence starts, `back` at the
/// first heartbeat after it.
struct HubPresenceTracker {
    /// The most agencies tracked: a network has a few dozen; the bound keeps a publisher that
    /// invents agency names from growing the table without end.
    static let agencyLimit = 10_000

    private struct Agency {
        var lastSeen: Date
        var lastHeard: ContinuousClock.Instant
        var silenceAfter: Duration
        var isSilent: Bool
    }

    let missedHeartbeats: Int
    let timeout: Duration?
    private var agencies: [String: Agency] = [:]
    /// The earliest moment an agency may go silent, so that most rounds check nothing.
    private var nextDeadline: ContinuousClock.Instant?

    init(missedHeartbeats: Int, timeout: Duration?) {
        self.missedHeartbeats = max(1, missedHeartbeats)
        self.timeout = timeout
    }

    /// Records a heartbeat; returns the `back` notice when the agency had gone silent.
    mutating func heard(_ presence: Presence, at now: Date, instant: ContinuousClock.Instant) -> HubPresence? {
        let silenceAfter = timeout ?? .seconds(presence.heartbeatInterval) * missedHeartbeats
        let deadline = instant.advanced(by: silenceAfter)
        nextDeadline = min(nextDeadline ?? deadline, deadline)
        guard var agency = agencies[presence.agency] else {
            if agencies.count < Self.agencyLimit {
                agencies[presence.agency] = Agency(lastSeen: now, lastHeard: instant, silenceAfter: silenceAfter, isSilent: false)
            }
            return nil
        }
        let wasSilent = agency.isSilent
        let silentFor = now.timeIntervalSince(agency.lastSeen)
        let previouslySeen = agency.lastSeen
        agency.lastSeen = now
        agency.lastHeard = instant
        agency.silenceAfter = silenceAfter
        agency.isSilent = false
        agencies[presence.agency] = agency
        guard wasSilent else { return nil }
        return HubPresence(
            agency: presence.agency, state: .back, lastSeen: previouslySeen,
            silentForSeconds: UInt64(max(0, silentFor.rounded()))
        )
    }

    /// The agencies that have gone silent since the last call.
    mutating func silences(at now: Date, instant: ContinuousClock.Instant) -> [HubPresence] {
        guard let deadline = nextDeadline, instant >= deadline else { return [] }
        var notices: [HubPresence] = []
        var next: ContinuousClock.Instant?
        for (name, agency) in agencies where !agency.isSilent {
            let due = agency.lastHeard.advanced(by: agency.silenceAfter)
            if instant >= due {
                agencies[name]?.isSilent = true
                notices.append(HubPresence(
                    agency: name, state: .silent, lastSeen: agency.lastSeen,
                    silentForSeconds: UInt64(max(0, now.timeIntervalSince(agency.lastSeen).rounded()))
                ))
            } else {
                next = min(next ?? due, due)
            }
        }
        nextDeadline = next
        return notices.sorted { $0.agency < $1.agency }
    }
}
