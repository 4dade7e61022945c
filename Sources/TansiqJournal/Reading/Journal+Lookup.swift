import Foundation
import GRDB
import TansiqMessages

extension Journal {
    /// The referral ids (correlation ids) that start with `prefix`, at most `limit` of them,
    /// sorted: `tansiq journal referral` accepts the 8-character prefix the text output shows.
    /// Ids are stored as text (rows of older hubs) or as 16 bytes (StoredIdentifier): both are searched.
    public func correlationIDs(withPrefix prefix: String, limit: Int = 10) throws(JournalError) -> [String] {
        let lowered = prefix.lowercased()
        guard let upper = Journal.upperBound(ofPrefix: lowered).map({ String(decoding: $0, as: UTF8.self) }) else { return [] }
        let limit = max(1, limit)
        let textSQL = """
            SELECT DISTINCT correlation_id FROM message INDEXED BY message_on_correlation_id
            WHERE correlation_id IS NOT NULL AND correlation_id >= ? AND correlation_id < ?
            ORDER BY correlation_id LIMIT ?
            """
        return try read("look up referrals starting with \(lowered)") { db in
            var ids = try String.fetchAll(db, sql: textSQL, arguments: [lowered, upper, limit])
            if let (low, high) = Journal.uuidRange(ofPrefix: lowered) {
                // Blobs sort after every text value: the byte range holds only 16-byte ids.
                let values = try DatabaseValue.fetchAll(db, sql: """
                    SELECT DISTINCT correlation_id FROM message INDEXED BY message_on_correlation_id
                    WHERE correlation_id IS NOT NULL AND correlation_id >= ? AND correlation_id <= ?
                    ORDER BY correlation_id LIMIT ?
                    """, arguments: [low, high, limit])
                ids += values.compactMap(StoredIdentifier.text)
            }
            return Array(Set(ids).sorted().prefix(limit))
        }
    }

    /// The lowest and highest 16-byte ids whose canonical text starts with `prefix`, or `nil`
    /// when no canonical UUID does.
    static func uuidRange(ofPrefix prefix: String) -> (low: DatabaseValue, high: DatabaseValue)? {
        let zeros = Array("00000000-0000-0000-0000-000000000000".utf8)
        let effs = Array("ffffffff-ffff-ffff-ffff-ffffffffffff".utf8)
        let head = Array(prefix.utf8)
        guard head.count <= zeros.count else { return nil }
        let low = String(decoding: head + zeros[head.count...], as: UTF8.self)
        let high = String(decoding: head + effs[head.count...], as: UTF8.self)
        guard let lowBytes = StoredIdentifier.bytes(low), let highBytes = StoredIdentifier.bytes(high) else { return nil }
        return (Data(lowBytes).databaseValue, Data(highBytes).databaseValue)
    }
}
