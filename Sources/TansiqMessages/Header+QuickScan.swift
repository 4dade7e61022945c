import Foundation

extension Header {
    /// Reads the common header in one pass over its bytes, without building JSON values:
    /// only the eight protocol keys, string or null values with printable ASCII and no
    /// escapes, each key once. Returns `nil` for anything else, valid or not, so that
    /// ``scan(_:)`` decides it and names the error: both accept exactly the same headers.
    static func quickScan(_ bytes: UnsafeBufferPointer<UInt8>) -> Header? {
        var reader = QuickReader(bytes: bytes)
        var slots = QuickReader.Slots()
        reader.skipWhitespace()
        guard reader.consume(UInt8(ascii: "{")) else { return nil }
        reader.skipWhitespace()
        if !reader.consume(UInt8(ascii: "}")) {
            while true {
                guard let key = reader.string(), let slot = reader.slotIndex(key) else { return nil }
                reader.skipWhitespace()
                guard reader.consume(UInt8(ascii: ":")) else { return nil }
                reader.skipWhitespace()
                let value: QuickReader.Slot
                if reader.consumeNull() {
                    value = .null
                } else if let range = reader.string() {
                    value = .text(range)
                } else {
                    return nil
                }
                guard case .absent = slots[slot] else { return nil }
                slots[slot] = value
                reader.skipWhitespace()
                if reader.consume(UInt8(ascii: ",")) {
                    reader.skipWhitespace()
                    continue
                }
                guard reader.consume(UInt8(ascii: "}")) else { return nil }
                break
            }
        }
        reader.skipWhitespace()
        guard reader.isAtEnd else { return nil }
        return reader.header(from: slots)
    }
}

/// The byte cursor of ``Header/quickScan(_:)``.
private struct QuickReader {
    /// What one protocol key held.
    enum Slot {
        case absent
        case null
        case text(Range<Int>)
    }

    /// One slot per protocol key, without a heap allocation per header.
    struct Slots {
        private var values: (Slot, Slot, Slot, Slot, Slot, Slot, Slot, Slot) =
            (.absent, .absent, .absent, .absent, .absent, .absent, .absent, .absent)

        subscript(index: Int) -> Slot {
            get {
                switch index {
                case 0: values.0
                case 1: values.1
                case 2: values.2
                case 3: values.3
                case 4: values.4
                case 5: values.5
                case 6: values.6
                default: values.7
                }
            }
            set {
                switch index {
                case 0: values.0 = newValue
                case 1: values.1 = newValue
                case 2: values.2 = newValue
                case 3: values.3 = newValue
                case 4: values.4 = newValue
                case 5: values.5 = newValue
                case 6: values.6 = newValue
                default: values.7 = newValue
                }
            }
        }
    }

    /// The protocol's header keys, in slot order.
    static let keys: [[UInt8]] = ["specversion", "id", "type", "source", "agent", "time", "correlationid", "causationid"]
        .map { Array($0.utf8) }

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    var isAtEnd: Bool { index == bytes.count }

    static func slot(of key: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        // memcmp on the bytes in place: the generic comparison of an array with a slice cost
        // more than the rest of the key's reading.
        guard let base = bytes.baseAddress else { return nil }
        for (index, candidate) in keys.enumerated() where candidate.count == key.count {
            if candidate.withUnsafeBufferPointer({ memcmp($0.baseAddress!, base + key.lowerBound, key.count) }) == 0 { return index }
        }
        return nil
    }

    func slotIndex(_ key: Range<Int>) -> Int? { Self.slot(of: key, in: bytes) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func consumeNull() -> Bool {
        guard bytes.count - index >= 4, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
              bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l")
        else { return false }
        index += 4
        return true
    }

    /// A string of printable ASCII without escapes: the range of its contents.
    mutating func string() -> Range<Int>? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return start..<(index - 1)
            }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        return nil
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    private func required(_ slot: Slot) -> Range<Int>? {
        if case .text(let range) = slot { return range }
        return nil
    }

    /// `nil` when the slot is absent or null; `.some(nil)` when it holds something invalid.
    private func optionalUUID(_ slot: Slot) -> UUID?? {
        switch slot {
        case .absent, .null: return .some(nil)
        case .text(let range): return Identifier.uuid(bytes: UnsafeBufferPointer(rebasing: bytes[range])).map { .some($0) }
        }
    }

    func header(from slots: Slots) -> Header? {
        guard let versionRange = required(slots[0]), let idRange = required(slots[1]), let typeRange = required(slots[2]),
              let sourceRange = required(slots[3]), let agentRange = required(slots[4]), let timeRange = required(slots[5]),
              let version = ProtocolVersion(text(versionRange)), version.isSupported,
              let id = Identifier.uuid(bytes: UnsafeBufferPointer(rebasing: bytes[idRange])),
              let time = Timestamp.parse(bytes: UnsafeBufferPointer(rebasing: bytes[timeRange])),
              case .some(let correlationID) = optionalUUID(slots[6]),
              case .some(let causationID) = optionalUUID(slots[7])
        else { return nil }
        let header = Header(
            specversion: version,
            id: id,
            type: MessageKind(rawValue: text(typeRange)),
            source: text(sourceRange),
            agent: text(agentRange),
            time: time,
            correlationid: correlationID,
            causationid: causationID
        )
        do {
            try header.validate()
        } catch {
            return nil
        }
        return header
    }
}
