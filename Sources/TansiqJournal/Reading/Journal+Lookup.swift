import Foundation
import GRDB

extension Journal {
    /// The referral ids (correlation ids) that start with `prefix`, at most `limit` of them,
    /// sorted: `tansiq journal referral` accepts the 8-character prefix the text output shows.
    public func correlationIDs(withPrefix prefix: String, limit: Int = 10) throws(JournalError) -> [String] {
        let lowered = prefix.lowercased()
        guard let upper = Journal.upperBound(ofPrefix: lowered).map({ String(decoding: $0, as: UTF8.self) }) else { return [] }
        let sql = """
            SELECT DISTINCT correlation_id FROM message INDEXED BY message_on_correlation_id
            WHERE correlation_id IS NOT NULL AND correlation_id >= ? AND correlation_id < ?
            ORDER BY correlation_id LIMIT ?
            """
        return try read("look up referrals starting with \(lowered)") { db in
            try String.fetchAll(db, sql: sql, arguments: [lowered, upper, max(1, limit)])
        }
    }
}
