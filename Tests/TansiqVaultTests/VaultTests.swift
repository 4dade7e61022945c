import Foundation
import GRDB
import Testing
@testable import TansiqVault

@Suite("Vault: master key, data keys, private files", .serialized)
struct VaultTests {
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-vault-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func database() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        DataKeyStore.registerMigrations(in: &migrator)
        try migrator.migrate(queue)
        return queue
    }

    @Test func aSealedValueOpensOnlyWithItsKeyAndItsContext() throws {
        let queue = try Self.database()
        let store = DataKeyStore(master: .generate())
        let (key, sealed) = try queue.write { db in
            let key = try store.sealingKey(for: "referral-1", in: db)
            return (key, try DataKeyStore.seal(Array("AGA-2026-0042".utf8), with: key, context: "message-1"))
        }
        #expect(!sealed.contains(subsequence: Array("AGA".utf8)))
        let opening = try #require(try queue.read { db in try store.openingKey(id: key.id, in: db) })
        #expect(try DataKeyStore.open(sealed, with: opening, context: "message-1") == Array("AGA-2026-0042".utf8))
        #expect(throws: VaultError.self) { try DataKeyStore.open(sealed, with: opening, context: "message-2") }
        var altered = sealed
        altered[altered.count - 1] ^= 1
        #expect(throws: VaultError.self) { try DataKeyStore.open(altered, with: opening, context: "message-1") }
        // One key per scope, the same on every use.
        let again = try queue.write { db in try store.sealingKey(for: "referral-1", in: db) }
        let other = try queue.write { db in try store.sealingKey(for: "referral-2", in: db) }
        #expect(again.id == key.id)
        #expect(other.id != key.id)
    }

    @Test func erasingAScopeDestroysItsKeysForEveryReader() throws {
        let queue = try Self.database()
        let master = MasterKey.generate()
        let writer = DataKeyStore(master: master)
        let id = try queue.write { db in try writer.sealingKey(for: "referral-1", in: db).id }
        let erased = try queue.write { db in try DataKeyStore.erase(scope: "referral-1", in: db) }
        #expect(erased == 1)
        #expect(try queue.read { db in try DataKeyStore(master: master).openingKey(id: id, in: db) } == nil)
        #expect(try queue.read { db in try DataKeyStore.wasErased(scope: "referral-1", in: db) })
    }

    @Test func aKeyPushedOutOfTheCacheIsReadBackNotMadeAgain() throws {
        let queue = try Self.database()
        let store = DataKeyStore(master: .generate(), cachedKeys: 2)
        let scopes = (1...5).map { "referral-\($0)" }
        let sealed = try queue.write { db in
            try scopes.map { scope in
                let key = try store.sealingKey(for: scope, in: db)
                return (key.id, try DataKeyStore.seal(Array(scope.utf8), with: key, context: scope))
            }
        }
        // Keys made for sealing are also kept for opening: both caches stay within the bound.
        #expect(store.cachedKeyCounts.sealing <= 2 && store.cachedKeyCounts.opening <= 2)
        try queue.write { db in
            for (scope, (id, box)) in zip(scopes, sealed) {
                #expect(try store.sealingKey(for: scope, in: db).id == id)
                let opening = try #require(try store.openingKey(id: id, in: db))
                #expect(try DataKeyStore.open(box, with: opening, context: scope) == Array(scope.utf8))
            }
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM data_key") == scopes.count)
        }
    }

    @Test func aDatabaseRemembersItsMasterKey() throws {
        let queue = try Self.database()
        try queue.write { db in try DataKeyStore(master: .generate()).bind(db, file: "test") }
        let error = #expect(throws: VaultError.self) { try queue.write { db in try DataKeyStore(master: .generate()).bind(db, file: "test") } }
        #expect(error?.code == .wrongMasterKey)
    }

    @Test func aKeyFileIsWrittenPrivateAndOneReadableByOthersIsRefused() throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("keys/master.key").path
        let key = MasterKey.generate()
        try key.write(to: path)
        #expect(PrivateFiles.mode(of: path) == 0o600)
        #expect(PrivateFiles.mode(of: directory.appendingPathComponent("keys").path) == 0o700)
        #expect(try MasterKey(contentsOf: path) == key)
        #expect(throws: VaultError.self) { try key.write(to: path) }
        chmod(path, 0o644)
        let error = #expect(throws: VaultError.self) { try MasterKey(contentsOf: path) }
        #expect(error?.message.contains("chmod 600") == true)
        #expect(try MasterKey.load(file: nil, environment: [MasterKey.environmentVariable: key.base64]) == key)
        #expect(try MasterKey.load(file: nil, environment: [:]) == nil)
        #expect(throws: VaultError.self) { try MasterKey(base64: "c2hvcnQ=") }
    }

    @Test func databaseFilesAreMadePrivateWhateverTheUmask() throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("a/b/state.sqlite").path
        try PrivateFiles.prepareDatabaseFile(path)
        var configuration = Configuration()
        configuration.journalMode = .wal
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in try db.execute(sql: "CREATE TABLE t (x); INSERT INTO t VALUES (1)") }
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(PrivateFiles.mode(of: file) == 0o600, "\(file)")
        }
        #expect(PrivateFiles.mode(of: directory.appendingPathComponent("a").path) == 0o700)
        #expect(PrivateFiles.mode(of: directory.appendingPathComponent("a/b").path) == 0o700)
        try queue.close()
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
