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
                }
            }
        } catch {
            throw AgentStoreError(.storageFailed, "cannot forget \(ids.count) referrals: \(error)")
        }
    }
}
