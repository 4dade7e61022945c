import Foundation
import GRDB
import Logging
import TansiqMessages
import TansiqVault

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
        /// Absent from rows written before the desk kept the trail.
        var history: [ReferralStatusUpdate]?
        /// Absent from rows written before refusals were kept.
        var refusal: TrackedReferral.Refusal?
    }

    func save(_ tracked: TrackedReferral, in db: Database) throws {
        let details = Details(
            receiver: tracked.receiver,
            wasAccepted: tracked.wasAccepted,
            escalated: tracked.escalated.sorted { $0.rawValue < $1.rawValue },
            messageID: tracked.messageID,
            sentAt: tracked.sentAt,
            republished: tracked.republished,
            transitions: tracked.transitions,
            published: tracked.published,
            nextStepAt: tracked.nextStepAt,
            history: tracked.history,
            refusal: tracked.refusal
        )
        let encoder = JSONEncoder()
        let id = tracked.referral.referralId.uuidString.lowercased()
        let (referral, sealedDetails, keyID) = try sealed(
            referral: Array(try encoder.encode(tracked.referral)), details: Array(try encoder.encode(details)), of: id, in: db)
        try db.execute(
            sql: """
                INSERT INTO referral (id, part, state, updated_at, referral, details, key_id) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET part = excluded.part, state = excluded.state,
                    updated_at = excluded.updated_at, referral = excluded.referral, details = excluded.details,
                    key_id = excluded.key_id
                """,
            arguments: [
                id, tracked.part.rawValue, tracked.state.rawValue, tracked.updatedAt.timeIntervalSinceReferenceDate,
                Data(referral), Data(sealedDetails), keyID,
            ])
    }

    /// The referral of a row, or `nil` when its content was forgotten (its data key erased).
    func trackedReferral(from row: Row, in db: Database) throws -> TrackedReferral? {
        let id: String = row[0]
        let decoder = JSONDecoder()
        do {
            guard let part = TrackedReferral.Part(rawValue: row[1]), let state = ReferralState(rawValue: row[2]) else {
                throw AgentStoreError(.corruptRecord, "referral \(id): unknown part or state")
            }
            guard let (referralBytes, detailsBytes) = try opened(referral: [UInt8](row[4] as Data), details: [UInt8](row[5] as Data), of: id, keyID: row[6], in: db) else {
                return nil
            }
            let referral = try decoder.decode(Referral.self, from: Data(referralBytes))
            let details = try decoder.decode(Details.self, from: Data(detailsBytes))
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
                nextStepAt: details.nextStepAt,
                history: details.history ?? [],
                refusal: details.refusal
            )
        } catch let error as AgentStoreError {
            throw error
        } catch let error as VaultError {
            throw AgentStoreError(.corruptRecord, "referral \(id) cannot be opened: \(error.message)")
        } catch {
            throw AgentStoreError(.corruptRecord, "referral \(id) cannot be read back: \(error)")
        }
    }
}

extension AgentStore {
    private static let referralColumns = "id, part, state, updated_at, referral, details, key_id"

    /// Every saved referral whose content can still be read, in the order first saved; only
    /// those of `parts` and in a final state when asked (columns in clear: no row is opened for
    /// nothing).
    func savedReferrals(in db: Database, parts: Set<TrackedReferral.Part>? = nil, finalOnly: Bool = false) throws -> [TrackedReferral] {
        var referrals: [TrackedReferral] = []
        var conditions: [String] = []
        var arguments: [String] = []
        if let parts {
            conditions.append("part IN (\(parts.map { _ in "?" }.joined(separator: ", ")))")
            arguments += parts.map(\.rawValue).sorted()
        }
        if finalOnly {
            let final = ReferralState.allCases.filter(\.isTerminal)
            conditions.append("state IN (\(final.map { _ in "?" }.joined(separator: ", ")))")
            arguments += final.map(\.rawValue)
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let rows = try Row.fetchCursor(
            db, sql: "SELECT \(Self.referralColumns) FROM referral\(filter) ORDER BY rowid", arguments: StatementArguments(arguments))
        while let row = try rows.next() {
            if let tracked = try trackedReferral(from: row, in: db) { referrals.append(tracked) }
        }
        return referrals
    }

    /// The saved final referrals of `parts` whose content can still be read: what a
    /// ``ReferralBook`` reads back of those it let go of.
    func savedFinalReferrals(_ parts: Set<TrackedReferral.Part>) throws(AgentStoreError) -> [TrackedReferral] {
        do {
            return try database.read { db in try savedReferrals(in: db, parts: parts, finalOnly: true) }
        } catch let error as AgentStoreError {
            throw error
        } catch {
            throw AgentStoreError(.storageFailed, "cannot read the agent's referrals: \(error)")
        }
    }

    /// The saved referral with this id; `nil` when there is none or its content was erased.
    func savedReferral(_ id: UUID) throws(AgentStoreError) -> TrackedReferral? {
        do {
            return try database.read { db in
                guard let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT \(Self.referralColumns) FROM referral WHERE id = ?"),
                    arguments: [id.uuidString.lowercased()])
                else { return nil }
                return try trackedReferral(from: row, in: db)
            }
        } catch let error as AgentStoreError {
            throw error
        } catch {
            throw AgentStoreError(.storageFailed, "cannot read referral \(id.uuidString.lowercased()): \(error)")
        }
    }

    /// The store as the archive of a ``ReferralBook``: a read that fails is logged and answered
    /// as if the referral were not there.
    func archive(logger: Logger) -> ReferralBook.Archive {
        ReferralBook.Archive(
            referral: { [self] id in
                do { return try savedReferral(id) } catch {
                    logger.error("saved referral not read back", metadata: ["referral": "\(id)", "error": "\(error)"])
                    return nil
                }
            },
            final: { [self] parts in
                do { return try savedFinalReferrals(parts) } catch {
                    logger.error("saved referrals not read back", metadata: ["error": "\(error)"])
                    return []
                }
            })
    }
}
