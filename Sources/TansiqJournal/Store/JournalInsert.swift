import Foundation
import GRDB
import TansiqMessages
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// The journal's hot statement, bound and stepped on SQLite's C API: GRDB's argument arrays
/// box every value and copy every blob, once per message.
enum JournalInsert {
    /// Runs the prepared `INSERT INTO message` for one record; the blobs are read in place.
    static func run(_ statement: Statement, _ record: JournalRecord, body: [UInt8], keyID: Int64?, in db: Database) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_bind_int64(handle, 1, Int64(record.sequence))
        sqlite3_bind_int64(handle, 2, Int64(record.topicSequence))
        bindText(handle, 3, record.topic)
        bindText(handle, 6, record.kind)
        bindText(handle, 7, record.source)
        // Ids that are canonical UUIDs as their 16 bytes (StoredIdentifier); anything else as text.
        if let correlation = record.correlationID { bindIdentifier(handle, 8, correlation) } else { sqlite3_bind_null(handle, 8) }
        bindIdentifier(handle, 9, record.messageID)
        sqlite3_bind_double(handle, 10, record.receivedAt.timeIntervalSinceReferenceDate)
        sqlite3_bind_int64(handle, 11, Int64(record.storedBytes))
        if let keyID { sqlite3_bind_int64(handle, 12, keyID) } else { sqlite3_bind_null(handle, 12) }
        // SQLITE_STATIC: the blobs need only live until the step below, inside these closures.
        let code = record.header.withUnsafeBytes { header in
            body.withUnsafeBytes { body in
                // A zero-length blob with a nil pointer would bind NULL; the columns are NOT NULL.
                sqlite3_bind_blob(handle, 4, header.baseAddress ?? emptyBlob, Int32(header.count), nil)
                sqlite3_bind_blob(handle, 5, body.baseAddress ?? emptyBlob, Int32(body.count), nil)
                let code = sqlite3_step(handle)
                sqlite3_clear_bindings(handle)
                return code
            }
        }
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
    }

    /// Where a zero-length value points: SQLite reads nothing from it, but a nil pointer means NULL.
    private static var emptyBlob: UnsafeRawPointer { UnsafeRawPointer(bitPattern: 1)! }

    /// Binds the 16 bytes of `text` when it is a canonical UUID, else a copy of the text.
    private static func bindIdentifier(_ handle: OpaquePointer?, _ index: Int32, _ text: String) {
        if let uuid = Identifier.uuid(text) {
            _ = withUnsafeBytes(of: uuid.uuid) { bytes in sqlite3_bind_blob(handle, index, bytes.baseAddress, 16, transient) }
        } else {
            bindText(handle, index, text)
        }
    }

    /// Binds a copy of `text` (SQLITE_TRANSIENT), through Swift's C-string bridge.
    private static func bindText(_ handle: OpaquePointer?, _ index: Int32, _ text: String) {
        _ = sqlite3_bind_text(handle, index, text, -1, transient)
    }

    private static var transient: sqlite3_destructor_type {
        unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
    }
}
