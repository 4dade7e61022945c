import Foundation
import GRDB
import TansiqMessages

extension AgentStore {
    /// What a referral row keeps beside the referral itself.
    private struct Details: Codable {
        var receiver: String?
        var wasAccepted: Bool
        var escalated: [Escalation.Deadline]
        var messageID: UUID?
        var sentAt: Date?
        var republished: Int
        var transitions: [TrackedReferral.Transition]
        var published: [ReferralStatusUpdate]
        var nextStepAt: Date?
    }

    static func save(_ tracked: TrackedReferral, in db: Database) throws {
        let details = Details(
            receiver: tracked.receiver,
            wasAccepted: tracked.wasAccepted,
            escalated: tracked.escalated.sorted { $0.rawValue < $1.rawValue },
            messageID: tracked.messageID,
            sentAt: tracked.sentAt,
            republished: tracked.republished,
            transitions: tracked.transitions,
            published: tracked.published,
            nextStepAt: tracked.nextStepAt
        )
        let encoder = JSONEncoder()
        try db.execute(
            sql: """
                INSERT INTO referral (id, part, state, updated_at, referral, details) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET part = excluded.part, state = excluded.state,
                    updated_at = excluded.updated_at, referral = excluded.referral, details = excluded.details
                """,
            arguments: [
                tracked.referral.referralId.uuidString.lowercased(), tracked.part.rawValue, tracked.state.rawValue,
                tracked.updatedAt.timeIntervalSinceReferenceDate,
                try encoder.encode(tracked.referral), try encoder.encode(details),
            ])
    }

    static func trackedReferral(from row: Row) throws -> TrackedReferral {
        let id: String = row[0]
        let decoder = JSONDecoder()
        do {
            guard let part = TrackedReferral.Part(rawValue: row[1]), let state = ReferralState(rawValue: row[2]) else {
                throw AgentStoreError(.corruptRecord, "referral \(id): unknown part or state")
            }
            let referral = try decoder.decode(Referral.self, from: row[4] as Data)
            let details = try decoder.decode(Details.self, from: row[5] as Data)
            return TrackedReferral(
                referral: referral,
                part: part,
                state: state,
                receiver: details.receiver,
                updatedAt: Date(timeIntervalSinceReferenceDate: row[3]),
                wasAccepted: details.wasAccepted,
                escalated: Set(details.escalated),
                messageID: details.messageID,
                sentAt: details.sentAt,
                republished: details.republished,
                transitions: details.transitions,
                published: details.published,
                nextStepAt: details.nextStepAt
            )
        } catch let error as AgentStoreError {
            throw error
        } catch {
            throw AgentStoreError(.corruptRecord, "referral \(id) cannot be read back: \(error)")
        }
    }
}
