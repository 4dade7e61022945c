import Foundation
import GRDB
import TansiqMessages
import TansiqVault

/// Retention by purpose: housekeeping briefly, a referral's messages until a while after it closed.
extension Journal {
    /// The kinds kept only for ``JournalRetention/housekeepingMaxAge``.
    public static let housekeepingKinds = ["hub.stats", "hub.presence", "hub.rejection", "presence", "service.status"]

    /// Notes when a batch closes referrals (a status update to a terminal state), in the
    /// append's transaction. Only status bodies are read, and only for their `state`.
    func recordClosures(_ records: [JournalRecord], in db: Database) throws {
        for record in records where record.kind == MessageKind.referralStatus.rawValue {
            guard let id = record.correlationID,
                  let body = try? JSONSerialization.jsonObject(with: Data(record.body)) as? [String: Any],
                  let state = (body["state"] as? String).flatMap(ReferralState.init(rawValue:)), state.isTerminal
            else { continue }
            try Self.recordClosures([id], at: record.receivedAt, in: db)
        }
    }

    /// Notes that the referrals `ids` closed at `at`.
    static func recordClosures(_ ids: [String], at: Date, in db: Database) throws {
        guard !ids.isEmpty else { return }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO referral_closure (correlation_id, closed_at) VALUES (?, ?)
            ON CONFLICT (correlation_id) DO UPDATE SET closed_at = excluded.closed_at
            """)
        for id in ids {
            try statement.execute(arguments: [id, at.timeIntervalSinceReferenceDate])
        }
    }

    /// Deletes old housekeeping and the referrals closed long enough ago (their data keys too).
    func applyPrivacyRetention(now: Date) throws(JournalError) -> Int {
        let retention = self.retention
        guard retention.housekeepingMaxAge != nil || retention.closedReferralMaxAge != nil else { return 0 }
        return try write("apply retention by purpose") { db in
            var deleted = 0
            var bytes: Int64 = 0
            func delete(_ condition: String, _ arguments: StatementArguments) throws {
                if let row = try Row.fetchOne(db, sql: "SELECT count(*), coalesce(sum(size), 0) FROM message WHERE \(condition)", arguments: arguments) {
                    deleted += row[0] as Int
                    bytes += row[1] as Int64
                }
                // A confirmed message's id goes with it, as its index entry did before indexes-v1.
                try db.execute(
                    sql: "DELETE FROM confirmed_message WHERE sequence IN (SELECT sequence FROM message WHERE \(condition))", arguments: arguments)
                try db.execute(sql: "DELETE FROM message WHERE \(condition)", arguments: arguments)
            }
            if let age = retention.housekeepingMaxAge {
                let cutoff = now.addingTimeInterval(-age.timeInterval).timeIntervalSinceReferenceDate
                let kinds = Journal.housekeepingKinds.map { "'\($0)'" }.joined(separator: ", ")
                try delete("kind IN (\(kinds)) AND received_at < ?", [cutoff])
            }
            if let age = retention.closedReferralMaxAge {
                let cutoff = now.addingTimeInterval(-age.timeInterval).timeIntervalSinceReferenceDate
                let closed = try String.fetchAll(db, sql: "SELECT correlation_id FROM referral_closure WHERE closed_at < ?", arguments: [cutoff])
                for id in closed {
                    try delete("correlation_id IN (?, ?)", StatementArguments(StoredIdentifier.forms(id)))
                    // Nothing of it is left to read: its key goes too, and backups holding the rows lose their key with it.
                    try DataKeyStore.erase(scope: id, in: db, now: now)
                    try db.execute(sql: "DELETE FROM referral_closure WHERE correlation_id = ?", arguments: [id])
                }
            }
            if deleted > 0 {
                try db.execute(
                    sql: "UPDATE stream SET message_count = message_count - ?, stored_bytes = stored_bytes - ? WHERE id = 1",
                    arguments: [deleted, bytes])
            }
            return deleted
        }
    }
}
