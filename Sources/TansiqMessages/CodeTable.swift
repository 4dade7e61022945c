import Foundation

/// A few codes looked up by their UTF-8 bytes: grouped by length and compared with `memcmp`,
/// without hashing and without making a `String` of the bytes looked up.
///
/// The hub looks up every code of every body it validates (categories, reason codes, scopes,
/// flags, priorities, states, worker roles); for vocabularies of a few dozen codes this costs
/// a fraction of `Set<String>.contains`, whose seeded hash dominated. Values come back as
/// stored, so a code read from a body shares the table's string instead of allocating its own.
struct CodeTable<Value> {
    fileprivate struct Entry {
        var bytes: [UInt8]
        var value: Value
    }

    /// The entries of each byte length, at that length.
    private var buckets: [[Entry]]

    /// The most codes of one length a table compares one by one; ``init(_:)`` returns `nil`
    /// beyond it (a deployment's long vocabulary keeps its `Set`).
    static var largestBucket: Int { 16 }

    /// A table of `entries` (code, value); `nil` when a length holds more than ``largestBucket``
    /// codes or a code is longer than ``Identifier/maximumLength``.
    init?(_ entries: some Sequence<(String, Value)>) {
        var buckets = [[Entry]](repeating: [], count: Identifier.maximumLength + 1)
        for (code, value) in entries {
            let bytes = Array(code.utf8)
            guard bytes.count < buckets.count else { return nil }
            guard !buckets[bytes.count].contains(where: { $0.bytes == bytes }) else { continue }
            buckets[bytes.count].append(Entry(bytes: bytes, value: value))
            guard buckets[bytes.count].count <= Self.largestBucket else { return nil }
        }
        self.buckets = buckets
    }

    /// The value stored for the code spelled by `bytes`.
    func value(for bytes: UnsafeBufferPointer<UInt8>) -> Value? {
        guard bytes.count < buckets.count, let base = bytes.baseAddress else { return nil }
        for entry in buckets[bytes.count] {
            let equal = entry.bytes.withUnsafeBufferPointer { memcmp($0.baseAddress!, base, bytes.count) == 0 }
            if equal { return entry.value }
        }
        return nil
    }

    /// The value stored for `code`.
    func value(for code: String) -> Value? {
        var code = code
        return code.withUTF8 { value(for: $0) }
    }
}

extension CodeTable: Sendable where Value: Sendable {}
extension CodeTable.Entry: Sendable where Value: Sendable {}

extension CodeTable where Value: CodedValue {
    /// The codes this protocol version lists, each looked up as itself.
    static var known: CodeTable {
        // Five protocol lists of at most 14 codes: always within the bucket limit.
        CodeTable(Value.knownValues.map { ($0.rawValue, $0) })!
    }
}

extension CodeTable where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    /// Every case of a closed vocabulary, by raw value.
    static var cases: CodeTable {
        CodeTable(Value.allCases.map { ($0.rawValue, $0) })!
    }
}
