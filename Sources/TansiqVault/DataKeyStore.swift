import Crypto
import Foundation
import GRDB

/// One data key per scope (a referral's id, or `housekeeping`), kept in the same SQLite file
/// as the data it seals, wrapped by the ``MasterKey``. Erasing a scope deletes its keys: what
/// they sealed can no longer be read by anyone, backups of the file included once the key is
/// gone from them too, while every other record stays intact.
///
/// Tables (created by ``registerMigrations(in:)``):
/// - `data_key`: `id`, `scope`, the wrapped key, when it was made;
/// - `erasure`: one row per erased scope, with when and how many keys were destroyed;
/// - `vault`: the master key's fingerprint.
///
/// Like the database connection it works through, a store belongs to one thread.
public final class DataKeyStore {
    /// A data key and its row id, which sealed records carry.
    public struct DataKey {
        /// The `data_key` row.
        public let id: Int64
        let key: SymmetricKey
    }

    private let master: MasterKey
    private let masterKey: SymmetricKey
    private var sealing: [String: DataKey] = [:]
    private var opening: [Int64: SymmetricKey] = [:]
    private var dataVersion: Int64?
    private let cacheLimit: Int

    /// A store whose keys are wrapped by `master`. At most `cachedKeys` unwrapped keys are
    /// kept in memory for each use (sealing, opening); past that the cache starts again and a
    /// key is read and unwrapped from its row when next needed.
    public init(master: MasterKey, cachedKeys: Int = 4_096) {
        self.master = master
        masterKey = master.key
        cacheLimit = max(1, cachedKeys)
    }

