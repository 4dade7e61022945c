import TansiqVault

/// Where and how a hub journals the messages it accepts.
public struct JournalConfiguration: Sendable, Equatable {
    /// The path the `tansiq hub` command journals to unless told otherwise: a file in the
    /// working directory.
    public static let defaultPath = "tansiq-journal.sqlite"

    /// The SQLite file (created if missing; its directory must exist).
    public var path: String
    /// When a group commit is synced to disk.
    public var durability: JournalDurability
    /// How much history the journal keeps.
    public var retention: JournalRetention
    /// How often the hub applies ``retention``.
    public var retentionCheckInterval: Duration
    /// Seals message bodies at rest with a data key per referral; `nil` stores them as received.
    public var masterKey: MasterKey?

    /// Creates a configuration; by default the journal is synced at every commit and keeps
    /// everything.
    public init(
        path: String = JournalConfiguration.defaultPath,
        durability: JournalDurability = .full,
        retention: JournalRetention = JournalRetention(),
        retentionCheckInterval: Duration = .seconds(60),
        masterKey: MasterKey? = nil
    ) {
        self.path = path
        self.durability = durability
        self.retention = retention
        self.retentionCheckInterval = retentionCheckInterval
        self.masterKey = masterKey
    }
}
