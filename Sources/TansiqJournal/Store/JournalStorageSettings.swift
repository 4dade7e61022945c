/// The SQLite settings in force on the journal's connection, as SQLite reports them.
public struct JournalStorageSettings: Sendable, Equatable {
    /// `PRAGMA journal_mode`: `wal` for every journal.
    public var journalMode: String
    /// `PRAGMA synchronous`: 2 (FULL) or 1 (NORMAL).
    public var synchronous: Int

    /// Creates a settings value.
    public init(journalMode: String, synchronous: Int) {
        self.journalMode = journalMode
        self.synchronous = synchronous
    }
}
