/// One page read from the journal: the readable records, and how many erased ones were skipped.
public struct JournalPage: Sendable, Equatable {
    /// The records, in stream order, bodies opened.
    public var records: [JournalRecord]
    /// Messages of erased referrals skipped on the way.
    public var erased: Int
    /// The last sequence looked at, records and erased messages alike.
    public var lastScanned: UInt64
    /// How many rows the query returned (records and erased together).
    var scanned: Int = 0
}
