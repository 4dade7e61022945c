import Foundation
import GRDB
import TansiqVault

/// Referral content at rest: with a master key, the `referral` and `details` columns of each
/// referral row (case reference, reasons, notes, the status updates published) are sealed with
/// that referral's data key; ids, parts, states and times stay readable for the agent's queries.
/// Forgetting a case destroys its referrals' keys and deletes their rows.
extension AgentStore {
    static func registerEncryptionMigrations(in migrator: inout DatabaseMigrator) {
        DataKeyStore.registerMigrations(in: &migrator)
        migrator.registerMigration("privacy-v1") { db in
            // NULL: the row's content is stored as JSON (no master key).
            try db.execute(sql: "ALTER TABLE referral ADD COLUMN key_id INTEGER")
        }
        migrator.registerMigration("privacy-v2") { db in
            // The outbox holds whole messages until the hub confirms them: a referral's body is
            // sealed with that referral's key like its row (NULL: stored as sent).
            try db.execute(sql: "ALTER TABLE outbox ADD COLUMN key_id INTEGER")
        }
    }

    /// An outbox message's body, sealed with its referral's key when there is a master key and
    /// the message belongs to a referral (service status and presence carry no case).
    func sealed(outboxBody body: [UInt8], message: UUID, referral: UUID?, in db: Database) throws -> ([UInt8], Int64?) {
        guard let keys, let referral else { return (body, nil) }
        let id = referral.uuidString.lowercased()
        let key = try keys.sealingKey(for: id, in: db)
        return (try DataKeyStore.seal(body, with: key, context: id + "/outbox/" + message.uuidString.lowercased()), key.id)
    }

    /// The body as sent; `nil` when its referral was erased (the message is then dropped).
    func opened(outboxBody body: [UInt8], message: UUID, referral: UUID?, keyID: Int64?, in db: Database) throws -> [UInt8]? {
        guard let keyID else { return body }
        guard let keys else {
            throw VaultError(.masterKeyNeeded, "the agent state's outbox holds sealed messages: give its master key (--master-key-file or \(MasterKey.environmentVariable))")
        }
        guard let referral, let key = try keys.openingKey(id: keyID, in: db) else { return nil }
        let id = referral.uuidString.lowercased()
        return try DataKeyStore.open(body, with: key, context: id + "/outbox/" + message.uuidString.lowercased())
    }

    /// Whether referral content is sealed.
    public var isEncrypted: Bool { keys != nil }

    func sealed(referral: [UInt8], details: [UInt8], of id: String, in db: Database) throws -> ([UInt8], [UInt8], Int64?) {
        guard let keys else { return (referral, details, nil) }
        let key = try keys.sealingKey(for: id, in: db)
        return (
            try DataKeyStore.seal(referral, with: key, context: id + "/referral"),
            try DataKeyStore.seal(details, with: key, context: id + "/details"),
            key.id
        )
    }

    func opened(referral: [UInt8], details: [UInt8], of id: String, keyID: Int64?, in db: Database) throws -> ([UInt8], [UInt8])? {
        guard let keyID else { return (referral, details) }
        guard let keys else {
            throw VaultError(.masterKeyNeeded, "the agent state holds sealed referrals: give its master key (--master-key-file or \(MasterKey.environmentVariable))")
        }
        guard let key = try keys.openingKey(id: keyID, in: db) else { return nil }
        return (
            try DataKeyStore.open(referral, with: key, context: id + "/referral"),
            try DataKeyStore.open(details, with: key, context: id + "/details")
        )
    }

    /// Forgets referrals (a closed case): destroys their data keys and deletes their rows, in
    /// one transaction. Their ids stay in `processed_referral`, so a replay does not bring them back.
    public func forget(referrals ids: [UUID]) throws(AgentStoreError) {
        do {
            try database.write { db in
                for id in ids.map({ $0.uuidString.lowercased() }) {
                    try DataKeyStore.erase(scope: id, in: db)
                    try db.execute(sql: "DELETE FROM referral WHERE id = ?", arguments: [id])
                    try db.execute(sql: "DELETE FROM outbox WHERE correlation_id = ?", arguments: [id])
                }
            }
        } catch {
            throw AgentStoreError(.storageFailed, "cannot forget \(ids.count) referrals: \(error)")
        }
    }
}
