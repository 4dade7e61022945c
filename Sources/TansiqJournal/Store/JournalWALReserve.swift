#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import GRDB
import Synchronization
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// Keeps written, synced zeros ahead of the WAL's last frame, so that a commit's fdatasync
/// overwrites blocks the file already has. A commit that grows the file makes the filesystem
/// commit its own journal (the new size and blocks) with the data: on ext4 that fdatasync waited
/// 4–5 ms on the shared disk, against about 150 µs for an overwrite. Under a load that never
/// pauses the WAL only grows (a passive checkpoint never catches up enough to restart it), so
/// without the reserve every commit paid the slow kind.
///
/// Safe for SQLite: the zeros go beyond the file's end, written at the start of an append's
/// transaction, so under the write lock: no connection (of this process or another, such as
/// `tansiq journal erase` beside the hub) can be appending frames meanwhile, and every frame
/// ever written lies within the file. Recovery reads frames until the first that is not valid,
/// and zeros never are. The commit hook only notes how many frames the WAL holds.
final class JournalWALReserve {
    /// The least and most reserved at once; the reserve grows with the WAL.
    static let minimumBytes: Int64 = 1 << 20
    static let maximumBytes: Int64 = 16 << 20
    /// Reserved when the journal opens (`prepareAtOpen`): more than the WAL holds between two
    /// checkpoints (JournalCheckpointer.wakeFrames, about 8 MiB), so that a WAL the checkpointer
    /// keeps restarting never grows the reserve while the hub serves. Grown from 1 MiB as the WAL
    /// filled, a new journal's first seconds paid a zero-fill and its sync in a commit (on this
    /// shared disk tens of milliseconds) about every megabyte: the latency tail.
    static let openingBytes: Int64 = 16 << 20

    private let walPath: String
    private let frameBytes: Int64
    /// Where the reserved zeros end (0: none reserved yet by this connection).
    private var reservedEnd: Int64 = 0
    /// The frames the WAL held after this connection's last commit (0 once it restarted it).
    /// Atomic: the hub's thread reads it to know whether a restart is due, beside the writer.
    private let frames = Atomic<Int>(0)
    var walFrames: Int { frames.load(ordering: .relaxed) }

    private init(walPath: String, pageSize: Int) {
        self.walPath = walPath
        frameBytes = Int64(pageSize) + 24
    }

    /// Installs the reserve on `db`'s connection (the journal's only writer). Replaces SQLite's
    /// automatic checkpoint hook: call it only with automatic checkpoints off.
    static func install(on db: Database, path: String) throws -> JournalWALReserve {
        let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
        let reserve = JournalWALReserve(walPath: path + "-wal", pageSize: pageSize)
        sqlite3_wal_hook(db.sqliteConnection, { context, _, _, frames in
            guard let context else { return SQLITE_OK }
            Unmanaged<JournalWALReserve>.fromOpaque(context).takeUnretainedValue().committed(walFrames: frames)
            return SQLITE_OK
        }, Unmanaged.passUnretained(reserve).toOpaque())
        return reserve
    }

    /// Removes the hook; the reserve may be released after.
    static func uninstall(from db: Database) {
        sqlite3_wal_hook(db.sqliteConnection, nil, nil)
    }

    /// After a commit: the WAL holds `walFrames` frames.
    private func committed(walFrames: Int32) {
        frames.store(Int(walFrames), ordering: .relaxed)
    }

    /// This connection's checkpoint restarted the WAL: its next transaction writes from the start.
    func walRestarted() {
        frames.store(0, ordering: .relaxed)
    }

    /// Extends the reserve when the WAL came near its end. Call it only inside a write
    /// transaction before it wrote anything (the write lock held, none of its frames written).
    func prepare() {
        let used = 32 + Int64(walFrames) * frameBytes
        let headroom = min(max(used / 2, Self.minimumBytes), Self.maximumBytes)
        guard used + headroom / 2 > reservedEnd else { return }
        extend(to: used + headroom)
    }

    /// Reserves ``openingBytes`` past the WAL's current end. Call it inside a write transaction
    /// that writes nothing else (the write lock held, as for ``prepare()``).
    func prepareAtOpen() {
        let used = 32 + Int64(walFrames) * frameBytes
        extend(to: max(used, 32) + Self.openingBytes)
    }

    /// Appends zeros up to `end` (never over a byte the file has) and syncs them. A failure only
    /// costs speed: the commits then grow the file themselves.
    private func extend(to end: Int64) {
        let descriptor = open(walPath, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return }
        var offset = Int64(status.st_size)
        guard offset < end else {
            reservedEnd = offset
            return
        }
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        while offset < end {
            let count = Int(min(Int64(zeros.count), end - offset))
            let written = zeros.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, count, off_t(offset)) }
            guard written > 0 else { return }
            offset += Int64(written)
        }
        guard fdatasync(descriptor) == 0 else { return }
        reservedEnd = offset
    }
}
