import Foundation
import GRDB
import TansiqMessages

/// Ids at rest. Since registry-v3 a message id (and a referral id) that is a
/// canonical, lower-case UUID is stored as its 16 bytes: half the size of its text in the
/// table and, above all, in the indexes that take it in random order. Anything else (an id
/// written by an older hub, a test's `m-1`) stays text, so lookups ask for both forms
/// (`IN (?, ?)`) and older journals read as they always did.
enum StoredIdentifier {
    /// The 16 bytes of `text`, when it is a canonical UUID (so that reading it back gives `text`).
    static func bytes(_ text: String) -> [UInt8]? {
        guard let uuid = Identifier.uuid(text) else { return nil }
        return withUnsafeBytes(of: uuid.uuid) { Array($0) }
    }

    /// What to store for `text`.
    static func value(_ text: String) -> DatabaseValue {
        if let bytes = bytes(text) { return Data(bytes).databaseValue }
        return text.databaseValue
    }

    /// Both stored forms of `text`, for `column IN (?, ?)`.
    static func forms(_ text: String) -> [DatabaseValue] {
        [value(text), text.databaseValue]
    }

    /// Both stored forms of a UUID.
    static func forms(_ uuid: UUID) -> [DatabaseValue] {
        forms(Identifier.text(uuid))
    }

    /// The text of a stored id, whichever form it has.
    static func text(_ value: DatabaseValue) -> String? {
        switch value.storage {
        case .string(let text): return text
        case .blob(let data) where data.count == 16:
            return Identifier.text(uuid(data))
        default: return nil
        }
    }

    /// The UUID of a stored id, whichever form it has.
    static func uuid(_ value: DatabaseValue) -> UUID? {
        switch value.storage {
        case .string(let text): return Identifier.uuid(text) ?? UUID(uuidString: text)
        case .blob(let data) where data.count == 16: return uuid(data)
        default: return nil
        }
    }

    private static func uuid(_ data: Data) -> UUID {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { $0.copyBytes(from: data) }
        return UUID(uuid: bytes)
    }
}
