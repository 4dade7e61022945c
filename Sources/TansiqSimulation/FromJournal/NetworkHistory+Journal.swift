import Foundation
import TansiqAgent
import TansiqHub
import TansiqMessages

/// The one place that reads a hub's database for ``NetworkHistory`` (re-point it here when the
/// journal's home moves): the registry, which holds parties, categories, priorities, states and
/// times in the clear, and the agencies' presence and service-status messages, whose headers are
/// readable but whose bodies are sealed when the hub runs with a master key.
extension NetworkHistory {
    /// Reads the registry and the agencies' own announcements from `journal` (opened read-only).
    /// Without the journal's master key, sealed presence and service-status bodies are skipped
    /// (``housekeepingSealed``): roles and capacities are then estimated from the registry.
    public init(journal: Journal) throws(JournalError) {
        var untimed = 0
        var referrals: [Referral] = []
        var coordinator: String?
        var end: Date?
        for record in try journal.referrals() {
            end = max(end ?? record.updatedAt, record.updatedAt)
            if coordinator == nil { coordinator = record.acknowledgements.first?.acknowledgedBy }
            guard let createdAt = record.createdAt else {
                untimed += 1
                continue
            }
            referrals.append(Referral(
                referrer: record.referrer, receiver: record.receiver, open: record.open, category: record.category,
                priority: record.priority, createdAt: createdAt, receivedAt: record.receivedAt, decidedAt: record.decidedAt,
                closedAt: record.closedAt, state: record.state, closeReason: record.closeReason))
        }
        var agencies: [String: Agency] = [:]
        var sealed = false
        do {
            try Self.announcements(in: journal) { envelope in
                let header = envelope.header
                end = max(end ?? header.time, header.time)
                switch envelope.payload {
                case .presence(let presence):
                    var agency = agencies[presence.agency] ?? Agency(id: presence.agency)
                    agency.role = AgentRole(rawValue: presence.role.rawValue) ?? agency.role
                    agency.agents.insert(presence.agent)
                    agencies[presence.agency] = agency
                case .serviceStatus(let status):
                    var agency = agencies[status.agency] ?? Agency(id: status.agency)
                    agency.capacities[status.category] = max(agency.capacities[status.category] ?? 0, status.capacity.maximum)
                    agency.units[status.category] = status.capacity.unit.rawValue
                    agencies[status.agency] = agency
                default:
                    break
                }
            }
        } catch where !journal.isEncrypted {
            // Sealed bodies and no key to open them: the registry alone has to do.
            sealed = true
            agencies = [:]
        }
        self.init(
            referrals: referrals, agencies: agencies, coordinator: coordinator, end: end,
            untimedReferrals: untimed, housekeepingSealed: sealed)
    }

    /// Every presence and service-status message still stored, decoded, in stream order.
    private static func announcements(in journal: Journal, _ body: (Envelope) -> Void) throws(JournalError) {
        var after: UInt64 = 0
        let size = 1000
        while true {
            let page = try journal.page(after: after, prefixes: ["presence/", "service/"], limit: size)
            for record in page.records {
                let frames = [Array(record.topic.utf8), record.header, record.body]
                if let envelope = try? MessageCodec.decode(frames).envelope { body(envelope) }
            }
            guard page.records.count + page.erased == size else { return }
            after = page.lastScanned
        }
    }
}
