/// How hard the journal works to keep a committed batch.
///
/// Both modes use SQLite's write-ahead log; they differ in when SQLite calls `fsync`.
public enum JournalDurability: String, Sendable, CaseIterable {
    /// WAL with `synchronous=FULL`: the log is synced at every commit, so a committed
    /// batch survives a power loss or an operating-system crash.
    case full
    /// WAL with `synchronous=NORMAL`: a committed batch survives a crash of the hub
    /// process (even SIGKILL), but the last batches may be lost on a power loss.
    case normal

    /// The value of SQLite's `PRAGMA synchronous` for this mode.
    var synchronousPragma: Int {
        switch self {
        case .full: 2
        case .normal: 1
        }
    }
}