    /// Registers the key tables; call once on the migrator of the database that holds sealed data.
    public static func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("vault-v1") { db in
            try db.execute(sql: """
                CREATE TABLE data_key (
                    id INTEGER PRIMARY KEY NOT NULL,
                    scope TEXT NOT NULL,
                    wrapped BLOB NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE INDEX data_key_on_scope ON data_key (scope);
                CREATE TABLE erasure (
                    scope TEXT PRIMARY KEY NOT NULL,
                    erased_at REAL NOT NULL,
                    keys INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE vault (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
                """)
        }
    }

    /// Records the master key's fingerprint in a new database, or checks it against the one recorded.
    public func bind(_ db: Database, file: String) throws {
        let fingerprint = master.fingerprint
        if let recorded = try String.fetchOne(db, sql: "SELECT value FROM vault WHERE name = 'master-key'") {
            guard recorded == fingerprint else {
                throw VaultError(
                    .wrongMasterKey,
                    "\(file) was sealed with the master key \(recorded), not with the one given (\(fingerprint))")
            }
        } else {
            try db.execute(sql: "INSERT INTO vault (name, value) VALUES ('master-key', ?)", arguments: [fingerprint])
        }
    }

    /// Checks a database opened read-only against the master key, when it records one.
    public func check(_ db: Database, file: String) throws {
        if let recorded = try String.fetchOne(db, sql: "SELECT value FROM vault WHERE name = 'master-key'"), recorded != master.fingerprint {
            throw VaultError(
                .wrongMasterKey,
                "\(file) was sealed with the master key \(recorded), not with the one given (\(master.fingerprint))")
        }
    }

    /// The key new data of `scope` is sealed with, made on first use. Call inside the write
    /// transaction that stores the sealed data, so that the key and the data commit together.
    public func sealingKey(for scope: String, in db: Database, now: Date = Date()) throws -> DataKey {
        try refresh(db)
        if let known = sealing[scope] { return known }
        if let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT id, wrapped FROM data_key WHERE scope = ? ORDER BY id DESC LIMIT 1"),
            arguments: [scope]) {
            let key = DataKey(id: row[0], key: try unwrap(row[1], scope: scope))
            remember(key, scope: scope)
            return key
        }
        let key = SymmetricKey(size: .bits256)
        let wrapped = try key.withUnsafeBytes { bytes in
            try AES.GCM.seal(bytes, using: masterKey, authenticating: Array(scope.utf8)).combined!
        }
        try db.cachedStatement(sql: "INSERT INTO data_key (scope, wrapped, created_at) VALUES (?, ?, ?)")
            .execute(arguments: [scope, wrapped, now.timeIntervalSinceReferenceDate])
        let made = DataKey(id: db.lastInsertedRowID, key: key)
        remember(made, scope: scope)
        return made
    }

    /// The key of a `data_key` row, or `nil` when it was erased.
    public func openingKey(id: Int64, in db: Database) throws -> SymmetricKey? {
        try refresh(db)
        if let known = opening[id] { return known }
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT scope, wrapped FROM data_key WHERE id = ?"), arguments: [id]) else {
            return nil
        }
        let key = try unwrap(row[1], scope: row[0])
        rememberOpening(key, id: id)
        return key
    }

    /// Seals `plaintext` for a record named by `context` (a message id, a row's key), which
    /// must be given again to open it: a sealed value moved to another record does not open.
    public static func seal(_ plaintext: [UInt8], with key: DataKey, context: String) throws -> [UInt8] {
        let box = try AES.GCM.seal(plaintext, using: key.key, authenticating: Array(context.utf8))
        return [sealedFormat] + Array(box.combined!)
    }

    /// Opens what ``seal(_:with:context:)`` made.
    public static func open(_ sealed: [UInt8], with key: SymmetricKey, context: String) throws(VaultError) -> [UInt8] {
        guard sealed.first == sealedFormat else { throw VaultError(.unreadable, "not a sealed value of a known format") }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.dropFirst())
            return Array(try AES.GCM.open(box, using: key, authenticating: Array(context.utf8)))
        } catch {
            throw VaultError(.unreadable, "a sealed value does not open: altered, truncated or moved from another record")
        }
    }

    /// The first byte of every sealed value: its format.
    public static let sealedFormat: UInt8 = 0x01

    /// Destroys every key of `scope` and records the erasure; returns how many keys were destroyed.
    /// Needs no master key: whoever may write the file may erase.
    @discardableResult
    public static func erase(scope: String, in db: Database, now: Date = Date()) throws -> Int {
        try db.execute(sql: "DELETE FROM data_key WHERE scope = ?", arguments: [scope])
        let destroyed = db.changesCount
        try db.execute(
            sql: """
                INSERT INTO erasure (scope, erased_at, keys) VALUES (?, ?, ?)
                ON CONFLICT (scope) DO UPDATE SET erased_at = excluded.erased_at, keys = keys + excluded.keys
                """,
            arguments: [scope, now.timeIntervalSinceReferenceDate, destroyed])
        return destroyed
    }

    /// Whether `scope` was ever erased.
    public static func wasErased(scope: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM erasure WHERE scope = ?", arguments: [scope]) ?? false
    }

    /// Forgets cached keys when another connection committed (an erasure beside a running
    /// process): `data_version` changes only for other connections' commits.
    private func refresh(_ db: Database) throws {
        let version = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0
        if version != dataVersion {
            if dataVersion != nil {
                sealing.removeAll(keepingCapacity: true)
                opening.removeAll(keepingCapacity: true)
            }
            dataVersion = version
        }
    }

    private func remember(_ key: DataKey, scope: String) {
        if sealing.count >= cacheLimit { sealing.removeAll(keepingCapacity: true) }
        sealing[scope] = key
        rememberOpening(key.key, id: key.id)
    }

    /// How many unwrapped keys are in memory, for each use: at most `cachedKeys` each.
    var cachedKeyCounts: (sealing: Int, opening: Int) { (sealing.count, opening.count) }

    private func rememberOpening(_ key: SymmetricKey, id: Int64) {
        if opening.count >= cacheLimit { opening.removeAll(keepingCapacity: true) }
        opening[id] = key
    }

    private func unwrap(_ wrapped: Data, scope: String) throws -> SymmetricKey {
        do {
            let box = try AES.GCM.SealedBox(combined: wrapped)
            return SymmetricKey(data: try AES.GCM.open(box, using: masterKey, authenticating: Array(scope.utf8)))
        } catch {
            throw VaultError(.wrongMasterKey, "a data key does not open with the master key given")
        }
    }
}

@available(*, unavailable)
extension DataKeyStore: Sendable {}
