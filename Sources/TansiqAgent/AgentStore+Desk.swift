import Foundation
import GRDB
import TansiqMessages

/// What the desk keeps in the agent's state file: its workers' accounts, the audit trail of
/// their actions, and the service statuses they set.
///
/// - `desk_account` (desk-v1): one row per worker; the password as a bcrypt hash.
/// - `audit` (desk-v1): append-only, in rowid order; codes only.
/// - `service_status` (desk-v1): per category, the last status a worker set (wire JSON).
extension AgentStore {
    static func registerDeskMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("desk-v1") { db in
            try db.execute(sql: """
                CREATE TABLE desk_account (
                    worker TEXT PRIMARY KEY NOT NULL,
                    role TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    created_at REAL NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE audit (
                    at REAL NOT NULL,
                    worker TEXT NOT NULL,
                    action TEXT NOT NULL,
                    referral TEXT,
                    detail TEXT NOT NULL
                );
                CREATE TABLE service_status (category TEXT PRIMARY KEY NOT NULL, status BLOB NOT NULL) WITHOUT ROWID;
                """)
        }
    }

    /// Adds a worker's account; refuses a worker id already there.
    public func addAccount(_ account: DeskAccount) throws(AgentStoreError) {
        do {
            try database.write { db in
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM desk_account WHERE worker = ?", arguments: [account.worker]) == true {
                    throw AgentStoreError(.accountExists, "the desk already has a worker \(account.worker): remove it first")
                }
                try db.execute(
                    sql: "INSERT INTO desk_account (worker, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [account.worker, account.role.rawValue, account.passwordHash, account.createdAt.timeIntervalSinceReferenceDate])
            }
        } catch let error as AgentStoreError {
            throw error
        } catch {
            throw AgentStoreError(.storageFailed, "cannot add the worker: \(error)")
        }
    }

    /// Removes a worker's account; returns false if there was none.
    @discardableResult
    public func removeAccount(_ worker: String) throws(AgentStoreError) -> Bool {
        do {
            return try database.write { db in
                try db.execute(sql: "DELETE FROM desk_account WHERE worker = ?", arguments: [worker])
                return db.changesCount > 0
            }
        } catch {
            throw AgentStoreError(.storageFailed, "cannot remove the worker: \(error)")
        }
    }

    /// Every worker's account, by worker id.
    public func accounts() throws(AgentStoreError) -> [DeskAccount] {
        do {
            return try database.read { db in
                try Row.fetchAll(db, sql: "SELECT worker, role, password_hash, created_at FROM desk_account ORDER BY worker").compactMap { row in
                    guard let role = DeskAccount.Role(rawValue: row[1]) else { return nil }
                    return DeskAccount(worker: row[0], role: role, passwordHash: row[2], createdAt: Date(timeIntervalSinceReferenceDate: row[3]))
                }
            }
        } catch {
            throw AgentStoreError(.storageFailed, "cannot read the desk's workers: \(error)")
        }
    }

    /// The audit trail, oldest first.
    public func auditTrail() throws(AgentStoreError) -> [AuditEntry] {
        do {
            return try database.read { db in
                try Row.fetchAll(db, sql: "SELECT at, worker, action, referral, detail FROM audit ORDER BY rowid").map { row in
                    AuditEntry(
                        at: Date(timeIntervalSinceReferenceDate: row[0]), worker: row[1], action: row[2],
                        referral: (row[3] as String?).flatMap(UUID.init(uuidString:)), detail: row[4])
                }
            }
        } catch {
            throw AgentStoreError(.storageFailed, "cannot read the audit trail: \(error)")
        }
    }

    func commitDesk(_ changes: Changes, in db: Database) throws {
        for entry in changes.audit {
            try db.execute(
                sql: "INSERT INTO audit (at, worker, action, referral, detail) VALUES (?, ?, ?, ?, ?)",
                arguments: [entry.at.timeIntervalSinceReferenceDate, entry.worker, entry.action, entry.referral?.uuidString.lowercased(), entry.detail])
        }
        let encoder = JSONEncoder()
        for status in changes.serviceStatuses {
            try db.execute(
                sql: "INSERT INTO service_status (category, status) VALUES (?, ?) ON CONFLICT (category) DO UPDATE SET status = excluded.status",
                arguments: [status.category.rawValue, try encoder.encode(status)])
        }
    }

    func deskServiceStatuses(in db: Database) throws -> [ServiceStatus] {
        let decoder = JSONDecoder()
        return try Data.fetchAll(db, sql: "SELECT status FROM service_status ORDER BY category").compactMap { try? decoder.decode(ServiceStatus.self, from: $0) }
    }
}
