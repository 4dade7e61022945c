import CSQLiteSettings

/// SQLite's process-wide settings, applied once before the process's first connection.
///
/// The journal's and the agent state's openers call ``applyBeforeFirstConnection()``. Without it each
/// connection takes about 80 KB of page cache up front: a simulation with a thousand agents'
/// state files would hold some 80 MB of it, mostly never used.
public enum SQLiteSettings {
    /// SQLite's result code of the settings: 0 when they apply, 21 (misuse) when a connection
    /// had already been opened in this process, by code that does not call this first.
    public static let result: Int32 = tansiq_sqlite_config_no_bulk_page_cache()

    public static func applyBeforeFirstConnection() {
        _ = result
    }
}
